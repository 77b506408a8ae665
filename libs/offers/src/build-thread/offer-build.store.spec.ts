import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { ActiveConfig } from '@app/bundles';
import { portableInsertPlan, SqliteWriteLock, type SqliteWriteTarget, type SqlStatement } from '@app/database';
import { DEFAULT_RATE_LIMITS } from '@app/bundles';
import { SchemaValidatorCache } from '@app/schemas';
import { DEMO_BUNDLE, DEMO_TRAVEL_REQUEST } from '../../../../apps/api/src/seed/demo-bundle';
import { CompiledSchemas } from '../compiled-schemas';
import { OfferVariantEntity } from '../entities/offer-variant.entity';
import { OfferEntity } from '../entities/offer.entity';
import { QuoteEntity } from '../entities/quote.entity';
import type { OfferInsertPlans } from '../offer-rows';
import { OfferBuildHost, type OfferStore } from './offer-build.host';
import { configKey, type FromBuildThread, type ToBuildThread } from './offer-build.protocol';

const active: ActiveConfig = {
  partnerId: '00000000-0000-4000-8000-000000000001',
  partnerCode: DEMO_BUNDLE.partner.code,
  version: 1,
  defaultSchema: DEMO_BUNDLE.partner.default_schema ?? null,
  rateLimits: DEFAULT_RATE_LIMITS,
  schemas: DEMO_BUNDLE.schemas,
  configs: DEMO_BUNDLE.offer_configs,
};
const KEY = configKey(active);

function build(id: number, transactionId: string, store = true): ToBuildThread {
  const body = { ...DEMO_TRAVEL_REQUEST, partner: { ...(DEMO_TRAVEL_REQUEST as { partner?: object }).partner, transaction_id: transactionId } };
  return {
    t: 'build',
    id,
    key: KEY,
    request: JSON.stringify(body),
    caller: { keyId: '00000000-0000-4000-8000-0000000000aa', partnerId: active.partnerId, partnerCode: active.partnerCode, mode: 'test' },
    query: { includeContent: true, extraFields: new Set<string>(), excludeOfferIds: [], activeOnly: false },
    now: new Date(),
    store,
  };
}

/** every reply the host sent for a batch, and how many sends it took */
function run(host: OfferBuildHost, batch: ToBuildThread[]): { replies: FromBuildThread[]; sends: number } {
  const replies: FromBuildThread[] = [];
  let sends = 0;
  host.handleBatch(batch, (r) => {
    sends++;
    replies.push(...r);
  });
  return { replies, sends };
}

describe('OfferBuildHost storing offers (SQLite, in the thread)', () => {
  let dir: string;
  let ds: DataSource;
  let plans: OfferInsertPlans;
  let target: SqliteWriteTarget;
  const count = async (table: string) => Number(((await ds.query(`SELECT COUNT(*) AS n FROM ${table}`)) as Array<{ n: number }>)[0].n);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'offer-store-'));
    const path = join(dir, 'offers.sqlite');
    ds = new DataSource({ type: 'better-sqlite3', database: path, entities: [OfferEntity, QuoteEntity, OfferVariantEntity], synchronize: true, enableWAL: true });
    await ds.initialize();
    plans = { offers: portableInsertPlan(ds, OfferEntity)!, quotes: portableInsertPlan(ds, QuoteEntity)!, variants: portableInsertPlan(ds, OfferVariantEntity)! };
    target = { path, synchronous: 1, foreignKeys: false, busyTimeoutMs: 2000, lock: new SqliteWriteLock().buffer };
  });
  afterAll(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the offers of a batch are committed together, then answered `stored` with the response stored', async () => {
    const host = new OfferBuildHost(new CompiledSchemas(new SchemaValidatorCache()));
    run(host, [{ t: 'config', key: KEY, active }, { t: 'storage', target: { sqlite: target }, plans }]);
    expect(host.storing).toBe(true);
    const { replies, sends } = run(host, [build(1, 'A-1'), build(2, 'A-2'), build(3, 'A-3'), build(4, 'A-4'), build(5, 'A-5')]);
    // one transaction for these five, answered once it is committed (not four, then one)
    expect(sends).toBe(1);
    expect(replies.map((r) => r.t)).toEqual(['stored', 'stored', 'stored', 'stored', 'stored']);
    const first = replies[0] as Extract<FromBuildThread, { t: 'stored' }>;
    const answered = JSON.parse(first.json) as { id: string; quotes?: unknown; products: Array<{ id: string }> };
    const [row] = (await ds.query('SELECT response, request, partner_transaction_id, status, partner_id FROM offers WHERE id = ?', [answered.id])) as Array<Record<string, string>>;
    expect(row.response).toBe(first.json);
    expect(JSON.parse(row.request).partner.transaction_id).toBe('A-1');
    expect(row).toMatchObject({ partner_transaction_id: 'A-1', status: 'OFFERED', partner_id: active.partnerId });
    expect(await count('offers')).toBe(5);
    const quotes = (await ds.query('SELECT id, offer_id FROM quotes WHERE offer_id = ?', [answered.id])) as Array<{ id: string }>;
    expect(quotes.map((q) => q.id).sort()).toEqual(answered.products.map((p) => p.id).sort());
    expect(await count('offer_variants')).toBeGreaterThanOrEqual(5);
    // what is not to be stored there comes back with its rows, and is not stored
    const rows = run(host, [build(6, 'A-6', false)]).replies;
    expect(rows).toMatchObject([{ t: 'built', id: 6 }]);
    expect(await count('offers')).toBe(5);
    // closing: the connection is closed and said so
    expect(run(host, [{ t: 'close' }]).replies).toEqual([{ t: 'closed' }]);
    expect(host.storing).toBe(false);
  });

  it('a batch that fails is retried offer by offer: only the bad one fails, with its driver code', async () => {
    const statements: SqlStatement[][] = [];
    const store: OfferStore = {
      run: (s) => {
        statements.push([...s]);
        if (s.some((x) => x.params.some((p) => typeof p === 'string' && p.includes('"BAD"')))) {
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        }
      },
      close: () => undefined,
    };
    const host = new OfferBuildHost(new CompiledSchemas(new SchemaValidatorCache()), () => store);
    run(host, [{ t: 'config', key: KEY, active }, { t: 'storage', target: { sqlite: target }, plans }]);
    const { replies } = run(host, [build(1, 'OK-1'), build(2, 'BAD'), build(3, 'OK-3')]);
    expect(statements).toHaveLength(4);
    expect(replies.map((r) => [r.t, 'id' in r ? r.id : null])).toEqual([
      ['stored', 1],
      ['failed', 2],
      ['stored', 3],
    ]);
    expect(replies[1]).toMatchObject({ error: { domain: false, code: 'SQLITE_IOERR', message: 'disk I/O error' } });
  });

  it("an offer's `also` statement commits in the offer's transaction, with the response text in its place; a failed offer's does not", async () => {
    await ds.query('CREATE TABLE IF NOT EXISTS completions (tag TEXT, body TEXT)');
    const host = new OfferBuildHost(new CompiledSchemas(new SchemaValidatorCache()));
    run(host, [{ t: 'config', key: KEY, active }, { t: 'storage', target: { sqlite: target }, plans }]);
    const also = (tag: string) => ({ statement: { sql: 'INSERT INTO completions (body, tag) VALUES (?, ?)', params: [null, tag] }, responseParam: 0 });
    const bad = { ...build(2, 'X'), request: JSON.stringify({ ...DEMO_TRAVEL_REQUEST, customer: 'nope' }), also: also('C-2') } as ToBuildThread;
    const { replies } = run(host, [{ ...build(1, 'C-1'), also: also('C-1') } as ToBuildThread, bad, build(3, 'C-3')]);
    const byId = new Map(replies.map((r) => ['id' in r ? r.id : 0, r]));
    expect([1, 2, 3].map((id) => byId.get(id)?.t)).toEqual(['stored', 'failed', 'stored']);
    const stored = byId.get(1) as Extract<FromBuildThread, { t: 'stored' }>;
    expect(await ds.query('SELECT tag, body FROM completions ORDER BY tag')).toEqual([{ tag: 'C-1', body: stored.json }]);
    // committed with its offer: the offer row holds the same text
    const [offer] = (await ds.query('SELECT response FROM offers WHERE id = ?', [(JSON.parse(stored.json) as { id: string }).id])) as Array<{ response: string }>;
    expect(offer.response).toBe(stored.json);
    run(host, [{ t: 'close' }]);
  });

  it('a batch that fails is retried offer by offer with each offer’s `also`: none is committed with another offer', () => {
    const committed: SqlStatement[][] = [];
    const store: OfferStore = {
      run: (s) => {
        if (s.some((x) => x.params.some((p) => typeof p === 'string' && p.includes('"BAD"')))) throw new Error('constraint failed');
        committed.push([...s]);
      },
      close: () => undefined,
    };
    const host = new OfferBuildHost(new CompiledSchemas(new SchemaValidatorCache()), () => store);
    run(host, [{ t: 'config', key: KEY, active }, { t: 'storage', target: { sqlite: target }, plans }]);
    const also = (tag: string) => ({ statement: { sql: 'UPDATE completions SET body = ? WHERE tag = ?', params: [null, tag] }, responseParam: 0 });
    const { replies } = run(host, [{ ...build(1, 'OK-1'), also: also('T-1') } as ToBuildThread, { ...build(2, 'BAD'), also: also('T-2') } as ToBuildThread]);
    expect(replies.map((r) => r.t)).toEqual(['stored', 'failed']);
    expect(committed).toHaveLength(1);
    const updates = committed[0].filter((x) => x.sql.startsWith('UPDATE completions'));
    expect(updates).toEqual([{ sql: 'UPDATE completions SET body = ? WHERE tag = ?', params: [(replies[0] as Extract<FromBuildThread, { t: 'stored' }>).json, 'T-1'] }]);
  });

  it('a large batch is committed and answered in groups of eight, each once committed', () => {
    const events: string[] = [];
    const store: OfferStore = { run: (s) => void events.push(`commit ${s[0].params.length > 0 ? 'offers' : ''}`), close: () => undefined };
    const host = new OfferBuildHost(new CompiledSchemas(new SchemaValidatorCache()), () => store);
    run(host, [{ t: 'config', key: KEY, active }, { t: 'storage', target: { sqlite: target }, plans }]);
    host.handleBatch(
      Array.from({ length: 19 }, (_, i) => build(i + 1, `G-${i}`)),
      (replies) => events.push(`send ${replies.map((r) => ('id' in r ? r.id : '')).join(',')}`),
    );
    expect(events).toEqual([
      'commit offers',
      'send 1,2,3,4,5,6,7,8',
      'commit offers',
      'send 9,10,11,12,13,14,15,16',
      'commit offers',
      'send 17,18,19',
    ]);
  });

  it('a request that fails validation is answered with its error and nothing is written for it', () => {
    const statements: SqlStatement[][] = [];
    const host = new OfferBuildHost(new CompiledSchemas(new SchemaValidatorCache()), () => ({ run: (s) => void statements.push([...s]), close: () => undefined }));
    run(host, [{ t: 'config', key: KEY, active }, { t: 'storage', target: { sqlite: target }, plans }]);
    const bad = { ...build(1, 'X'), request: JSON.stringify({ ...DEMO_TRAVEL_REQUEST, customer: 'nope' }) } as ToBuildThread;
    const { replies } = run(host, [bad, build(2, 'Y')]);
    expect(replies.find((r) => 'id' in r && r.id === 1)).toMatchObject({ t: 'failed', error: { domain: true, code: 'offer_validation_error' } });
    expect(replies.find((r) => 'id' in r && r.id === 2)).toMatchObject({ t: 'stored' });
    // one transaction, holding only the good offer
    expect(statements).toHaveLength(1);
    expect(JSON.stringify(statements[0])).toContain('\\"Y\\"');
    expect(JSON.stringify(statements[0])).not.toContain('\\"X\\"');
  });

  it('a thread that cannot open the database answers with the rows, for the event loop to store', () => {
    const host = new OfferBuildHost(new CompiledSchemas(new SchemaValidatorCache()), () => {
      throw new Error('unable to open database file');
    });
    run(host, [{ t: 'config', key: KEY, active }, { t: 'storage', target: { sqlite: target }, plans }]);
    expect(host.storing).toBe(false);
    expect(run(host, [build(1, 'Z')]).replies).toMatchObject([{ t: 'built', id: 1, prepared: { offer: { partnerTransactionId: 'Z' } } }]);
  });
});

describe('OfferBuildHost storing offers on an asynchronous store (PostgreSQL, in the thread)', () => {
  /** a store whose transactions finish when the test says: each run waits for `finish` */
  function pendingStore(concurrency: number) {
    const runs: Array<{ statements: SqlStatement[]; finish: (error?: Error) => void }> = [];
    const events: string[] = [];
    const store: OfferStore = {
      concurrency,
      run: (statements) =>
        new Promise<void>((resolve, reject) => {
          runs.push({ statements: [...statements], finish: (error) => (error ? reject(error) : resolve()) });
        }),
      close: () => {
        events.push('store closed');
        return Promise.resolve();
      },
    };
    return { store, runs, events };
  }
  /** the offers' partner transaction ids in a transaction's INSERT INTO offers */
  const transactionIds = (statements: SqlStatement[]): string[] =>
    statements[0].params.filter((p): p is string => typeof p === 'string' && /^[A-Z]+-\d+$/.test(p));
  const settle = () => new Promise((r) => setImmediate(r));
  // plans and target are not used by a fake store; the SQLite plans build the statements
  let dir: string;
  let ds: DataSource;
  let plans: OfferInsertPlans;
  const target = { postgres: { url: 'postgres://unused', max: 1, connectionTimeoutMillis: 100, namedStatements: true } };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'offer-store-async-'));
    ds = new DataSource({ type: 'better-sqlite3', database: join(dir, 'plans.sqlite'), entities: [OfferEntity, QuoteEntity, OfferVariantEntity], synchronize: true });
    await ds.initialize();
    plans = { offers: portableInsertPlan(ds, OfferEntity)!, quotes: portableInsertPlan(ds, QuoteEntity)!, variants: portableInsertPlan(ds, OfferVariantEntity)! };
  });
  afterAll(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  function hostWith(store: OfferStore) {
    const host = new OfferBuildHost(new CompiledSchemas(new SchemaValidatorCache()), () => store);
    const sent: FromBuildThread[][] = [];
    const send = (r: FromBuildThread[]) => void sent.push(r);
    host.handleBatch([{ t: 'config', key: KEY, active }, { t: 'storage', target, plans }], send);
    return { host, sent, send };
  }

  it('answers once committed; what is built while every connection is busy goes in one transaction when one is free', async () => {
    const { store, runs } = pendingStore(1);
    const { host, sent, send } = hostWith(store);
    host.handleBatch([build(1, 'A-1'), build(2, 'A-2'), build(3, 'A-3')], send);
    expect(runs).toHaveLength(1);
    expect(transactionIds(runs[0].statements)).toEqual(['A-1', 'A-2', 'A-3']);
    // nothing answered before the commit
    expect(sent.flat().filter((r) => r.t !== 'ack')).toEqual([]);
    // two more batches while the only connection is busy: they wait, together
    host.handleBatch([build(4, 'B-4'), build(5, 'B-5')], send);
    host.handleBatch([build(6, 'B-6')], send);
    expect(runs).toHaveLength(1);
    runs[0].finish();
    await settle();
    expect(sent.at(-1)?.map((r) => [r.t, 'id' in r ? r.id : 0])).toEqual([
      ['stored', 1],
      ['stored', 2],
      ['stored', 3],
    ]);
    expect(runs).toHaveLength(2);
    expect(transactionIds(runs[1].statements)).toEqual(['B-4', 'B-5', 'B-6']);
    runs[1].finish();
    await settle();
    expect(sent.at(-1)?.map((r) => r.t)).toEqual(['stored', 'stored', 'stored']);
    const stored = sent.flat().filter((r): r is Extract<FromBuildThread, { t: 'stored' }> => r.t === 'stored');
    expect(stored.map((r) => JSON.parse(r.json).partner_transaction_id)).toEqual(['A-1', 'A-2', 'A-3', 'B-4', 'B-5', 'B-6']);
  });

  it('runs up to `concurrency` transactions at once', async () => {
    const { store, runs } = pendingStore(2);
    const { host, send } = hostWith(store);
    host.handleBatch([build(1, 'C-1')], send);
    host.handleBatch([build(2, 'C-2')], send);
    host.handleBatch([build(3, 'C-3')], send);
    expect(runs.map((r) => transactionIds(r.statements))).toEqual([['C-1'], ['C-2']]);
    runs[1].finish();
    await settle();
    expect(runs.map((r) => transactionIds(r.statements))).toEqual([['C-1'], ['C-2'], ['C-3']]);
    runs[0].finish();
    runs[2].finish();
    await settle();
  });

  it('a database that cannot be reached fails the whole transaction at once, without a retry per offer', async () => {
    const { store, runs } = pendingStore(1);
    const { host, sent, send } = hostWith(store);
    host.handleBatch([build(1, 'D-1'), build(2, 'D-2'), build(3, 'D-3')], send);
    runs[0].finish(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    await settle();
    expect(runs).toHaveLength(1);
    const failed = sent.flat().filter((r) => r.t === 'failed');
    expect(failed.map((r) => ('id' in r ? r.id : 0))).toEqual([1, 2, 3]);
    expect(failed[0]).toMatchObject({ error: { domain: false, code: 'ECONNREFUSED' } });
  });

  it('rows the database refused (SQLSTATE 22, 23, or a key committed elsewhere): each offer tried alone, only the bad one fails', async () => {
    for (const code of ['23505', '22001', 'ROW_NOT_CHANGED']) {
      const { store, runs } = pendingStore(1);
      const { host, sent, send } = hostWith(store);
      host.handleBatch([build(1, 'E-1'), build(2, 'EBAD-2'), build(3, 'E-3')], send);
      runs[0].finish(Object.assign(new Error('refused'), { code }));
      for (let i = 1; i <= 3; i++) {
        await settle();
        expect(runs).toHaveLength(i + 1);
        const ids = transactionIds(runs[i].statements);
        runs[i].finish(ids[0] === 'EBAD-2' ? Object.assign(new Error('refused'), { code }) : undefined);
      }
      await settle();
      expect(sent.flat().filter((r) => r.t !== 'ack').map((r) => [r.t, 'id' in r ? r.id : 0])).toEqual([
        ['stored', 1],
        ['failed', 2],
        ['stored', 3],
      ]);
    }
  });

  it('close: answered `closed` after the transactions under way are committed and answered, and the store is closed', async () => {
    const { store, runs, events } = pendingStore(1);
    const { host, sent, send } = hostWith(store);
    host.handleBatch([build(1, 'F-1')], send);
    host.handleBatch([build(2, 'F-2'), { t: 'close' }], send);
    // builds after close are not stored here: answered with their rows
    host.handleBatch([build(3, 'F-3')], send);
    expect(sent.flat().map((r) => r.t)).toEqual(['built']);
    await settle();
    expect(sent.flat().map((r) => r.t)).toEqual(['built']);
    runs[0].finish();
    await settle();
    runs[1].finish();
    await settle();
    expect(events).toEqual(['store closed']);
    expect(sent.flat().map((r) => [r.t, 'id' in r ? r.id : 0])).toEqual([
      ['built', 3],
      ['stored', 1],
      ['stored', 2],
      ['closed', 0],
    ]);
    expect(host.storing).toBe(false);
  });
});
