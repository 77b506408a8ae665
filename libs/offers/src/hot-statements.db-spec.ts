/**
 * Every statement written as SQL text (the exports of the `*.sql.ts` files) is prepared
 * against the schema the migrations build, on the engine the run uses (SQLite in `npm test`,
 * PostgreSQL in `npm run test:integration`): a table, column or type that the entities and
 * migrations no longer have fails here, by name, instead of on a request. Preparing checks names
 * and types without running anything; the suites of each route run the statements with real values.
 * A database-level suite (*.db-spec.ts: the `db` project of jest.config.js, in both runs).
 */
import type { DataSource } from 'typeorm';
import { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver';
import type { Engine } from '@app/database';
import { openMigratedDatabase } from '../../../test/support/databases';
import * as bookingSql from './bookings/bookings.sql';
import * as bookingChangesSql from './bookings/lifecycle/booking-changes.sql';
import * as idempotencySql from './idempotency.sql';
import * as retentionSql from './retention/retention.sql';
import * as offerInsertSql from './storage/offer-insert.sql';

/** the SQL texts a module exports for `engine`: `{ sqlite, postgres }` constants, and `SQLITE_…`/`POSTGRES_…` strings */
function statementsOf(module: Record<string, unknown>, engine: Engine): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === 'string' && name.startsWith(engine === 'sqlite' ? 'SQLITE_' : 'POSTGRES_')) out.push([name, value]);
    const pair = value as { sqlite?: unknown; postgres?: unknown } | null;
    if (typeof pair === 'object' && pair !== null && typeof pair.sqlite === 'string' && typeof pair.postgres === 'string')
      out.push([name, pair[engine] as string]);
  }
  return out;
}

const MODULES = {
  'storage/offer-insert.sql': offerInsertSql,
  'bookings/bookings.sql': bookingSql,
  'bookings/lifecycle/booking-changes.sql': bookingChangesSql,
  'idempotency.sql': idempotencySql,
  'retention/retention.sql': retentionSql,
};

describe('hot-path SQL against the migrated schema', () => {
  let db: Awaited<ReturnType<typeof openMigratedDatabase>> | undefined;
  let ds: DataSource;
  let engine: Engine;

  beforeAll(async () => {
    db = await openMigratedDatabase('offers-hot-statements');
    ({ ds, engine } = db);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** prepares the text: SQLite compiles it (better-sqlite3's prepare), PostgreSQL parses, resolves and types it */
  async function prepare(sql: string): Promise<void> {
    if (ds.driver instanceof BetterSqlite3Driver) {
      (ds.driver.databaseConnection as { prepare(sql: string): unknown }).prepare(sql);
      return;
    }
    const runner = ds.createQueryRunner();
    try {
      await runner.query(`PREPARE hot_statement_check AS ${sql}`);
      await runner.query('DEALLOCATE hot_statement_check');
    } finally {
      await runner.release();
    }
  }

  it('finds the statements of every module, for both engines', () => {
    for (const module of Object.values(MODULES)) {
      expect(statementsOf(module, 'sqlite').length).toBeGreaterThan(0);
      expect(statementsOf(module, 'postgres').length).toBeGreaterThan(0);
    }
  });

  for (const [file, module] of Object.entries(MODULES)) {
    it(`every statement of ${file} prepares on the migrated schema`, async () => {
      const failures: string[] = [];
      for (const [name, sql] of statementsOf(module, engine)) {
        await prepare(sql).catch((e: unknown) => failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`));
      }
      expect(failures).toEqual([]);
    });
  }
});
