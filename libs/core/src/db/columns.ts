import { ColumnOptions } from 'typeorm';

/**
 * Column options that mean the same on SQLite and PostgreSQL. JSON is stored as text
 * (`simple-json`) so it is portable; timestamps use TypeORM's per-driver Date mapping.
 */
export const jsonColumn = (options: ColumnOptions = {}): ColumnOptions => ({ type: 'simple-json', ...options });
export const dateColumn = (options: ColumnOptions = {}): ColumnOptions => ({ type: Date, ...options });
export const uuidColumn = (options: ColumnOptions = {}): ColumnOptions => ({ type: 'varchar', length: 36, ...options });
