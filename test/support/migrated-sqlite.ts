import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, TransactionRunner, type SqliteWriteTarget } from '@app/database';
import { ALL_ENTITIES } from '../../apps/api/src/entities';

/** A SQLite file in a temporary folder, migrated as the app migrates it, with its write target. */
export interface MigratedSqlite {
  ds: DataSource;
  /** what a thread needs to write to the file (the lock the main connection honours) */
  target: SqliteWriteTarget;
  /** rows of `table` matching `where` */
  count(table: string, where?: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

export async function openMigratedSqlite(prefix: string): Promise<MigratedSqlite> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const options = buildDataSourceOptions({ databaseUrl: undefined, sqlitePath: join(dir, 'offers.sqlite'), sqliteSynchronous: 'NORMAL' }, ALL_ENTITIES);
  const ds = new DataSource({ ...options, migrationsRun: true });
  await ds.initialize();
  const tx = new TransactionRunner(ds);
  await tx.onApplicationBootstrap();
  return {
    ds,
    target: tx.sqliteWriteTarget as SqliteWriteTarget,
    count: async (table, where = '1 = 1', params = []) =>
      Number((await ds.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params))[0].n),
    close: async () => {
      await ds.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
