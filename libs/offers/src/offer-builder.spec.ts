import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DEFAULT_RATE_LIMITS, type ActiveConfig } from '@app/bundles';
import { DomainError, newId } from '@app/core';
import { buildDataSourceOptions, ROW_NOT_CHANGED, TransactionRunner } from '@app/database';
import { SchemaValidatorCache } from '@app/schemas';
import { ALL_ENTITIES } from '../../../apps/api/src/entities';
import { DEMO_TRAVEL_REQUEST } from '../../../apps/api/src/seed/demo-bundle';
import { demoActiveConfig } from '../../../test/support/demo-config';
import { CompiledSchemas } from './compiled-schemas';
import { OfferBuilder, type OfferRequest } from './offer-builder';
import type { OfferKeyRecord } from './storage/offer-insert.sql';
import { storedText } from '../../../test/support/stored-json';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const caller = { keyId: '00000000-0000-4000-8000-0000000000aa', partnerId: '00000000-0000-4000-8000-000000000001', partnerCode: 'DEMO', mode: 'live' as const };
const query = { includeContent: true, extraFields: new Set<string>(), excludeOfferIds: [], activeOnly: false };

/** the demo partner: its travel request is offered cover */
const demo: ActiveConfig = demoActiveConfig(caller.partnerId);
function travel(transactionId: string): OfferRequest {
  return { body: { ...DEMO_TRAVEL_REQUEST, partner: { ...DEMO_TRAVEL_REQUEST.partner, transaction_id: transactionId } }, caller, query, now: NOW };
}

/** a partner with a schema and no offer configuration: every request is answered offer_not_found */
const empty: ActiveConfig = {
  partnerId: 'p1',
  partnerCode: 'P1',
  version: 1,
  defaultSchema: null,
  rateLimits: DEFAULT_RATE_LIMITS,
  schemas: [{ id: 's:v1', json_schema: { type: 'object' } }],
  configs: [],
};
const nothingFor = (): OfferRequest => ({ body: { schema: 's:v1', customer: { currency: 'AUD', country: 'AU' }, context: {} }, caller: { ...caller, partnerId: 'p1', partnerCode: 'P1' }, query, now: NOW });

function keyRecord(key: string): OfferKeyRecord {
  return { id: newId(), partnerId: demo.partnerId, route: 'create_offer', key, requestHash: 'b'.repeat(64), responseStatus: 201, createdAt: NOW, expiresAt: new Date('2026-12-03T10:00:00.000Z') };
}

/** A migrated SQLite database (a file, or in memory) and its TransactionRunner, bootstrapped as the app does. */
async function database(sqlitePath: string): Promise<{ ds: DataSource; tx: TransactionRunner }> {
  const options = buildDataSourceOptions({ databaseUrl: undefined, sqlitePath, sqliteSynchronous: 'NORMAL' }, ALL_ENTITIES);
  const ds = new DataSource({ ...options, migrationsRun: true });
  await ds.initialize();
  const tx = new TransactionRunner(ds);
  await tx.onApplicationBootstrap();
  return { ds, tx };
}

async function storedResponses(ds: DataSource, where = '1 = 1', params: unknown[] = []): Promise<Map<string, string>> {
  const rows = (await ds.query(`SELECT partner_transaction_id AS t, response FROM offers WHERE ${where}`, params)) as Array<{ t: string; response: string | Buffer }>;
  return new Map(rows.map((r) => [r.t, storedText(r.response)]));
}
const countWhere = async (ds: DataSource, table: string, where: string, params: unknown[]) =>
  Number(((await ds.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params)) as Array<{ n: number }>)[0].n);

describe('OfferBuilder', () => {
  let dir: string;
  let ds: DataSource;
  let tx: TransactionRunner;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'offer-builder-'));
    ({ ds, tx } = await database(join(dir, 'offers.sqlite')));
  });
  afterAll(async () => {
    await tx.onApplicationShutdown();
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => jest.restoreAllMocks());

  describe('with no thread: builds and stores on the event loop', () => {
    it('the same domain errors as Create Offer', async () => {
      const builder = new OfferBuilder(new CompiledSchemas(new SchemaValidatorCache()), { offerBuildThreads: 0 }, tx);
      expect(builder.threadCount).toBe(0);
      expect(builder.storesInThreads).toBe(false);
      await expect(builder.create(empty, nothingFor())).rejects.toMatchObject({ kind: 'not_found', code: 'offer_not_found' });
      await expect(builder.create(empty, { ...nothingFor(), body: { schema: 'nope:v1' } })).rejects.toMatchObject({ code: 'offer_validation_schema_not_found' });
      await expect(builder.create(empty, { ...nothingFor(), body: [] })).rejects.toMatchObject({ code: 'offer_validation_error' });
    });

    it('the offers created in one turn of the event loop are committed in one transaction, each answered with the response stored', async () => {
      const builder = new OfferBuilder(new CompiledSchemas(new SchemaValidatorCache()), { offerBuildThreads: 0 }, tx);
      const statements = jest.spyOn(tx, 'runStatements');
      const answers = await Promise.all(['L-1', 'L-2', 'L-3'].map((t) => builder.create(demo, travel(t))));
      expect(statements).toHaveBeenCalledTimes(1);
      const stored = await storedResponses(ds, `partner_transaction_id LIKE 'L-%'`);
      expect(answers.map((json) => (JSON.parse(json) as { partner_transaction_id: string }).partner_transaction_id)).toEqual(['L-1', 'L-2', 'L-3']);
      expect(['L-1', 'L-2', 'L-3'].map((t) => stored.get(t))).toEqual(answers);
    });

    it('an idempotency key’s record is committed with the offer; a key committed first fails the offer (ROW_NOT_CHANGED), nothing of it stored', async () => {
      const builder = new OfferBuilder(new CompiledSchemas(new SchemaValidatorCache()), { offerBuildThreads: 0 }, tx);
      const json = await builder.create(demo, travel('LK-1'), keyRecord('LK'));
      await expect(builder.create(demo, travel('LK-2'), keyRecord('LK'))).rejects.toMatchObject({ code: ROW_NOT_CHANGED });
      expect(await ds.query(`SELECT state, response_body FROM idempotency_records WHERE key = 'LK'`)).toEqual([{ state: 'done', response_body: json }]);
      expect([...(await storedResponses(ds, `partner_transaction_id LIKE 'LK-%'`)).keys()]).toEqual(['LK-1']);
    });

    it('a rehearsal answers the response and keeps nothing', async () => {
      const builder = new OfferBuilder(new CompiledSchemas(new SchemaValidatorCache()), { offerBuildThreads: 0 }, tx);
      const json = await builder.rehearse(demo, travel('LW-1'));
      expect(JSON.parse(json)).toMatchObject({ partner_transaction_id: 'LW-1' });
      expect(await countWhere(ds, 'offers', 'partner_transaction_id = ?', ['LW-1'])).toBe(0);
      await expect(builder.rehearse(empty, nothingFor())).rejects.toMatchObject({ code: 'offer_not_found' });
    });
  });

  describe('with one thread', () => {
    it('on a SQLite file, the thread builds and stores the offer itself; the same domain errors; closing with builds in flight leaves none waiting', async () => {
      const builder = new OfferBuilder(new CompiledSchemas(new SchemaValidatorCache()), { offerBuildThreads: 1 }, tx);
      const onEventLoop = jest.spyOn(tx, 'runStatements');
      try {
        expect(builder.threadCount).toBe(1);
        expect(builder.storesInThreads).toBe(true);
        await builder.warm(demo);
        const answered = await builder.create(empty, nothingFor()).catch((e: unknown) => e);
        expect(answered).toBeInstanceOf(DomainError);
        expect(answered).toMatchObject({ kind: 'not_found', code: 'offer_not_found' });

        const json = await builder.create(demo, travel('T-1'), keyRecord('TK'));
        expect((await storedResponses(ds, 'partner_transaction_id = ?', ['T-1'])).get('T-1')).toBe(json);
        expect(await ds.query(`SELECT state, response_body FROM idempotency_records WHERE key = 'TK'`)).toEqual([{ state: 'done', response_body: json }]);
        // a key committed first: the thread's error, with its code, and nothing stored
        await expect(builder.create(demo, travel('T-2'), keyRecord('TK'))).rejects.toMatchObject({ code: ROW_NOT_CHANGED });
        expect(await countWhere(ds, 'offers', 'partner_transaction_id = ?', ['T-2'])).toBe(0);
        // a rehearsal, in the thread: nothing kept
        expect(JSON.parse(await builder.rehearse(demo, travel('TW-1')))).toMatchObject({ partner_transaction_id: 'TW-1' });
        expect(await countWhere(ds, 'offers', 'partner_transaction_id = ?', ['TW-1'])).toBe(0);
        // none of it went through the event loop's connection
        expect(onEventLoop).not.toHaveBeenCalled();

        // in flight when the thread is closed: answered all the same, each stored once
        const inFlight = ['F-1', 'F-2', 'F-3', 'F-4', 'F-5'].map((t) => builder.create(demo, travel(t)));
        const failing = builder.create(empty, nothingFor()).catch((e: unknown) => e);
        await builder.onModuleDestroy();
        const answers = await Promise.all(inFlight);
        expect(await failing).toMatchObject({ code: 'offer_not_found' });
        const stored = await storedResponses(ds, `partner_transaction_id LIKE 'F-%'`);
        expect(['F-1', 'F-2', 'F-3', 'F-4', 'F-5'].map((t) => stored.get(t))).toEqual(answers);

        // once closed, everything is built and stored here
        const after = await builder.create(demo, travel('A-1'));
        expect((await storedResponses(ds, 'partner_transaction_id = ?', ['A-1'])).get('A-1')).toBe(after);
        expect(onEventLoop).toHaveBeenCalledTimes(1);
        await expect(builder.create(empty, nothingFor())).rejects.toMatchObject({ code: 'offer_not_found' });
      } finally {
        await builder.onModuleDestroy();
      }
    });

    it('on an in-memory database (no other connection could see it), the thread builds and the event loop stores', async () => {
      const memory = await database(':memory:');
      const builder = new OfferBuilder(new CompiledSchemas(new SchemaValidatorCache()), { offerBuildThreads: 1 }, memory.tx);
      const onEventLoop = jest.spyOn(memory.tx, 'runStatements');
      try {
        expect(builder.threadCount).toBe(1);
        expect(builder.storesInThreads).toBe(false);
        const json = await builder.create(demo, travel('M-1'), keyRecord('MK'));
        expect(onEventLoop).toHaveBeenCalledTimes(1);
        expect((await storedResponses(memory.ds)).get('M-1')).toBe(json);
        expect(await memory.ds.query(`SELECT response_body FROM idempotency_records WHERE key = 'MK'`)).toEqual([{ response_body: json }]);
        await expect(builder.create(empty, nothingFor())).rejects.toMatchObject({ kind: 'not_found', code: 'offer_not_found' });
      } finally {
        await builder.onModuleDestroy();
        await memory.tx.onApplicationShutdown();
        await memory.ds.destroy();
      }
    });
  });
});
