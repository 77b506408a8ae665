import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { buildDataSourceOptions, type Engine } from '@app/database';
import { ALL_ENTITIES } from '../../apps/api/src/entities';
import { createThrowawayDatabase } from './pg-database';

/** A throwaway PostgreSQL database for one test app or suite; `drop` removes it. */
export async function createPgDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  // the run id (set by test/integration/run.js) lets the run drop whatever its tests left behind
  const run = /^[a-z0-9]{1,16}$/.test(process.env.TEST_PG_RUN_ID ?? '') ? `${process.env.TEST_PG_RUN_ID}_` : '';
  return createThrowawayDatabase(adminUrl, `offers_e2e_${run}${randomBytes(6).toString('hex')}`);
}

/** An empty database of the run's engine, and the app's TypeORM options for it (entities and migrations, not run). */
export interface EmptyDatabase {
  engine: Engine;
  /** buildDataSourceOptions for this database: the app's entities and the engine's migrations */
  options(o?: { pgNamedStatements?: boolean }): DataSourceOptions;
  /** removes the database (the SQLite folder, or the PostgreSQL database) */
  drop(): Promise<void>;
}

/**
 * For the database-level suites that run on both engines: an empty database on the engine of the
 * run — a SQLite file in a temporary folder (`npm test`), or a throwaway PostgreSQL database when
 * TEST_PG_ADMIN_URL is set (`npm run test:integration`, which also drops what a crashed run left).
 */
export async function emptyDatabase(prefix: string): Promise<EmptyDatabase> {
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  if (adminUrl) {
    const pg = await createPgDatabase(adminUrl);
    return {
      engine: 'postgres',
      options: (o = {}) =>
        buildDataSourceOptions(
          { databaseUrl: pg.url, sqlitePath: '', sqliteSynchronous: 'FULL', pgNamedStatements: o.pgNamedStatements ?? true },
          ALL_ENTITIES,
        ),
      drop: () => pg.drop(),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    engine: 'sqlite',
    options: () => buildDataSourceOptions({ databaseUrl: undefined, sqlitePath: join(dir, 'offers.sqlite'), sqliteSynchronous: 'NORMAL' }, ALL_ENTITIES),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A database of the run's engine (see emptyDatabase), migrated as the app migrates it. */
export async function openMigratedDatabase(prefix: string): Promise<{ ds: DataSource; engine: Engine; close(): Promise<void> }> {
  const db = await emptyDatabase(prefix);
  const ds = new DataSource({ ...db.options(), migrationsRun: true });
  try {
    await ds.initialize();
  } catch (e) {
    await db.drop();
    throw e;
  }
  return {
    ds,
    engine: db.engine,
    close: async () => {
      await ds.destroy();
      await db.drop();
    },
  };
}
