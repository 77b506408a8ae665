import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaults as pgDefaults, types as pgTypes } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@app/core';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';
import { namedStatementsOption } from './prepared-query';

/** OID of PostgreSQL's `timestamp without time zone`, the type of every entity Date column */
const PG_TIMESTAMP_OID = 1114;
const PG_TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,3})?\d*$/;

/**
 * A `timestamp without time zone` read as UTC (node-pg's default reads it in the process's time
 * zone). Anything else (infinity, BC dates) goes to the default parser.
 */
export function parsePgTimestampAsUtc(value: string): Date {
  const m = PG_TIMESTAMP_TEXT.exec(value);
  if (!m) return (pgTypes.getTypeParser(PG_TIMESTAMP_OID, 'text') as (text: string) => Date)(value);
  return new Date(`${m[1]}T${m[2]}${m[3] ?? ''}Z`);
}

/**
 * Timestamps on PostgreSQL are `timestamp without time zone` holding **UTC**, whatever the time
 * zone of the process or of the server, as on SQLite (where TypeORM writes UTC text):
 * - written in UTC: node-pg would otherwise send a Date as local time, whose offset PostgreSQL
 *   ignores for this type (a process in Europe/Paris would store 10:00 for 09:00Z, and the
 *   autumn DST hour would be ambiguous). `pg.defaults.parseInputDatesAsUTC` is process-wide:
 *   this app uses no other kind of timestamp.
 * - read as UTC: a type parser of this pool only (parsePgTimestampAsUtc);
 * - the session runs in UTC (`-c timezone=UTC`), so `DEFAULT now()` columns and any SQL date
 *   arithmetic agree.
 */
export function pgUtcOptions(): Record<string, unknown> {
  pgDefaults.parseInputDatesAsUTC = true;
  return {
    options: '-c timezone=UTC',
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === PG_TIMESTAMP_OID && format !== 'binary' ? parsePgTimestampAsUtc : (pgTypes.getTypeParser(oid, format ?? 'text') as (text: string) => unknown),
    },
  };
}

/**
 * One place builds the TypeORM options, for the app (through @nestjs/typeorm) and for the
 * CLI (ormconfig.ts). Entities are passed in by the caller so this lib never imports a feature lib.
 */
export function buildDataSourceOptions(
  config: Pick<AppConfig, 'databaseUrl' | 'sqlitePath' | 'sqliteSynchronous' | 'pgNamedStatements'>,
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
      // a pool checkout waits at most 2 s: past it the request fails fast (503, see
      // AllExceptionsFilter) instead of queueing behind a database that does not answer
      // (node-postgres ignores the key of namedStatementsOption: it is read by preparedQuery)
      extra: { max: 10, connectionTimeoutMillis: 2000, keepAlive: true, ...pgUtcOptions(), ...namedStatementsOption(config.pgNamedStatements !== false) },
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
      // freed space and pages are zeroed: content overwritten or deleted (an erasure) is gone from the file
      db.pragma('secure_delete = ON');
    },
  };
}
