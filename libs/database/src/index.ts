export * from './data-source-options';
export { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';
export { TransactionRunner } from './transaction-runner';
export { DatabaseModule } from './database.module';
export { fastInsert, insertRows, insertStatements, JsonText, partialRow } from './insert-rows';
export { SqliteWriteError, type SqlStatement } from './sqlite-write-worker';
