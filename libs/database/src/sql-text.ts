import type { DataSource, EntityManager } from 'typeorm';
import { isFirstOfPair, packJson, packJsonPair, parseStoredJson, unpackJsonPair, type PackingDictionary } from '@app/core';

/** The two databases the app runs on. */
export type Engine = 'sqlite' | 'postgres';

/**
 * One statement written out in full for each engine: `?` placeholders on SQLite, `$n` on
 * PostgreSQL. Hot-path SQL lives in `*.sql.ts` files as constants of this shape, next to the
 * function that binds its values, so what runs is what a reader sees.
 */
export interface EngineSql {
  sqlite: string;
  postgres: string;
}

export function engineOf(db: EntityManager | DataSource): Engine {
  const options = 'connection' in db ? db.connection.options : db.options;
  return options.type === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * A Date as SQLite stores it in this schema (TypeORM's `datetime` text, UTC):
 * `2026-11-25 21:40:00.123`.
 */
export function sqliteDatetime(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/**
 * A Date bound for `engine`: SQLite's datetime text, or ISO 8601 text on PostgreSQL, where the
 * columns are `timestamp without time zone` holding UTC (the `Z` is ignored by that type).
 */
export function dateParam(engine: Engine, d: Date): string {
  return engine === 'sqlite' ? sqliteDatetime(d) : d.toISOString();
}

/** A date column read back: SQLite's UTC text, or PostgreSQL's Date (parsed as UTC by the pool). */
export function readDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string') return new Date(`${value.replace(' ', 'T')}${/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? '' : 'Z'}`);
  throw new Error(`not a stored date: ${String(value)}`);
}

/** A nullable date column read back. */
export function readDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : readDate(value);
}

/** A JSON column read back (`simple-json` text, or packed JSON: see packJson); NULL stays null. */
export function readJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw new Error('a JSON column must hold text or packed JSON');
  return parseStoredJson(value);
}

/**
 * A large JSON document (an offer's request or response) as bound for its column alone (as an
 * erasure writes it back): packed (deflated) on SQLite, which stores values as given; JSON text on
 * PostgreSQL, which compresses large values itself (TOAST). Read back with `readJson`.
 */
export function packedJsonParam(engine: Engine, json: string): string | Buffer {
  return engine === 'sqlite' ? packJson(json) : json;
}

/**
 * Two large JSON documents of one row (an offer's request and response) as bound for their columns.
 * On SQLite with a dictionary, packed together in one call (packJsonPair: the second column holds
 * both, the first a marker); without one, each packed alone; JSON texts on PostgreSQL. Read back
 * with `readJsonPair`.
 */
export function packedJsonPairParams(
  engine: Engine,
  firstJson: string,
  secondJson: string,
  dictionary?: PackingDictionary,
): [first: string | Buffer, second: string | Buffer] {
  if (engine !== 'sqlite') return [firstJson, secondJson];
  if (!dictionary) return [packJson(firstJson), packJson(secondJson)];
  const { first, pair } = packJsonPair(firstJson, secondJson, dictionary);
  return [first, pair];
}

/** The two columns written by `packedJsonPairParams` (or each by `packedJsonParam`), read back as documents. */
export function readJsonPair(first: unknown, second: unknown): [first: unknown, second: unknown] {
  if (isFirstOfPair(first)) {
    if (!(second instanceof Uint8Array)) throw new Error('the first of a packed pair, without its pair');
    const [a, b] = unpackJsonPair(second);
    return [JSON.parse(a) as unknown, JSON.parse(b) as unknown];
  }
  return [readJson(first), readJson(second)];
}
