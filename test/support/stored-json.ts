import { unpackJson } from '@app/core';

/** The JSON text of a stored JSON column as a raw query returns it: text, or packed (a BLOB on SQLite). */
export function storedText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return unpackJson(value);
  return JSON.stringify(value);
}
