import { ColumnOptions } from 'typeorm';
import { parseStoredJson } from './packed-json';

/**
 * Column options that mean the same on SQLite and PostgreSQL. JSON is stored as text
 * (`simple-json`) so it is portable; timestamps use TypeORM's per-driver Date mapping.
 */
export const jsonColumn = (options: ColumnOptions = {}): ColumnOptions => ({ type: 'simple-json', ...options });
export const dateColumn = (options: ColumnOptions = {}): ColumnOptions => ({ type: Date, ...options });
export const uuidColumn = (options: ColumnOptions = {}): ColumnOptions => ({ type: 'varchar', length: 36, ...options });

/**
 * A `simple-json` column whose value may also be packed JSON (a BLOB written by the offer store on
 * SQLite, see packed-json.ts): read back as the document either way. Written as JSON text.
 */
export const packedJsonColumn = (options: ColumnOptions = {}): ColumnOptions => ({
  type: 'simple-json',
  transformer: {
    to: (value: unknown): unknown => value,
    from: (value: unknown): unknown => (value instanceof Uint8Array ? parseStoredJson(value) : value),
  },
  ...options,
});
