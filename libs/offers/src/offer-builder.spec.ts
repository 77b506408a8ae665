import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DEFAULT_RATE_LIMITS, type ActiveConfig } from '@app/bundles';
import { DomainError, newId, SystemClock } from '@app/core';
import { buildDataSourceOptions, ROW_NOT_CHANGED, TransactionRunner } from '@app/database';
import { SchemaValidatorCache } from '@app/schemas';
import { ALL_ENTITIES } from '../../../apps/api/src/entities';
import { DEMO_TRAVEL_REQUEST } from '../../../apps/api/src/seed/demo-bundle';
import { demoActiveConfig } from '../../../test/support/demo-config';
import { CompiledSchemas } from './compiled-schemas';
import { OfferBuilder, type OfferRequest } from './offer-builder';
import { SQLITE_INSERT_OFFER, type OfferKeyRecord } from './storage/offer-insert.sql';
import { PackingDictionaries } from './storage/packing-dictionary.store';
import { storedOfferTexts, storedText } from '../../../test/support/stored-json';

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
const nothingFor = (): OfferRequest => ({
  body: { schema: 's:v1', customer: { currency: 'AUD', country: 'AU' }, context: {} },
  caller: { ...caller, partnerId: 'p1', partnerCode: 'P1' },
  query,
  now: NOW,
});

function keyRecord(key: string): OfferKeyRecord {
  return {
    id: newId(),
    partnerId: demo.partnerId,
    route: 'create_offer',
    key,
    requestHash: 'b'.repeat(64),
    responseStatus: 201,
    createdAt: NOW,
    expiresAt: new Date('2026-12-03T10:00:00.000Z'),
  };
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

/** the packing dictionaries of a database, loaded as at start */
async function dictionariesOf(db: { ds: DataSource; tx: TransactionRunner }): Promise<PackingDictionaries> {
  const dictionaries = new PackingDictionaries(db.ds, db.tx, new SystemClock());
  await dictionaries.onModuleInit();
  return dictionaries;
}

async function builderOn(db: { ds: DataSource; tx: TransactionRunner }, offerBuildThreads: number, dictionaries?: PackingDictionaries): Promise<OfferBuilder> {
  return new OfferBuilder(new CompiledSchemas(new SchemaValidatorCache()), { offerBuildThreads }, db.tx, dictionaries ?? (await dictionariesOf(db)));
}

/** the transactions run on the event loop's connection that stored offers (a packing dictionary's write is another) */
function offerTransactions(spy: jest.SpyInstance<Promise<void>, Parameters<TransactionRunner['runStatements']>>): number {
  return spy.mock.calls.filter(([statements]) => statements.some((st) => st.sql === SQLITE_INSERT_OFFER)).length;
}

async function storedResponses(ds: DataSource, where = '1 = 1', params: unknown[] = []): Promise<Map<string, string>> {
  const rows = await ds.query<Array<{ t: string; response: string | Buffer }>>(
    `SELECT partner_transaction_id AS t, response FROM offers WHERE ${where}`,
    params,
  );
  return new Map(rows.map((r) => [r.t, storedText(r.response)]));
}
const countWhere = async (ds: DataSource, table: string, where: string, params: unknown[]) =>
  Number((await ds.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params))[0].n);

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
      const builder = await builderOn({ ds, tx }, 0);
      expect(builder.threadCount).toBe(0);
      expect(builder.storesInThreads).toBe(false);
      await expect(builder.create(empty, nothingFor())).rejects.toMatchObject({ kind: 'not_found', code: 'offer_not_found' });
      await expect(builder.create(empty, { ...nothingFor(), body: { schema: 'nope:v1' } })).rejects.toMatchObject({
        code: 'offer_validation_schema_not_found',
      });
      await expect(builder.create(empty, { ...nothingFor(), body: [] })).rejects.toMatchObject({ code: 'offer_validation_error' });
    });

    it('the offers created in one turn of the event loop are committed in one transaction, each answered with the response stored', async () => {
      const builder = await builderOn({ ds, tx }, 0);
      const statements = jest.spyOn(tx, 'runStatements');
      const answers = await Promise.all(['L-1', 'L-2', 'L-3'].map((t) => builder.create(demo, travel(t))));
      expect(offerTransactions(statements)).toBe(1);
      const stored = await storedResponses(ds, `partner_transaction_id LIKE 'L-%'`);
      expect(answers.map((json) => (JSON.parse(json) as { partner_transaction_id: string }).partner_transaction_id)).toEqual(['L-1', 'L-2', 'L-3']);
      expect(['L-1', 'L-2', 'L-3'].map((t) => stored.get(t))).toEqual(answers);
    });

    it('an idempotency key’s record is committed with the offer; a key committed first fails the offer (ROW_NOT_CHANGED), nothing of it stored', async () => {
      const builder = await builderOn({ ds, tx }, 0);
      const json = await builder.create(demo, travel('LK-1'), keyRecord('LK'));
      await expect(builder.create(demo, travel('LK-2'), keyRecord('LK'))).rejects.toMatchObject({ code: ROW_NOT_CHANGED });
      expect(await ds.query(`SELECT state, response_body FROM idempotency_records WHERE key = 'LK'`)).toEqual([{ state: 'done', response_body: json }]);
      expect([...(await storedResponses(ds, `partner_transaction_id LIKE 'LK-%'`)).keys()]).toEqual(['LK-1']);
    });

    it('a rehearsal answers the response and keeps nothing', async () => {
      const builder = await builderOn({ ds, tx }, 0);
      const json = await builder.rehearse(demo, travel('LW-1'));
      expect(JSON.parse(json)).toMatchObject({ partner_transaction_id: 'LW-1' });
      expect(await countWhere(ds, 'offers', 'partner_transaction_id = ?', ['LW-1'])).toBe(0);
      await expect(builder.rehearse(empty, nothingFor())).rejects.toMatchObject({ code: 'offer_not_found' });
    });
  });

  describe('with one thread', () => {
    it('on a SQLite file, the thread builds and stores the offer itself; the same domain errors; closing with builds in flight leaves none waiting', async () => {
      const builder = await builderOn({ ds, tx }, 1);
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
        expect(offerTransactions(onEventLoop)).toBe(0);

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
        expect(offerTransactions(onEventLoop)).toBe(1);
        await expect(builder.create(empty, nothingFor())).rejects.toMatchObject({ code: 'offer_not_found' });
      } finally {
        await builder.onModuleDestroy();
      }
    });

    it('on an in-memory database (no other connection could see it), the thread builds and the event loop stores', async () => {
      const memory = await database(':memory:');
      const builder = await builderOn(memory, 1);
      const onEventLoop = jest.spyOn(memory.tx, 'runStatements');
      try {
        expect(builder.threadCount).toBe(1);
        expect(builder.storesInThreads).toBe(false);
        const json = await builder.create(demo, travel('M-1'), keyRecord('MK'));
        expect(offerTransactions(onEventLoop)).toBe(1);
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

  describe('packing dictionaries (SQLite)', () => {
    /** a person whose values must not be in any dictionary */
    function ada(transactionId: string): OfferRequest {
      const r = travel(transactionId);
      const body = r.body as typeof DEMO_TRAVEL_REQUEST;
      return {
        ...r,
        body: { ...body, customer: { ...body.customer, email: 'Ada.Lovelace@Example.com' }, partner: { ...body.partner, customer_id: 'cust-ada-1815' } },
      };
    }
    type PackedRow = { t: string; response: Buffer; request: Buffer };
    const packedRows = async (ds: DataSource, prefix: string) =>
      new Map(
        (
          await ds.query<PackedRow[]>(`SELECT partner_transaction_id AS t, request, response FROM offers WHERE partner_transaction_id LIKE ?`, [`${prefix}%`])
        ).map((r) => [r.t, r]),
      );
    const dictionaryRows = (ds: DataSource) =>
      ds.query<Array<{ offer_config_id: string; bundle_version: number; id: string; content: string }>>(
        'SELECT offer_config_id, bundle_version, id, content FROM packing_dictionaries',
      );

    it('on the event loop: the first offer of a configuration is packed plainly and gives its dictionary; the next ones are packed against it, and read back the same', async () => {
      const db = await database(join(dir, 'dictionaries-event-loop.sqlite'));
      const dictionaries = await dictionariesOf(db);
      const builder = await builderOn(db, 0, dictionaries);
      try {
        const first = await builder.create(demo, ada('P-1'));
        await dictionaries.idle();
        const [dictionary, ...others] = await dictionaryRows(db.ds);
        expect(others).toEqual([]);
        expect(dictionary).toMatchObject({ offer_config_id: (JSON.parse(first) as { offer_config_id: string }).offer_config_id, bundle_version: demo.version });
        // nothing of the person it was made from
        for (const value of ['ada.lovelace@example.com', 'cust-ada-1815', 'P-1']) expect(dictionary.content.toLowerCase()).not.toContain(value.toLowerCase());

        const [second, third] = await Promise.all([builder.create(demo, ada('P-2')), builder.create(demo, ada('P-3'))]);
        const rows = await packedRows(db.ds, 'P-');
        const p1 = rows.get('P-1') as PackedRow;
        expect([p1.request[0], p1.response[0]]).toEqual([0x01, 0x01]);
        for (const t of ['P-2', 'P-3']) {
          // request and response packed together against the dictionary, in the response column
          const row = rows.get(t) as PackedRow;
          expect([...row.request]).toEqual([0x04]);
          expect(row.response[0]).toBe(0x05);
          expect(row.response.subarray(1, 9).toString('hex')).toBe(dictionary.id);
          expect(row.response.length).toBeLessThan((p1.request.length + p1.response.length) / 2);
        }
        expect(storedOfferTexts(rows.get('P-2')!).response).toBe(second);
        expect(storedText(rows.get('P-2')!.response)).toBe(second); // the response column read alone is the response
        expect(storedOfferTexts(rows.get('P-3')!).response).toBe(third);
        expect(JSON.parse(storedOfferTexts(rows.get('P-3')!).request)).toEqual(ada('P-3').body);

        // another start on the same database loads the dictionary and packs against it at once
        const again = await dictionariesOf(db);
        expect(again.for(demo.partnerId, dictionary.offer_config_id, demo.version)?.id).toBe(dictionary.id);
        expect(again.for(demo.partnerId, dictionary.offer_config_id, demo.version + 1)).toBeUndefined();
      } finally {
        await builder.onModuleDestroy();
        await db.tx.onApplicationShutdown();
        await db.ds.destroy();
      }
    });

    it('in a build thread: the thread is sent the dictionary once it is stored, and packs the next offers against it', async () => {
      const db = await database(join(dir, 'dictionaries-thread.sqlite'));
      const dictionaries = await dictionariesOf(db);
      const builder = await builderOn(db, 1, dictionaries);
      try {
        expect(builder.storesInThreads).toBe(true);
        await builder.warm(demo);
        await builder.create(demo, ada('Q-1'));
        await dictionaries.idle();
        const [dictionary] = await dictionaryRows(db.ds);
        expect(dictionary).toBeDefined();
        const answers = await Promise.all(['Q-2', 'Q-3'].map((t) => builder.create(demo, ada(t))));
        const rows = await packedRows(db.ds, 'Q-');
        expect(rows.get('Q-1')?.response[0]).toBe(0x01);
        expect(['Q-2', 'Q-3'].map((t) => rows.get(t)!.response.subarray(0, 9).toString('hex'))).toEqual([`05${dictionary.id}`, `05${dictionary.id}`]);
        expect(['Q-2', 'Q-3'].map((t) => storedOfferTexts(rows.get(t)!).response)).toEqual(answers);
        expect(JSON.parse(storedOfferTexts(rows.get('Q-3')!).request)).toEqual(ada('Q-3').body);
      } finally {
        await builder.onModuleDestroy();
        await db.tx.onApplicationShutdown();
        await db.ds.destroy();
      }
    });
  });
});
