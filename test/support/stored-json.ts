import { isFirstOfPair, unpackJson, unpackJsonPair } from '@app/core';

/** The JSON text of a stored JSON column as a raw query returns it: text, or packed (a BLOB on SQLite). */
export function storedText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return unpackJson(value);
  return JSON.stringify(value);
}

/**
 * The JSON texts of an offer's `request` and `response` columns as a raw query returns them: text,
 * or packed on SQLite, each alone or the two together (the response column holding both).
 */
export function storedOfferTexts(row: { request: unknown; response: unknown }): { request: string; response: string } {
  if (isFirstOfPair(row.request)) {
    const [request, response] = unpackJsonPair(row.response as Uint8Array);
    return { request, response };
  }
  return { request: storedText(row.request), response: storedText(row.response) };
}
