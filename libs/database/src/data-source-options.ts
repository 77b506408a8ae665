import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@app/core';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';

/**
 * One place builds the TypeORM options, for the app (through @nestjs/typeorm) and for the
 * CLI (ormconfig.ts). Entities are passed in by the caller so this lib never imports a feature lib.
 */
export function buildDataSourceOptions(
  config: Pick<AppConfig, 'databaseUrl' | 'sqlitePath' | 'sqliteSynchronous'>,
  entities: DataSourceOptions['entities'],
): DataSourceOptions {
  if (config.databaseUrl) {
    return {
      type: 'postgres',
      url: config.databaseUrl,
      entities,
      migrations: POSTGRES_MIGRATIONS,
      migrationsRun: false,
      synchronize: false,
      logging: false,
      extra: { max: 10, connectionTimeoutMillis: 2000 },
    };
  }
  if (config.sqlitePath !== ':memory:') mkdirSync(dirname(config.sqlitePath), { recursive: true });
  return {
    type: 'better-sqlite3',
    database: config.sqlitePath,
    entities,
    migrations: SQLITE_MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: false,
    enableWAL: config.sqlitePath !== ':memory:',
    prepareDatabase: (db: { pragma: (s: string) => unknown }) => {
      db.pragma(`synchronous = ${config.sqliteSynchronous}`);
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
    },
  };
}
