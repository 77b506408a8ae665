import { DataSource } from 'typeorm';
import { DEFAULT_RATE_LIMITS, type ActiveConfig } from '@app/bundles';
import { DomainError, newId } from '@app/core';
import { ROW_NOT_CHANGED, type SqliteWriteTarget, type SqlStatement } from '@app/database';
import { SchemaValidatorCache } from '@app/schemas';
import { isDatabaseUnavailable } from '../../../../apps/api/src/common/database-unavailable';
import { DEMO_TRAVEL_REQUEST } from '../../../../apps/api/src/seed/demo-bundle';
import { openMigratedSqlite, type MigratedSqlite } from '../../../../test/support/migrated-sqlite';
import { demoActiveConfig } from '../../../../test/support/demo-config';
import { CompiledSchemas } from '../compiled-schemas';
import { OfferValidationError } from '../offers.errors';
import type { OfferKeyRecord } from '../storage/offer-insert.sql';
import type { OfferTransactions } from '../storage/offer-store';
import { configKey, receiveError, sendError, type FromBuildThread, type StoreTarget, type ToBuildThread } from './protocol';
import { BuildThreadHandler, openTransactions } from './worker-handler';
import { storedText } from '../../../../test/support/stored-json';

type Build = Extract<ToBuildThread, { t: 'build' }>;
type Stored = Extract<FromBuildThread, { t: 'stored' }>;
type Opened = ReturnType<typeof openTransactions>;

const NOW = new Date('2026-12-01T10:00:00.000Z');
const caller = { keyId: '00000000-0000-4000-8000-0000000000aa', partnerId: '00000000-0000-4000-8000-000000000001', partnerCode: 'DEMO', mode: 'test' as const };
const query = { includeContent: true, extraFields: new Set<string>(), excludeOfferIds: [], activeOnly: false };

/** A handler and everything it sent, one entry per `send`. */
function handlerWith(compiled: CompiledSchemas, open?: typeof openTransactions) {
  const sent: FromBuildThread[][] = [];
  const handler = new BuildThreadHandler(compiled, (r) => void sent.push(r), open);
  return { handler, sent, replies: () => sent.flat() };
}

/** every callback ready now (commits of fake transactions, queued answers) has run */
const settle = () => new Promise((r) => setImmediate(r));
const idOf = (r: FromBuildThread): number | null => ('id' in r ? r.id : null);

describe('BuildThreadHandler: configurations', () => {
  function active(partnerId: string, version: number): ActiveConfig {
    return { partnerId, partnerCode: partnerId.toUpperCase(), version, defaultSchema: null, rateLimits: DEFAULT_RATE_LIMITS, schemas: [], configs: [] };
  }
  const build = (id: number, key: string): Build => ({
    t: 'build',
    id,
    key,
    schemaId: 'none:v1',
    request: '{"schema":"none:v1"}',
    caller,
    query,
    now: NOW,
    store: false,
  });

  it('compiles a configuration when it arrives and acknowledges when asked', () => {
    const compiled = new CompiledSchemas(new SchemaValidatorCache());
    const warm = jest.spyOn(compiled, 'warm');
    const { handler, sent } = handlerWith(compiled);
    const a = active('p', 1);
    handler.handleBatch([{ t: 'config', key: configKey(a), active: a }]);
    expect(sent).toEqual([]);
    handler.handleBatch([{ t: 'config', key: configKey(a), active: a, ack: 7 }]);
    expect(sent).toEqual([[{ t: 'ack', ack: 7 }]]);
    expect(warm).toHaveBeenCalledWith(a);
    expect(handler.configCount).toBe(1);
  });

  it('a configuration that fails to compile is still held and acknowledged: its requests fail with their own error', () => {
    const compiled = new CompiledSchemas(new SchemaValidatorCache());
    jest.spyOn(compiled, 'warm').mockImplementation(() => {
      throw new Error('does not compile');
    });
    const { handler, replies } = handlerWith(compiled);
    const a = active('p', 1);
    handler.handleBatch([{ t: 'config', key: configKey(a), active: a, ack: 1 }, build(2, configKey(a))]);
    expect(replies()).toMatchObject([
      { t: 'ack', ack: 1 },
      { t: 'failed', id: 2, error: { domain: true, code: 'offer_validation_schema_not_found' } },
    ]);
  });

  it('asks again for a configuration it does not hold, and keeps the last four per partner', () => {
    const { handler, replies } = handlerWith(new CompiledSchemas(new SchemaValidatorCache()));
    handler.handleBatch([build(1, 'unknown')]);
    expect(replies()).toEqual([{ t: 'missing', id: 1 }]);
    const configs: ToBuildThread[] = [];
    for (let v = 1; v <= 6; v++) configs.push({ t: 'config', key: configKey(active('p', v)), active: active('p', v) });
    configs.push({ t: 'config', key: configKey(active('q', 1)), active: active('q', 1) });
    handler.handleBatch(configs);
    expect(handler.configCount).toBe(5);
    handler.handleBatch([
      build(2, configKey(active('p', 2))),
      build(3, configKey(active('p', 3))),
      build(4, configKey(active('p', 6))),
      build(5, configKey(active('q', 1))),
    ]);
    const [, missing2, held3, held6, heldQ] = replies();
    expect(missing2).toEqual({ t: 'missing', id: 2 });
    // a held one is built: here the schema is unknown, which is the request's own answer
    for (const [reply, id] of [
      [held3, 3],
      [held6, 4],
      [heldQ, 5],
    ] as const) {
      expect(reply).toMatchObject({ t: 'failed', id, error: { domain: true, kind: 'invalid', code: 'offer_validation_schema_not_found' } });
    }
  });

  it('the partner fields a version does not fix are part of the key', () => {
    const a = active('p', 3);
    expect(configKey(a)).not.toBe(configKey({ ...a, defaultSchema: 'x:v1' }));
    expect(configKey(a)).not.toBe(configKey({ ...a, partnerCode: 'OTHER' }));
    expect(configKey(a)).not.toBe(configKey({ ...a, version: 4 }));
    expect(configKey(a)).toBe(configKey({ ...a }));
  });
});

describe('errors across threads', () => {
  it('a domain error comes back with the same kind, code, message and JSON paths', () => {
    const e = receiveError(structuredClone(sendError(new OfferValidationError({ '/context/x': ['must be number'] }))));
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ kind: 'invalid', code: 'offer_validation_error', errors: { '/context/x': ['must be number'] }, name: 'OfferValidationError' });
  });

  it('any other error stays a fault (a 500), with the thread’s stack for the log and the driver’s code', () => {
    const fault = new TypeError('boom');
    const e = receiveError(structuredClone(sendError(fault)));
    expect(e).not.toBeInstanceOf(DomainError);
    expect(e.name).toBe('TypeError');
    expect(e.message).toBe('offer build thread: boom');
    expect(e.stack).toContain('worker-handler.spec');
    const refused = receiveError(
      structuredClone(sendError(Object.assign(new Error('UNIQUE constraint failed: offers.id'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }))),
    );
    expect(refused).toMatchObject({
      code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
      cause: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY', message: 'UNIQUE constraint failed: offers.id' },
    });
    // what is thrown that is not an Error
    expect(receiveError(structuredClone(sendError('plain text')))).toMatchObject({ message: 'offer build thread: plain text' });
  });
});

describe('a database that cannot be reached, across threads', () => {
  it.each([
    ['a lost connection (node-pg says it in its message only)', new Error('Connection terminated unexpectedly')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['the server shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['no connection within the timeout', new Error('timeout exceeded when trying to connect')],
    ['SQLite busy past busy_timeout', Object.assign(new Error('the SQLite write lock was not free within 5000 ms'), { code: 'SQLITE_BUSY' })],
  ])('%s still reads as the database unavailable (503) on the event loop', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(isDatabaseUnavailable(receiveError(structuredClone(sendError(err))))).toBe(true);
  });

  it('a row the database refused does not', () => {
    const refused = Object.assign(new Error('duplicate key value violates unique constraint "offers_pkey"'), { code: '23505' });
    expect(isDatabaseUnavailable(receiveError(structuredClone(sendError(refused))))).toBe(false);
  });
});

const active: ActiveConfig = demoActiveConfig(caller.partnerId);
const KEY = configKey(active);
const CONFIG: ToBuildThread = { t: 'config', key: KEY, active };

/** a demo travel offer to build; `transactionId` tells it apart */
function build(id: number, transactionId: string, extra: Partial<Build> = {}): Build {
  const body = { ...DEMO_TRAVEL_REQUEST, partner: { ...DEMO_TRAVEL_REQUEST.partner, transaction_id: transactionId } };
  return { t: 'build', id, key: KEY, schemaId: 'travel:v1', request: JSON.stringify(body), caller, query, now: NOW, store: true, ...extra };
}
/** one that fails validation */
function invalid(id: number, transactionId: string): Build {
  return { ...build(id, transactionId), request: JSON.stringify({ ...DEMO_TRAVEL_REQUEST, customer: 'nope', partner: { transaction_id: transactionId } }) };
}
function keyRecord(key: string): OfferKeyRecord {
  return {
    id: newId(),
    partnerId: active.partnerId,
    route: 'create_offer',
    key,
    requestHash: 'a'.repeat(64),
    responseStatus: 201,
    createdAt: NOW,
    expiresAt: new Date('2026-12-03T10:00:00.000Z'),
  };
}
const transactionIdOf = (r: Stored): string => (JSON.parse(r.json) as { partner_transaction_id: string }).partner_transaction_id;

describe('BuildThreadHandler storing offers on SQLite (the migrated schema, the thread’s own connection)', () => {
  let db: MigratedSqlite;
  let ds: DataSource;
  let target: SqliteWriteTarget;
  const storage = (): ToBuildThread => ({ t: 'storage', target: { sqlite: target } });
  const count = (table: string, where?: string, params?: unknown[]) => db.count(table, where, params);

  beforeAll(async () => {
    db = await openMigratedSqlite('build-thread');
    ({ ds, target } = db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('the offers of a batch are committed together, then answered `stored` with the response stored; closing closes the connection and says so', async () => {
    const events: string[] = [];
    // the thread's own connection, its closing recorded
    const open = (t: StoreTarget): Opened => {
      const real = openTransactions(t);
      return {
        engine: real.engine,
        concurrency: real.concurrency,
        run: (statements, options) => real.run(statements, options),
        close: () => {
          events.push('connection closed');
          return real.close();
        },
      };
    };
    const { handler, sent, replies } = handlerWith(new CompiledSchemas(new SchemaValidatorCache()), open);
    handler.handleBatch([CONFIG, storage()]);
    expect(handler.storing).toBe(true);
    handler.handleBatch([build(1, 'A-1'), build(2, 'A-2'), build(3, 'A-3'), build(4, 'A-4'), build(5, 'A-5')]);
    // one transaction for these five, answered once it is committed: one send
    expect(sent).toHaveLength(1);
    expect(replies().map((r) => [r.t, idOf(r)])).toEqual([1, 2, 3, 4, 5].map((id) => ['stored', id]));
    const stored = replies() as Stored[];
    expect(stored.map(transactionIdOf)).toEqual(['A-1', 'A-2', 'A-3', 'A-4', 'A-5']);
    const answered = JSON.parse(stored[0].json) as { id: string; products: Array<{ id: string }> };
    const [row] = await ds.query<Array<Record<string, string>>>(
      'SELECT response, request, partner_transaction_id, status, partner_id FROM offers WHERE id = ?',
      [answered.id],
    );
    expect({ ...row, response: storedText(row.response), request: storedText(row.request) }).toEqual({
      response: stored[0].json,
      request: build(1, 'A-1').request,
      partner_transaction_id: 'A-1',
      status: 'OFFERED',
      partner_id: active.partnerId,
    });
    expect(await count('offers')).toBe(5);
    const quotes = await ds.query<Array<{ id: string }>>('SELECT id FROM quotes WHERE offer_id = ?', [answered.id]);
    expect(quotes.map((q) => q.id).sort()).toEqual(answered.products.map((p) => p.id).sort());
    expect(await count('offer_variants', 'offer_id = ?', [answered.id])).toBe(1);

    // what is not to be stored there comes back with its rows (not the request text: the event loop has it), and is not stored
    sent.length = 0;
    handler.handleBatch([build(6, 'A-6', { store: false })]);
    expect(replies()).toMatchObject([{ t: 'built', id: 6, prepared: { offer: { partnerTransactionId: 'A-6' } } }]);
    expect(replies()[0]).toHaveProperty('prepared.json');
    expect(replies()[0]).not.toHaveProperty('prepared.requestJson');
    expect(await count('offers')).toBe(5);

    sent.length = 0;
    handler.handleBatch([{ t: 'close' }]);
    expect(handler.storing).toBe(false);
    await settle();
    expect(events).toEqual(['connection closed']);
    expect(replies()).toEqual([{ t: 'closed' }]);
    // closed: builds after it are answered with their rows
    handler.handleBatch([build(7, 'A-7')]);
    expect(replies()[1]).toMatchObject({ t: 'built', id: 7 });
    expect(await count('offers')).toBe(5);
  });

  it('an idempotency key’s record is committed with its offer; a key committed elsewhere fails that offer alone (ROW_NOT_CHANGED), nothing of it stored', async () => {
    const { handler, replies } = handlerWith(new CompiledSchemas(new SchemaValidatorCache()));
    handler.handleBatch([CONFIG, storage()]);
    handler.handleBatch([build(1, 'K-0', { keyRecord: keyRecord('K-TAKEN') })]);
    handler.handleBatch([build(2, 'K-1', { keyRecord: keyRecord('K-NEW') }), build(3, 'K-2', { keyRecord: keyRecord('K-TAKEN') }), build(4, 'K-3')]);
    const byId = new Map(replies().map((r) => [idOf(r), r]));
    expect([1, 2, 3, 4].map((id) => byId.get(id)?.t)).toEqual(['stored', 'stored', 'failed', 'stored']);
    expect(byId.get(3)).toMatchObject({ error: { domain: false, code: ROW_NOT_CHANGED } });
    expect(await count('offers', 'partner_transaction_id = ?', ['K-2'])).toBe(0);
    const records = await ds.query<Array<Record<string, string>>>(
      `SELECT key, state, response_body FROM idempotency_records WHERE key IN ('K-TAKEN', 'K-NEW') ORDER BY key`,
    );
    expect(records).toEqual([
      { key: 'K-NEW', state: 'done', response_body: (byId.get(2) as Stored).json },
      { key: 'K-TAKEN', state: 'done', response_body: (byId.get(1) as Stored).json },
    ]);
    handler.handleBatch([{ t: 'close' }]);
    await settle();
  });

  it('a rehearsal is built, inserted and rolled back: answered with its response, nothing kept', async () => {
    const { handler, replies } = handlerWith(new CompiledSchemas(new SchemaValidatorCache()));
    handler.handleBatch([CONFIG, storage()]);
    handler.handleBatch([build(1, 'W-1', { rehearsal: true, keyRecord: keyRecord('K-REHEARSED') })]);
    expect(replies()).toMatchObject([{ t: 'stored', id: 1 }]);
    expect(transactionIdOf(replies()[0] as Stored)).toBe('W-1');
    expect(await count('offers', 'partner_transaction_id = ?', ['W-1'])).toBe(0);
    expect(await count('idempotency_records', 'key = ?', ['K-REHEARSED'])).toBe(0);
    handler.handleBatch([{ t: 'close' }]);
    await settle();
  });
});

/** A thread's transactions as the test sees them: what each run held, and whether they were closed. */
function recordingSqlite(fail?: (statements: readonly SqlStatement[]) => Error | undefined) {
  const runs: SqlStatement[][] = [];
  const events: string[] = [];
  const transactions: Opened = {
    engine: 'sqlite',
    concurrency: 1,
    run: (statements) => {
      const error = fail?.(statements);
      if (error) throw error;
      runs.push([...statements]);
      events.push(`commit ${statements.filter((s) => s.sql.includes('INSERT INTO offers')).length}`);
    },
    close: () => void events.push('closed'),
  };
  return { transactions, runs, events };
}
const sqliteTarget: StoreTarget = { sqlite: { path: '/unused', synchronous: 1, foreignKeys: true, busyTimeoutMs: 100, lock: new SharedArrayBuffer(8) } };
/** the partner transaction ids of the offers stored by SQLite statements */
const sqliteOffersIn = (statements: readonly SqlStatement[]): string[] =>
  statements.filter((s) => s.sql.includes('INSERT INTO offers')).map((s) => (s.params[0] as { partner_transaction_id: string }).partner_transaction_id);

describe('BuildThreadHandler storing offers (synchronous transactions)', () => {
  it('a large batch is committed and answered in groups of eight, each once committed', () => {
    const { transactions, events } = recordingSqlite();
    const handler = new BuildThreadHandler(
      new CompiledSchemas(new SchemaValidatorCache()),
      (replies) => void events.push(`send ${replies.map((r) => (r.t === 'stored' ? r.id : r.t)).join(',')}`),
      () => transactions,
    );
    handler.handleBatch([CONFIG, { t: 'storage', target: sqliteTarget }]);
    handler.handleBatch(Array.from({ length: 19 }, (_, i) => build(i + 1, `G-${i + 1}`)));
    expect(events).toEqual(['commit 8', 'send 1,2,3,4,5,6,7,8', 'commit 8', 'send 9,10,11,12,13,14,15,16', 'commit 3', 'send 17,18,19']);
  });

  it('a request that fails validation is answered with its error and nothing is written for it', () => {
    const { transactions, runs } = recordingSqlite();
    const { handler, replies } = handlerWith(new CompiledSchemas(new SchemaValidatorCache()), () => transactions);
    handler.handleBatch([CONFIG, { t: 'storage', target: sqliteTarget }]);
    handler.handleBatch([invalid(1, 'X'), build(2, 'Y')]);
    expect(replies().find((r) => idOf(r) === 1)).toMatchObject({ t: 'failed', error: { domain: true, code: 'offer_validation_error' } });
    expect(replies().find((r) => idOf(r) === 2)).toMatchObject({ t: 'stored' });
    // one transaction, holding only the good offer
    expect(runs.map(sqliteOffersIn)).toEqual([['Y']]);
    expect(JSON.stringify(runs)).not.toContain('nope');
  });

  it('a transaction that fails on one offer’s rows is retried offer by offer: only the bad one fails, with the driver’s code', () => {
    const attempts: string[][] = [];
    const { transactions } = recordingSqlite((s) => {
      attempts.push(sqliteOffersIn(s));
      return sqliteOffersIn(s).includes('BAD')
        ? Object.assign(new Error('UNIQUE constraint failed: offers.id'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })
        : undefined;
    });
    const { handler, replies } = handlerWith(new CompiledSchemas(new SchemaValidatorCache()), () => transactions);
    handler.handleBatch([CONFIG, { t: 'storage', target: sqliteTarget }]);
    handler.handleBatch([build(1, 'OK-1'), build(2, 'BAD'), build(3, 'OK-3')]);
    expect(attempts).toEqual([['OK-1', 'BAD', 'OK-3'], ['OK-1'], ['BAD'], ['OK-3']]);
    expect(replies().map((r) => [r.t, idOf(r)])).toEqual([
      ['stored', 1],
      ['failed', 2],
      ['stored', 3],
    ]);
    expect(replies()[1]).toMatchObject({ error: { domain: false, code: 'SQLITE_CONSTRAINT_PRIMARYKEY', message: 'UNIQUE constraint failed: offers.id' } });
  });

  it('a thread that cannot open the database answers with the rows, for the event loop to store', () => {
    const { handler, replies } = handlerWith(new CompiledSchemas(new SchemaValidatorCache()), () => {
      throw new Error('unable to open database file');
    });
    handler.handleBatch([CONFIG, { t: 'storage', target: sqliteTarget }]);
    expect(handler.storing).toBe(false);
    handler.handleBatch([build(1, 'Z', { keyRecord: keyRecord('K-Z') })]);
    expect(replies()).toMatchObject([{ t: 'built', id: 1, prepared: { offer: { partnerTransactionId: 'Z' } } }]);
  });

  it('without a `storage` message, `store` builds are answered with their rows; `storage` is opened once', () => {
    const opened: StoreTarget[] = [];
    const { transactions, runs } = recordingSqlite();
    const { handler, replies } = handlerWith(new CompiledSchemas(new SchemaValidatorCache()), (t) => {
      opened.push(t);
      return transactions;
    });
    handler.handleBatch([CONFIG, build(1, 'N-1')]);
    expect(replies()).toMatchObject([{ t: 'built', id: 1 }]);
    handler.handleBatch([{ t: 'storage', target: sqliteTarget }, { t: 'storage', target: sqliteTarget }, build(2, 'N-2')]);
    expect(opened).toHaveLength(1);
    expect(replies()[1]).toMatchObject({ t: 'stored', id: 2 });
    expect(runs.map(sqliteOffersIn)).toEqual([['N-2']]);
  });

  it('close without storage: answered `closed` at once', () => {
    const { handler, replies } = handlerWith(new CompiledSchemas(new SchemaValidatorCache()));
    handler.handleBatch([{ t: 'close' }]);
    expect(replies()).toEqual([{ t: 'closed' }]);
  });
});

describe('BuildThreadHandler storing offers on asynchronous transactions (PostgreSQL, in the thread)', () => {
  /** transactions that finish when the test says: each run waits for its `finish` */
  function pending(concurrency: number) {
    const runs: Array<{ statements: SqlStatement[]; finish: (error?: Error) => void }> = [];
    const events: string[] = [];
    const transactions: Opened & OfferTransactions = {
      engine: 'postgres',
      concurrency,
      run: (statements) =>
        new Promise<void>((resolve, reject) => {
          runs.push({ statements: [...statements], finish: (error) => (error ? reject(error) : resolve()) });
        }),
      close: () => {
        events.push('connections closed');
        return Promise.resolve();
      },
    };
    return { transactions, runs, events };
  }
  const pgTarget: StoreTarget = { postgres: { url: 'postgres://unused', max: 1, connectionTimeoutMillis: 100, namedStatements: true } };
  /** the partner transaction ids in a transaction's POSTGRES_INSERT_OFFERS ($1: the offers' rows as JSON) */
  const offersIn = (r: { statements: SqlStatement[] }): string[] =>
    (JSON.parse(r.statements[0].params[0] as string) as Array<{ partner_transaction_id: string }>).map((o) => o.partner_transaction_id);
  function storingHandler(transactions: Opened) {
    const h = handlerWith(new CompiledSchemas(new SchemaValidatorCache()), () => transactions);
    h.handler.handleBatch([CONFIG, { t: 'storage', target: pgTarget }]);
    return h;
  }

  it('answers once committed; what is built while every connection is busy goes in one transaction when one is free', async () => {
    const { transactions, runs } = pending(1);
    const { handler, replies } = storingHandler(transactions);
    handler.handleBatch([build(1, 'A-1'), build(2, 'A-2'), build(3, 'A-3')]);
    expect(runs.map(offersIn)).toEqual([['A-1', 'A-2', 'A-3']]);
    // nothing answered before the commit
    await settle();
    expect(replies()).toEqual([]);
    // two more batches while the only connection is busy: they wait, together
    handler.handleBatch([build(4, 'B-4'), build(5, 'B-5')]);
    handler.handleBatch([build(6, 'B-6')]);
    expect(runs).toHaveLength(1);
    runs[0].finish();
    await settle();
    expect(replies().map((r) => [r.t, idOf(r)])).toEqual([
      ['stored', 1],
      ['stored', 2],
      ['stored', 3],
    ]);
    expect(runs.map(offersIn)).toEqual([
      ['A-1', 'A-2', 'A-3'],
      ['B-4', 'B-5', 'B-6'],
    ]);
    runs[1].finish();
    await settle();
    expect((replies() as Stored[]).map(transactionIdOf)).toEqual(['A-1', 'A-2', 'A-3', 'B-4', 'B-5', 'B-6']);
  });

  it('runs up to `concurrency` transactions at once', async () => {
    const { transactions, runs } = pending(2);
    const { handler, replies } = storingHandler(transactions);
    handler.handleBatch([build(1, 'C-1')]);
    handler.handleBatch([build(2, 'C-2')]);
    handler.handleBatch([build(3, 'C-3')]);
    expect(runs.map(offersIn)).toEqual([['C-1'], ['C-2']]);
    runs[1].finish();
    await settle();
    expect(replies().map(idOf)).toEqual([2]);
    expect(runs.map(offersIn)).toEqual([['C-1'], ['C-2'], ['C-3']]);
    runs[0].finish();
    runs[2].finish();
    await settle();
    expect(replies().map(idOf)).toEqual([2, 1, 3]);
  });

  it('a database that cannot be reached fails the whole transaction at once, without a retry per offer', async () => {
    const { transactions, runs } = pending(1);
    const { handler, replies } = storingHandler(transactions);
    handler.handleBatch([build(1, 'D-1'), build(2, 'D-2'), build(3, 'D-3')]);
    runs[0].finish(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    await settle();
    expect(runs).toHaveLength(1);
    expect(replies().map((r) => [r.t, idOf(r)])).toEqual([
      ['failed', 1],
      ['failed', 2],
      ['failed', 3],
    ]);
    expect(replies()[0]).toMatchObject({ error: { domain: false, code: 'ECONNREFUSED' } });
    expect(isDatabaseUnavailable(receiveError((replies()[0] as Extract<FromBuildThread, { t: 'failed' }>).error))).toBe(true);
  });

  it('rows the database refused (SQLSTATE 22, 23, or a key committed elsewhere): each offer tried alone, only the bad one fails', async () => {
    for (const code of ['23505', '22001', ROW_NOT_CHANGED]) {
      const { transactions, runs } = pending(1);
      const { handler, replies } = storingHandler(transactions);
      handler.handleBatch([build(1, 'E-1'), build(2, 'EBAD-2'), build(3, 'E-3')]);
      runs[0].finish(Object.assign(new Error('refused'), { code }));
      for (let i = 1; i <= 3; i++) {
        await settle();
        expect(runs).toHaveLength(i + 1);
        const [id] = offersIn(runs[i]);
        runs[i].finish(id === 'EBAD-2' ? Object.assign(new Error('refused'), { code }) : undefined);
      }
      await settle();
      expect(replies().map((r) => [r.t, idOf(r)])).toEqual([
        ['stored', 1],
        ['failed', 2],
        ['stored', 3],
      ]);
      expect(replies()[1]).toMatchObject({ error: { code } });
    }
  });

  it('close: answered `closed` after the transactions under way are committed and answered, and the connections closed', async () => {
    const { transactions, runs, events } = pending(1);
    const { handler, replies } = storingHandler(transactions);
    handler.handleBatch([build(1, 'F-1')]);
    handler.handleBatch([build(2, 'F-2'), { t: 'close' }]);
    // builds after close are not stored here: answered with their rows
    handler.handleBatch([build(3, 'F-3')]);
    expect(replies().map((r) => r.t)).toEqual(['built']);
    await settle();
    expect(replies().map((r) => r.t)).toEqual(['built']);
    expect(events).toEqual([]);
    runs[0].finish();
    await settle();
    // F-2, queued before the close, is still stored
    expect(runs.map(offersIn)).toEqual([['F-1'], ['F-2']]);
    expect(events).toEqual([]);
    runs[1].finish();
    await settle();
    expect(events).toEqual(['connections closed']);
    expect(replies().map((r) => [r.t, idOf(r)])).toEqual([
      ['built', 3],
      ['stored', 1],
      ['stored', 2],
      ['closed', null],
    ]);
    expect(handler.storing).toBe(false);
  });
});
