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
import { buildDataSourceOptions, fastInsert, fastSelect, fastUpdate, greaterThan, oneOf, TransactionRunner } from '@app/database';
import { newId } from '@app/core';
import { OfferVariantEntity } from '../../libs/offers/src/entities/offer-variant.entity';
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
