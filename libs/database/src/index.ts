export * from './data-source-options';
export { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';
export { TransactionRunner } from './transaction-runner';
export { DatabaseModule } from './database.module';
export { fastSelect } from './select-rows';
export { fastInsert, insertRows, insertStatements, JsonText, partialRow, portableInsertPlan, statementsFromPlan, type InsertPlan } from './insert-rows';
export { SqliteTransactions, type SqliteWriteTarget } from './sqlite-transactions';
export { SqliteWriteLock } from './write-lock';
export { SqliteWriteError, type SqlStatement } from './sqlite-write-worker';
