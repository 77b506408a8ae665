import { DataSource } from 'typeorm';
import type { ActiveConfig } from '@app/bundles';
import { newId } from '@app/core';
import {
  ROW_NOT_CHANGED,
  sqliteDatetime,
  SqliteTransactions,
  SqliteWriteLock,
  TransactionRunner,
  type SqliteWriteTarget,
  type SqlStatement,
} from '@app/database';
import { SchemaValidatorCache } from '@app/schemas';
import { DEMO_TRAVEL_REQUEST } from '../../../../apps/api/src/seed/demo-bundle';
import { openMigratedSqlite, type MigratedSqlite } from '../../../../test/support/migrated-sqlite';
import { demoActiveConfig } from '../../../../test/support/demo-config';
import { CompiledSchemas } from '../compiled-schemas';
import { IdempotencyRecordEntity } from '../entities/idempotency-record.entity';
import { OfferVariantEntity } from '../entities/offer-variant.entity';
import { OfferEntity } from '../entities/offer.entity';
import { QuoteEntity } from '../entities/quote.entity';
import { prepareOffer, type PreparedOffer } from '../prepare-offer';
import type { OfferKeyRecord, OfferToStore } from './offer-insert.sql';
import { OfferStore, type OfferTransactions } from './offer-store';
import { storedText } from '../../../../test/support/stored-json';

const active: ActiveConfig = demoActiveConfig('00000000-0000-4000-8000-000000000001');
const NOW = new Date('2026-12-01T10:00:00.123Z');
const compiled = new CompiledSchemas(new SchemaValidatorCache());

/** a demo travel offer, built as Create Offer builds it; `transactionId` tells it apart */
function prepared(transactionId: string): PreparedOffer {
  const body = { ...DEMO_TRAVEL_REQUEST, partner: { ...DEMO_TRAVEL_REQUEST.partner, transaction_id: transactionId } };
  return prepareOffer(compiled, active, {
    schemaId: 'travel:v1',
    body,
    caller: { keyId: '00000000-0000-4000-8000-0000000000aa', partnerId: active.partnerId, partnerCode: active.partnerCode, mode: 'live' },
    query: { includeContent: true, extraFields: new Set<string>(), excludeOfferIds: [], activeOnly: false },
    now: NOW,
  });
}

function keyRecord(key: string): OfferKeyRecord {
  return {
    id: newId(),
    partnerId: active.partnerId,
    route: 'create_offer',
    key,
    requestHash: 'f'.repeat(64),
    responseStatus: 201,
    createdAt: NOW,
    expiresAt: new Date('2026-12-03T10:00:00.123Z'),
  };
}

/** the outcomes `done` was called with, by name: 'ok', or the error's code */
function outcomes() {
  const seen: Array<[string, string]> = [];
  const errors = new Map<string, unknown>();
  const done = (name: string) => (error?: unknown) => {
    seen.push([name, error === undefined ? 'ok' : ((error as { code?: string }).code ?? 'failed')]);
    if (error !== undefined) errors.set(name, error);
  };
  return { seen, errors, done };
}

describe('OfferStore on SQLite (the migrated schema, SqliteTransactions as in a build thread)', () => {
  let db: MigratedSqlite;
  let ds: DataSource;
  let target: SqliteWriteTarget;
  let transactions: SqliteTransactions;
  let runs: SqlStatement[][];

  const count = (table: string, where?: string, params?: unknown[]) => db.count(table, where, params);
  const offerStored = (p: PreparedOffer) => count('offers', 'id = ?', [p.offer.id]);

  beforeAll(async () => {
    db = await openMigratedSqlite('offer-store');
    ({ ds, target } = db);
    transactions = new SqliteTransactions(target);
  });
  afterAll(async () => {
    transactions.close();
    await db.close();
  });
  beforeEach(() => {
    runs = [];
  });

  /** the thread's transactions, each run recorded */
  function store(maxPerTransaction = 8, on: SqliteTransactions = transactions): OfferStore {
    const recorded: OfferTransactions = {
      engine: on.engine,
      concurrency: on.concurrency,
      run: (statements, options) => {
        runs.push([...statements]);
        on.run(statements, options);
      },
    };
    return new OfferStore(recorded, maxPerTransaction);
  }

  it('the offers queued before a flush are committed in one transaction, each answered once it is committed, its rows as prepared', async () => {
    const s = store();
    const offers = [prepared('A-1'), prepared('A-2'), prepared('A-3')];
    const { seen, done } = outcomes();
    offers.forEach((p, i) => s.add({ prepared: p }, done(`A-${i + 1}`)));
    // nothing is stored (nor answered) before the flush
    expect(seen).toEqual([]);
    expect(runs).toHaveLength(0);
    s.flush();
    // synchronous transactions: committed and answered within the flush
    expect(seen).toEqual([
      ['A-1', 'ok'],
      ['A-2', 'ok'],
      ['A-3', 'ok'],
    ]);
    expect(runs).toHaveLength(1);

    for (const p of offers) {
      const offer = await ds.getRepository(OfferEntity).findOneByOrFail({ id: p.offer.id });
      expect(offer).toEqual({
        ...p.offer,
        request: JSON.parse(p.requestJson),
        response: JSON.parse(p.json),
        status: 'OFFERED',
        bookingId: null,
        updatedAt: NOW,
      });
      // the exact texts
      const [raw] = await ds.query<Array<Record<string, string>>>('SELECT request, response, created_at, expires_at FROM offers WHERE id = ?', [p.offer.id]);
      expect({ ...raw, request: storedText(raw.request), response: storedText(raw.response) }).toEqual({
        request: p.requestJson,
        response: p.json,
        created_at: '2026-12-01 10:00:00.123',
        expires_at: sqliteDatetime(p.offer.expiresAt),
      });
      // packed on SQLite: a BLOB much smaller than the text
      expect(raw.request).toBeInstanceOf(Buffer);
      expect((raw.response as unknown as Buffer).length).toBeLessThan(p.json.length / 2);

      const quotes = await ds.getRepository(QuoteEntity).find({ where: { offerId: p.offer.id }, order: { productCode: 'ASC' } });
      expect(p.quotes.length).toBeGreaterThan(0);
      expect(quotes).toEqual(
        [...p.quotes]
          .sort((a, b) => a.productCode.localeCompare(b.productCode))
          .map((q) => ({ ...q, offerId: p.offer.id, partnerId: active.partnerId, currency: p.offer.currency, status: 'OFFERED', createdAt: NOW })),
      );

      // one conversion row per experiment the offer was in
      expect(p.offer.experiments.length).toBeGreaterThan(0);
      const variants = await ds.getRepository(OfferVariantEntity).find({ where: { offerId: p.offer.id }, order: { ordinal: 'ASC' } });
      expect(variants).toEqual(
        p.offer.experiments.map((e, ordinal) => ({
          id: expect.any(String),
          offerId: p.offer.id,
          partnerId: active.partnerId,
          offerConfigId: p.offer.offerConfigId,
          experimentKey: e.key,
          variant: e.variant,
          ordinal,
          currency: p.offer.currency,
          status: 'OFFERED',
          premiumMinor: 0,
          cancellations: 0,
          refundedMinor: 0,
          refundedPremiumMinor: 0,
          createdAt: NOW,
        })),
      );
    }
    expect(await count('idempotency_records')).toBe(0);
  });

  it('an offer in no experiment gets one conversion row with none', async () => {
    const p = prepared('NX-1');
    const alone: PreparedOffer = { ...p, offer: { ...p.offer, experiments: [] } };
    const { seen, done } = outcomes();
    const s = store();
    s.add({ prepared: alone }, done('NX-1'));
    s.flush();
    expect(seen).toEqual([['NX-1', 'ok']]);
    expect(await ds.query('SELECT experiment_key, variant, ordinal FROM offer_variants WHERE offer_id = ?', [p.offer.id])).toEqual([
      { experiment_key: null, variant: null, ordinal: 0 },
    ]);
  });

  it('more offers than a transaction takes: transactions of `maxPerTransaction`, one after another within the flush', async () => {
    const s = store(2);
    const offers = ['M-1', 'M-2', 'M-3', 'M-4', 'M-5'].map((id) => ({ id, p: prepared(id) }));
    const { seen, done } = outcomes();
    for (const { id, p } of offers) s.add({ prepared: p }, done(id));
    s.flush();
    expect(runs.map((r) => r.filter((x) => x.sql.includes('INSERT INTO offers')).length)).toEqual([2, 2, 1]);
    expect(seen).toEqual(offers.map(({ id }) => [id, 'ok']));
    for (const { p } of offers) expect(await offerStored(p)).toBe(1);
  });

  it('a transaction that fails on one offer’s rows is retried offer by offer: only that one fails, with SQLite’s code, and nothing of it is stored', async () => {
    const first = prepared('R-0');
    const s = store();
    s.add({ prepared: first }, () => undefined);
    s.flush();
    runs = [];
    // an offer whose id is taken: its quotes and conversion rows must not stay behind either
    const taken = prepared('R-BAD');
    const bad: PreparedOffer = { ...taken, offer: { ...taken.offer, id: first.offer.id } };
    const good = [prepared('R-1'), prepared('R-3')];
    const { seen, errors, done } = outcomes();
    s.add({ prepared: good[0] }, done('R-1'));
    s.add({ prepared: bad }, done('R-BAD'));
    s.add({ prepared: good[1] }, done('R-3'));
    s.flush();
    // the three together, then each alone
    expect(runs).toHaveLength(4);
    expect(seen).toEqual([
      ['R-1', 'ok'],
      ['R-BAD', 'SQLITE_CONSTRAINT_PRIMARYKEY'],
      ['R-3', 'ok'],
    ]);
    expect(errors.get('R-BAD')).toMatchObject({ message: 'UNIQUE constraint failed: offers.id' });
    for (const p of good) expect(await offerStored(p)).toBe(1);
    // the offer that held the id is untouched, and has only its own quotes and conversion rows
    expect(
      (await ds.query<Array<{ partner_transaction_id: string }>>('SELECT partner_transaction_id FROM offers WHERE id = ?', [first.offer.id]))[0]
        .partner_transaction_id,
    ).toBe('R-0');
    expect(await count('quotes', 'offer_id = ?', [first.offer.id])).toBe(first.quotes.length);
    expect(await count('offer_variants', 'offer_id = ?', [first.offer.id])).toBe(first.offer.experiments.length);
  });

  it('an idempotency key’s record is committed with its offer, and only with it: a key committed elsewhere fails that offer (ROW_NOT_CHANGED), nothing of it stored', async () => {
    // another request committed K-TAKEN first
    const earlier = prepared('K-0');
    const s = store();
    s.add({ prepared: earlier, key: keyRecord('K-TAKEN') }, () => undefined);
    s.flush();
    runs = [];

    const withKey = prepared('K-1');
    const conflicting = prepared('K-2');
    const withoutKey = prepared('K-3');
    const { seen, errors, done } = outcomes();
    const record = keyRecord('K-NEW');
    s.add({ prepared: withKey, key: record }, done('K-1'));
    s.add({ prepared: conflicting, key: keyRecord('K-TAKEN') }, done('K-2'));
    s.add({ prepared: withoutKey }, done('K-3'));
    s.flush();
    expect(runs).toHaveLength(4);
    expect(seen).toEqual([
      ['K-1', 'ok'],
      ['K-2', ROW_NOT_CHANGED],
      ['K-3', 'ok'],
    ]);
    expect(errors.get('K-2')).toMatchObject({ code: ROW_NOT_CHANGED });
    expect(await offerStored(withKey)).toBe(1);
    expect(await offerStored(conflicting)).toBe(0);
    expect(await count('quotes', 'offer_id = ?', [conflicting.offer.id])).toBe(0);
    expect(await count('offer_variants', 'offer_id = ?', [conflicting.offer.id])).toBe(0);
    expect(await offerStored(withoutKey)).toBe(1);

    // the record: done, with the offer's response text
    const stored = await ds.getRepository(IdempotencyRecordEntity).findOneByOrFail({ key: 'K-NEW' });
    expect(stored).toEqual({ ...record, state: 'done', responseBody: JSON.parse(withKey.json), offerId: withKey.offer.id });
    expect((await ds.query<Array<{ response_body: string }>>(`SELECT response_body FROM idempotency_records WHERE key = 'K-NEW'`))[0].response_body).toBe(
      withKey.json,
    );
    // the key committed first still answers with the first offer
    expect((await ds.query<Array<{ response_body: string }>>(`SELECT response_body FROM idempotency_records WHERE key = 'K-TAKEN'`))[0].response_body).toBe(
      earlier.json,
    );
    expect(await count('idempotency_records')).toBe(2);
  });

  it('two offers with the same key in one transaction: the first is stored with it, the second fails', async () => {
    const s = store();
    const { seen, done } = outcomes();
    const [a, b] = [prepared('SK-1'), prepared('SK-2')];
    s.add({ prepared: a, key: keyRecord('K-SAME') }, done('SK-1'));
    s.add({ prepared: b, key: keyRecord('K-SAME') }, done('SK-2'));
    s.flush();
    expect(seen).toEqual([
      ['SK-1', 'ok'],
      ['SK-2', ROW_NOT_CHANGED],
    ]);
    expect([await offerStored(a), await offerStored(b)]).toEqual([1, 0]);
    expect((await ds.query<Array<{ response_body: string }>>(`SELECT response_body FROM idempotency_records WHERE key = 'K-SAME'`))[0].response_body).toBe(
      a.json,
    );
  });

  it('a failure that cannot be one row’s (the database busy past busy_timeout) fails every offer of the transaction at once, without a retry per offer', async () => {
    const impatient = new SqliteTransactions({ ...target, busyTimeoutMs: 30 });
    const other = new SqliteWriteLock(target.lock);
    try {
      const s = store(8, impatient);
      const offers = [prepared('B-1'), prepared('B-2'), prepared('B-3')];
      const { seen, done } = outcomes();
      offers.forEach((p, i) => s.add({ prepared: p }, done(`B-${i + 1}`)));
      other.acquireSync(0);
      s.flush();
      expect(runs).toHaveLength(1);
      expect(seen).toEqual([
        ['B-1', 'SQLITE_BUSY'],
        ['B-2', 'SQLITE_BUSY'],
        ['B-3', 'SQLITE_BUSY'],
      ]);
      other.release();
      for (const p of offers) expect(await offerStored(p)).toBe(0);
    } finally {
      if (other.held) other.release();
      impatient.close();
    }
  });

  it('a rehearsal runs the offer’s statements and keeps nothing; one that fails says why', async () => {
    const s = store();
    const p = prepared('W-1');
    const { seen, done } = outcomes();
    s.rehearse({ prepared: p, key: keyRecord('K-REHEARSED') }, done('W-1'));
    expect(seen).toEqual([['W-1', 'ok']]);
    expect(runs).toHaveLength(1);
    expect(runs[0].some((x) => x.sql.includes('INSERT INTO quotes'))).toBe(true);
    expect(await offerStored(p)).toBe(0);
    expect(await count('quotes', 'offer_id = ?', [p.offer.id])).toBe(0);
    expect(await count('idempotency_records', 'key = ?', ['K-REHEARSED'])).toBe(0);
    // a key already taken fails the rehearsal as it would fail the offer
    s.add({ prepared: prepared('W-0'), key: keyRecord('K-W') }, () => undefined);
    s.flush();
    s.rehearse({ prepared: prepared('W-2'), key: keyRecord('K-W') }, done('W-2'));
    expect(seen[1]).toEqual(['W-2', ROW_NOT_CHANGED]);
    // a rehearsal is not queued: the store is idle
    let idle = false;
    s.whenIdle(() => (idle = true));
    expect(idle).toBe(true);
  });
});

describe('OfferStore on the event loop’s connection (TransactionRunner on SQLite, asynchronous)', () => {
  let db: MigratedSqlite;
  let ds: DataSource;
  let tx: TransactionRunner;

  beforeAll(async () => {
    db = await openMigratedSqlite('offer-store-runner');
    ds = db.ds;
    tx = new TransactionRunner(ds);
    await tx.onApplicationBootstrap();
  });
  afterAll(async () => {
    await tx.onApplicationShutdown();
    await db.close();
  });

  it('stores offers through runStatements; only the bad one fails; whenIdle once all are answered', async () => {
    const first = prepared('T-0');
    const transactions: OfferTransactions = { engine: tx.engine, concurrency: 2, run: (s, o) => tx.runStatements(s, o) };
    const store = new OfferStore(transactions, 64);
    const answered: string[] = [];
    const t0 = new Promise<unknown>((resolve) => store.add({ prepared: first }, resolve));
    store.flush();
    expect(await t0).toBeUndefined();

    const taken = prepared('T-BAD');
    const outcome = (name: string, p: PreparedOffer) =>
      new Promise<void>((resolve) =>
        store.add({ prepared: p }, (e) => {
          answered.push(`${name} ${e === undefined ? 'ok' : String((e as { code?: unknown }).code)}`);
          resolve();
        }),
      );
    const all = Promise.all([
      outcome('T-1', prepared('T-1')),
      outcome('T-BAD', { ...taken, offer: { ...taken.offer, id: first.offer.id } }),
      outcome('T-3', prepared('T-3')),
    ]);
    const idle = new Promise<string[]>((resolve) => store.whenIdle(() => resolve([...answered])));
    store.flush();
    await all;
    // every offer was answered before the store said it was idle
    expect(await idle).toEqual(['T-1 ok', 'T-BAD SQLITE_CONSTRAINT_PRIMARYKEY', 'T-3 ok']);
    expect((await ds.query<Array<{ t: string }>>('SELECT partner_transaction_id AS t FROM offers ORDER BY t')).map((r) => r.t)).toEqual(['T-0', 'T-1', 'T-3']);
  });
});

describe('OfferStore on asynchronous transactions (PostgreSQL’s shape, a fake database)', () => {
  /** transactions that finish when the test says: each run waits for its `finish` */
  function pending(concurrency: number) {
    const runs: Array<{ statements: SqlStatement[]; rollBack: boolean; finish: (error?: unknown) => void }> = [];
    const transactions: OfferTransactions = {
      engine: 'postgres',
      concurrency,
      run: (statements, options) =>
        new Promise<void>((resolve, reject) => {
          runs.push({
            statements: [...statements],
            rollBack: options?.rollBack === true,
            finish: (error) => (error === undefined ? resolve() : reject(error)),
          });
        }),
    };
    return { transactions, runs };
  }
  /** the partner transaction ids of the offers of a transaction (POSTGRES_INSERT_OFFERS: $1 the offers' rows as JSON) */
  const offersIn = (r: { statements: SqlStatement[] }): string[] =>
    (JSON.parse(r.statements[0].params[0] as string) as Array<{ partner_transaction_id: string }>).map((o) => o.partner_transaction_id);
  /** the keys of the idempotency records of a transaction ($4) */
  const keysIn = (r: { statements: SqlStatement[] }): string[] => (JSON.parse(r.statements[0].params[3] as string) as Array<{ key: string }>).map((k) => k.key);
  const settle = () => new Promise((r) => setImmediate(r));
  const item = (id: string, key?: string): OfferToStore => (key ? { prepared: prepared(id), key: keyRecord(key) } : { prepared: prepared(id) });

  it('answers once committed; what is queued while every connection is busy goes in one transaction when one is free', async () => {
    const { transactions, runs } = pending(1);
    const store = new OfferStore(transactions, 64);
    const { seen, done } = outcomes();
    for (const id of ['A-1', 'A-2', 'A-3']) store.add(item(id), done(id));
    store.flush();
    expect(runs.map(offersIn)).toEqual([['A-1', 'A-2', 'A-3']]);
    // one statement, no key to check: a transaction of its own
    expect(runs[0].statements).toHaveLength(1);
    expect(runs[0].statements[0].mustChange).toBeUndefined();
    expect(seen).toEqual([]);
    // two more flushes while the only connection is busy: the offers wait, together
    for (const id of ['B-4', 'B-5']) store.add(item(id), done(id));
    store.flush();
    store.add(item('B-6'), done('B-6'));
    store.flush();
    expect(runs).toHaveLength(1);
    runs[0].finish();
    await settle();
    expect(seen).toEqual([
      ['A-1', 'ok'],
      ['A-2', 'ok'],
      ['A-3', 'ok'],
    ]);
    expect(runs.map(offersIn)).toEqual([
      ['A-1', 'A-2', 'A-3'],
      ['B-4', 'B-5', 'B-6'],
    ]);
    runs[1].finish();
    await settle();
    expect(seen.map(([id]) => id)).toEqual(['A-1', 'A-2', 'A-3', 'B-4', 'B-5', 'B-6']);
  });

  it('runs up to `concurrency` transactions at once, of up to `maxPerTransaction` offers', async () => {
    const { transactions, runs } = pending(2);
    const store = new OfferStore(transactions, 2);
    const { seen, done } = outcomes();
    for (const id of ['C-1', 'C-2', 'C-3', 'C-4', 'C-5']) store.add(item(id), done(id));
    store.flush();
    expect(runs.map(offersIn)).toEqual([
      ['C-1', 'C-2'],
      ['C-3', 'C-4'],
    ]);
    runs[1].finish();
    await settle();
    expect(seen).toEqual([
      ['C-3', 'ok'],
      ['C-4', 'ok'],
    ]);
    expect(runs.map(offersIn)).toEqual([['C-1', 'C-2'], ['C-3', 'C-4'], ['C-5']]);
    runs[0].finish();
    runs[2].finish();
    await settle();
    expect(seen.map(([id]) => id).sort()).toEqual(['C-1', 'C-2', 'C-3', 'C-4', 'C-5']);
  });

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['the server shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['SQLite busy', Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })],
    ['a lost connection (no code)', new Error('Connection terminated unexpectedly')],
  ])('a failure that cannot be one row’s (%s) fails every offer of the transaction at once, without a retry per offer', async (_name, failure) => {
    const { transactions, runs } = pending(1);
    const store = new OfferStore(transactions, 64);
    const { seen, errors, done } = outcomes();
    for (const id of ['D-1', 'D-2', 'D-3']) store.add(item(id), done(id));
    store.flush();
    runs[0].finish(failure);
    await settle();
    expect(runs).toHaveLength(1);
    expect(seen.map(([id]) => id)).toEqual(['D-1', 'D-2', 'D-3']);
    for (const id of ['D-1', 'D-2', 'D-3']) expect(errors.get(id)).toBe(failure);
  });

  it.each([
    ['a unique violation (23505)', { code: '23505' }],
    ['a value too long (22001)', { code: '22001' }],
    ['a key committed elsewhere', { code: ROW_NOT_CHANGED }],
    ['a SQLite constraint', { code: 'SQLITE_CONSTRAINT_UNIQUE' }],
    ['TypeORM’s QueryFailedError (the code on driverError)', { driverError: { code: '23502' } }],
  ])('rows the database refused (%s): each offer tried alone, only the bad one fails, with its own error', async (_name, fields) => {
    const { transactions, runs } = pending(1);
    const store = new OfferStore(transactions, 64);
    const { seen, errors, done } = outcomes();
    for (const id of ['E-1', 'EBAD-2', 'E-3']) store.add(item(id), done(id));
    store.flush();
    runs[0].finish(Object.assign(new Error('refused together'), fields));
    const alone = Object.assign(new Error('refused alone'), fields);
    // one at a time, in order
    for (let i = 1; i <= 3; i++) {
      await settle();
      expect(runs).toHaveLength(i + 1);
      const [id] = offersIn(runs[i]);
      expect(id).toBe(['E-1', 'EBAD-2', 'E-3'][i - 1]);
      runs[i].finish(id === 'EBAD-2' ? alone : undefined);
    }
    await settle();
    expect(seen.map(([id, outcome]) => [id, outcome === 'ok' ? 'ok' : 'failed'])).toEqual([
      ['E-1', 'ok'],
      ['EBAD-2', 'failed'],
      ['E-3', 'ok'],
    ]);
    expect(errors.get('EBAD-2')).toBe(alone);
  });

  it('a transaction of one offer that fails is not tried again', async () => {
    const { transactions, runs } = pending(1);
    const store = new OfferStore(transactions, 64);
    const { seen, done } = outcomes();
    store.add(item('S-1'), done('S-1'));
    store.flush();
    runs[0].finish(Object.assign(new Error('duplicate key'), { code: '23505' }));
    await settle();
    expect(runs).toHaveLength(1);
    expect(seen).toEqual([['S-1', '23505']]);
  });

  it('key records go in their offers’ transaction, must all be inserted, and are retried with their own offer only', async () => {
    const { transactions, runs } = pending(1);
    const store = new OfferStore(transactions, 64);
    const { seen, done } = outcomes();
    store.add(item('K-1', 'key-1'), done('K-1'));
    store.add(item('K-2', 'key-2'), done('K-2'));
    store.add(item('K-3'), done('K-3'));
    store.flush();
    expect(keysIn(runs[0])).toEqual(['key-1', 'key-2']);
    expect(runs[0].statements[0]).toMatchObject({ mustChange: true, rows: 2 });
    runs[0].finish(Object.assign(new Error('the statement changed no row'), { code: ROW_NOT_CHANGED }));
    const alone: Array<[string[], string[]]> = [];
    for (let i = 1; i <= 3; i++) {
      await settle();
      alone.push([offersIn(runs[i]), keysIn(runs[i])]);
      runs[i].finish(offersIn(runs[i])[0] === 'K-2' ? Object.assign(new Error('the statement changed no row'), { code: ROW_NOT_CHANGED }) : undefined);
    }
    await settle();
    expect(alone).toEqual([
      [['K-1'], ['key-1']],
      [['K-2'], ['key-2']],
      [['K-3'], []],
    ]);
    expect(runs[3].statements[0].mustChange).toBeUndefined();
    expect(seen).toEqual([
      ['K-1', 'ok'],
      ['K-2', ROW_NOT_CHANGED],
      ['K-3', 'ok'],
    ]);
  });

  it('a transaction that throws before it starts, or fails with no error, still fails its offers', async () => {
    const { seen, done } = outcomes();
    const throwing = new OfferStore(
      {
        engine: 'postgres',
        concurrency: 1,
        run: () => {
          throw Object.assign(new Error('the pool is closed'), { code: 'POOL_CLOSED' });
        },
      },
      64,
    );
    throwing.add(item('X-1'), done('X-1'));
    throwing.flush();
    expect(seen).toEqual([['X-1', 'POOL_CLOSED']]);

    const { transactions, runs } = pending(1);
    const store = new OfferStore(transactions, 64);
    const errors: unknown[] = [];
    store.add(item('X-2'), (e) => errors.push(e));
    store.flush();
    runs[0].finish(null);
    await settle();
    expect(errors).toEqual([expect.any(Error)]);
  });

  it('rehearse: the offer’s statements in a transaction that is rolled back, outside the queue', async () => {
    const { transactions, runs } = pending(1);
    const store = new OfferStore(transactions, 64);
    const { seen, done } = outcomes();
    store.add(item('Q-1'), done('Q-1'));
    store.flush();
    // the only connection is busy with Q-1: the rehearsal does not wait for a flush
    store.rehearse(item('W-1', 'key-w'), done('W-1'));
    expect(runs.map((r) => [offersIn(r), r.rollBack])).toEqual([
      [['Q-1'], false],
      [['W-1'], true],
    ]);
    expect(keysIn(runs[1])).toEqual(['key-w']);
    runs[1].finish();
    await settle();
    expect(seen).toEqual([['W-1', 'ok']]);
    runs[0].finish();
    await settle();
    store.rehearse(item('W-2'), done('W-2'));
    runs[2].finish(Object.assign(new Error('value too long'), { code: '22001' }));
    await settle();
    expect(seen).toEqual([
      ['W-1', 'ok'],
      ['Q-1', 'ok'],
      ['W-2', '22001'],
    ]);
  });

  it('whenIdle: at once when nothing is queued or under way; else once every offer is answered, retries included', async () => {
    const { transactions, runs } = pending(1);
    const store = new OfferStore(transactions, 2);
    const events: string[] = [];
    store.whenIdle(() => events.push('idle at once'));
    expect(events).toEqual(['idle at once']);
    for (const id of ['I-1', 'IBAD-2', 'I-3']) store.add(item(id), (e) => events.push(`${id} ${e === undefined ? 'ok' : 'failed'}`));
    // queued, not yet flushed: not idle
    store.whenIdle(() => events.push('idle'));
    store.flush();
    runs[0].finish(Object.assign(new Error('refused'), { code: '23505' }));
    await settle();
    runs[1].finish();
    await settle();
    runs[2].finish(Object.assign(new Error('refused'), { code: '23505' }));
    await settle();
    expect(events).toEqual(['idle at once', 'I-1 ok', 'IBAD-2 failed']);
    // the third offer, in the next transaction
    expect(runs.map(offersIn)).toEqual([['I-1', 'IBAD-2'], ['I-1'], ['IBAD-2'], ['I-3']]);
    runs[3].finish();
    await settle();
    expect(events).toEqual(['idle at once', 'I-1 ok', 'IBAD-2 failed', 'I-3 ok', 'idle']);
  });
});
