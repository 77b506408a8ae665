export * from './data-source-options';
export { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';
