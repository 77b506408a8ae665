/**
 * The hot paths' fixed SQL (fastInsert, fastSelect, fastUpdate, TransactionRunner.runStatements)
 * run as named statements on PostgreSQL: parsed and planned once per connection, then only bound
 * and executed (preparedQuery). Checked on the migrated schema: what is stored and read back, that
 * the statements are named and prepared once, and that a constraint violation is still TypeORM's
 * QueryFailedError with PostgreSQL's code; with PG_NAMED_STATEMENTS=false, nothing is prepared.
 * PostgreSQL only (integration run).
 */
import { DataSource, QueryFailedError } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { ALL_ENTITIES } from '../../apps/api/src/entities';
import { buildDataSourceOptions, fastInsert, fastSelect, fastSelectEach, fastUpdate, greaterThan, LookupInTurns, oneOf, TransactionRunner } from '@app/database';
import { newId } from '@app/core';
import { IdempotencyRecordEntity } from '../../libs/offers/src/entities/idempotency-record.entity';
import { OfferVariantEntity } from '../../libs/offers/src/entities/offer-variant.entity';
import { IdempotencyRepository } from '../../libs/offers/src/idempotency.repository';
import { createPgDatabase } from '../support/app';
import { pgOnly } from '../support/pg-only';

const { adminUrl, describePg } = pgOnly('pg-statements.e2e-spec');

describePg('fixed SQL as named statements on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  const partnerId = newId();
  const createdAt = new Date('2026-12-03T07:00:00.000Z');

  const variant = (offerId: string, ordinal = 0): OfferVariantEntity =>
    Object.assign(new OfferVariantEntity(), {
      id: newId(),
      offerId,
      partnerId,
      offerConfigId: 'cfg',
      experimentKey: null,
      variant: null,
      ordinal,
      currency: 'AUD',
      status: 'OFFERED' as const,
      premiumMinor: 0,
      createdAt,
    });

  beforeAll(async () => {
    db = await createPgDatabase(adminUrl as string);
    const options = buildDataSourceOptions({ databaseUrl: db.url, sqlitePath: '', sqliteSynchronous: 'FULL' }, ALL_ENTITIES) as PostgresConnectionOptions;
    // one connection: the statements it prepared are the ones pg_prepared_statements shows
    ds = new DataSource({ ...options, migrationsRun: true, extra: { ...(options.extra as object), max: 1 } });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** the named statements of the pool's one connection that the hot paths prepared */
  const prepared = async (): Promise<string[]> =>
    ((await ds.query(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'hot\\_%' ORDER BY name`)) as Array<{ name: string }>).map((r) => r.name);

  it('stores, reads and updates through named statements, each prepared once per connection', async () => {
    const a = newId();
    const b = newId();
    await fastInsert(ds.manager, OfferVariantEntity, [variant(a), variant(b)]);
    const afterInsert = await prepared();
    expect(afterInsert).toHaveLength(1);

    const read = await fastSelect(ds.manager, OfferVariantEntity, ['offerId', 'status', 'premiumMinor', 'createdAt'], { offerId: a });
    expect(read).toEqual([{ offerId: a, status: 'OFFERED', premiumMinor: 0, createdAt }]);

    const changed = await ds.transaction((m) =>
      fastUpdate(m, OfferVariantEntity, { status: 'CONFIRMED', premiumMinor: 1234 }, { offerId: oneOf([a, b]), status: 'OFFERED', createdAt: greaterThan(new Date(0)) }),
    );
    expect(changed).toBe(2);
    expect(await fastUpdate(ds.manager, OfferVariantEntity, { status: 'CONFIRMED', premiumMinor: 1 }, { offerId: a, status: 'OFFERED' })).toBe(0);
    const rows = (await ds.query('SELECT offer_id, status, premium_minor FROM offer_variants ORDER BY offer_id')) as Array<Record<string, unknown>>;
    expect(rows).toEqual(
      [a, b].sort().map((id) => ({ offer_id: id, status: 'CONFIRMED', premium_minor: 1234 })),
    );

    const names = await prepared();
    // one insert (two rows), one select, two update shapes (IN of two, and equality)
    expect(names).toHaveLength(4);
    // the same texts again: nothing new is prepared
    await fastSelect(ds.manager, OfferVariantEntity, ['offerId', 'status', 'premiumMinor', 'createdAt'], { offerId: b });
    await fastInsert(ds.manager, OfferVariantEntity, [variant(newId()), variant(newId())]);
    expect(await prepared()).toEqual(names);
  });

  it('with PG_NAMED_STATEMENTS=false (a pooler that cannot keep them) the same calls prepare nothing', async () => {
    const options = buildDataSourceOptions({ databaseUrl: db.url, sqlitePath: '', sqliteSynchronous: 'FULL', pgNamedStatements: false }, ALL_ENTITIES) as PostgresConnectionOptions;
    const unnamed = new DataSource({ ...options, extra: { ...(options.extra as object), max: 1 } });
    await unnamed.initialize();
    try {
      const d = newId();
      await fastInsert(unnamed.manager, OfferVariantEntity, [variant(d)]);
      expect(await fastSelect(unnamed.manager, OfferVariantEntity, ['offerId'], { offerId: d })).toEqual([{ offerId: d }]);
      expect(await fastUpdate(unnamed.manager, OfferVariantEntity, { premiumMinor: 5 }, { offerId: d })).toBe(1);
      expect(await unnamed.query(`SELECT COUNT(*)::int AS n FROM pg_prepared_statements`)).toEqual([{ n: 0 }]);
    } finally {
      await unnamed.destroy();
    }
  });

  it('fastSelectEach: several reads in one query, each answered as alone, by the unique index even when planned on an empty table', async () => {
    const records = ds.getRepository(IdempotencyRecordEntity);
    const record = (key: string, body: unknown) =>
      Object.assign(new IdempotencyRecordEntity(), { id: newId(), partnerId, route: 'create_offer', key, requestHash: `h-${key}`, state: 'done', responseStatus: 200, responseBody: body, createdAt, expiresAt: new Date('2026-12-05T07:00:00.000Z') });
    const scope = (key: string) => ({ partnerId, route: 'create_offer', key });
    const columns = ['key', 'requestHash', 'responseBody', 'expiresAt'] as const;
    // planned while the table is empty (six runs: PostgreSQL's generic plan from then on)
    for (let i = 0; i < 6; i++) expect(await fastSelectEach(ds.manager, IdempotencyRecordEntity, columns, [scope('a'), scope('b')], 1)).toEqual([[], []]);
    await fastInsert(ds.manager, IdempotencyRecordEntity, [record('a', { id: 'offer-a' }), record('b', [1, 2])]);
    await fastInsert(ds.manager, IdempotencyRecordEntity, Array.from({ length: 2000 }, (_, i) => record(`filler-${i}`, null)));
    const found = await fastSelectEach(ds.manager, IdempotencyRecordEntity, columns, [scope('b'), scope('none'), scope('a')], 1);
    expect(found).toEqual([
      [{ key: 'b', requestHash: 'h-b', responseBody: [1, 2], expiresAt: new Date('2026-12-05T07:00:00.000Z') }],
      [],
      [{ key: 'a', requestHash: 'h-a', responseBody: { id: 'offer-a' }, expiresAt: new Date('2026-12-05T07:00:00.000Z') }],
    ]);
    // the plan the pool's connection keeps: one index lookup per read (all three columns), not a scan of the partner's records
    await ds.query('ANALYZE idempotency_records');
    const [{ name }] = (await ds.query(`SELECT name FROM pg_prepared_statements WHERE statement LIKE '%UNION ALL%' AND statement LIKE '%idempotency_records%' LIMIT 1`)) as Array<{ name: string }>;
    const plan = ((await ds.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}('${partnerId}', 'create_offer', 'a', '${partnerId}', 'create_offer', 'b')`)) as Array<{ 'QUERY PLAN': unknown }>)[0]['QUERY PLAN'];
    const text = JSON.stringify(plan);
    expect(text).toContain('uq_idempotency_scope');
    expect(text).not.toContain('Rows Removed by Filter');
    expect(text).not.toContain('"Filter"');

    // IdempotencyRepository.peek: the reads of one turn in one query, each answered its own record
    const repo = new IdempotencyRepository(records);
    const checkouts = jest.spyOn(ds.driver as unknown as { obtainMasterConnection(): Promise<unknown> }, 'obtainMasterConnection');
    try {
      const peeked = await Promise.all([repo.peek(scope('a')), repo.peek(scope('none')), repo.peek(scope('b')), repo.peek({ ...scope('a'), route: 'confirm_offer' })]);
      expect(peeked.map((r) => r && r.requestHash)).toEqual(['h-a', null, 'h-b', null]);
      expect(peeked[0]).toEqual({ requestHash: 'h-a', state: 'done', responseStatus: 200, responseBody: { id: 'offer-a' }, createdAt, expiresAt: new Date('2026-12-05T07:00:00.000Z') });
      expect(checkouts).toHaveBeenCalledTimes(1);
      // a read alone in its turn: the one-key read
      expect((await repo.peek(scope('b')))?.responseBody).toEqual([1, 2]);
      expect(checkouts).toHaveBeenCalledTimes(2);
    } finally {
      checkouts.mockRestore();
    }
  });

  it('LookupInTurns: the lookups of one turn in one query (at most `max`), each answered its row; a failure fails each lookup', async () => {
    const [x, y, z] = [newId(), newId(), newId()];
    await fastInsert(ds.manager, OfferVariantEntity, [variant(x, 0), variant(y, 0)]);
    const reads = new LookupInTurns<OfferVariantEntity, 'offerId' | 'ordinal', 'offerId' | 'ordinal'>(ds.manager, OfferVariantEntity, ['offerId', 'ordinal'], 2);
    const checkouts = jest.spyOn(ds.driver as unknown as { obtainMasterConnection(): Promise<unknown> }, 'obtainMasterConnection');
    try {
      const found = await Promise.all([reads.read({ offerId: x, ordinal: 0 }), reads.read({ offerId: y, ordinal: 0 }), reads.read({ offerId: z, ordinal: 0 })]);
      expect(found).toEqual([{ offerId: x, ordinal: 0 }, { offerId: y, ordinal: 0 }, undefined]);
      // at most two per query: three lookups, two queries
      expect(checkouts).toHaveBeenCalledTimes(2);
    } finally {
      checkouts.mockRestore();
    }
    const failing = jest.spyOn(ds.driver as unknown as { obtainMasterConnection(): Promise<unknown> }, 'obtainMasterConnection').mockRejectedValueOnce(new Error('pool gone'));
    try {
      const settled = await Promise.allSettled([reads.read({ offerId: x, ordinal: 0 }), reads.read({ offerId: y, ordinal: 0 })]);
      expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(await reads.read({ offerId: y, ordinal: 0 })).toEqual({ offerId: y, ordinal: 0 });
    } finally {
      failing.mockRestore();
    }
  });

  it('runStatements runs them in one transaction: a failure stores none of them', async () => {
    const tx = new TransactionRunner(ds);
    const c = newId();
    const good = { sql: 'INSERT INTO offer_variants (id, offer_id, partner_id, offer_config_id, ordinal, currency, status, premium_minor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', params: [newId(), c, partnerId, 'cfg', 0, 'AUD', 'OFFERED', 0, createdAt] };
    const duplicate = { ...good, params: [newId(), c, partnerId, 'cfg', 0, 'AUD', 'OFFERED', 0, createdAt] };
    const failed = await tx.runStatements([good, duplicate]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(QueryFailedError);
    expect((failed as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('23505');
    expect(await ds.query('SELECT COUNT(*)::int AS n FROM offer_variants WHERE offer_id = $1', [c])).toEqual([{ n: 0 }]);
    await tx.runStatements([good]);
    expect(await ds.query('SELECT COUNT(*)::int AS n FROM offer_variants WHERE offer_id = $1', [c])).toEqual([{ n: 1 }]);
  });
});
