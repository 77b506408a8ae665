export * from './data-source-options';
export { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';
export { TransactionRunner } from './transaction-runner';
export { DatabaseModule } from './database.module';
export { SqliteTransactions, type SqliteWriteTarget } from './sqlite-transactions';
export { PgTransactions, type PostgresWriteTarget } from './pg-transactions';
export { SqliteWriteLock } from './write-lock';
export { isRowNotChanged, ROW_NOT_CHANGED, RowNotChangedError, type SqlStatement } from './sql-statement';
export { preparedQuery, type PreparedResult } from './prepared-query';
export { truncateSqliteWal, vacuumTables, type WalTruncateOptions } from './discard-old-versions';
export {
  dateParam,
  engineOf,
  packedJsonPairParams,
  packedJsonParam,
  readDate,
  readDateOrNull,
  readJson,
  readJsonPair,
  sqliteDatetime,
  type Engine,
  type EngineSql,
} from './sql-text';
