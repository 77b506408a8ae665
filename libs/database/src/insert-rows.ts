import type { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { RecentValues } from '@app/core';
import type { SqlStatement } from './sqlite-write-worker';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * Plain INSERT of whole rows. TypeORM's partial-entity typing cannot express JSON columns typed
 * `unknown` or recursive; the rows here are complete entities, so the cast is safe.
 */
export async function insertRows<E extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<E>, rows: E | E[]): Promise<void> {
  if (Array.isArray(rows) && rows.length === 0) return;
  await manager.insert(target, rows as QueryDeepPartialEntity<E> | QueryDeepPartialEntity<E>[]);
}

export function partialRow<E extends ObjectLiteral>(values: Partial<E>): QueryDeepPartialEntity<E> {
  return values as QueryDeepPartialEntity<E>;
}

/**
 * A value for a JSON (`simple-json`) column that is already serialised, e.g. a response body that
 * is also sent as it is: fastInsert stores the text instead of serialising the value again.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** SQLite allows 32766 bound parameters per statement, PostgreSQL 65535: stay well below both. */
const MAX_PARAMS = 16000;

/**
 * The hot-path INSERT: one multi-row statement per chunk, built straight from the entity's
 * metadata (column names, and each driver's own conversion of values: JSON text, SQLite date
 * strings), without the query builder's per-row work. Rows must be whole entities; a column left
 * undefined takes now() for created/updated dates, its literal default, or NULL.
 */
export async function fastInsert<E extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<E>, rows: readonly E[]): Promise<void> {
  for (const s of insertStatements(manager.connection, target, rows)) await manager.query(s.sql, s.params);
}

interface ColumnPlan {
  column: ColumnMetadata;
  /** the row's own property (no embedded entity or relation in between) */
  property: string | undefined;
  convert: (value: unknown) => unknown;
}

interface InsertPlan {
  head: string;
  /** `(?, ?, …)`: one row's placeholders (SQLite; PostgreSQL numbers them per statement) */
  tuple: string;
  columns: ColumnPlan[];
  perChunk: number;
  postgres: boolean;
  tableName: string;
}

const plans = new WeakMap<EntityMetadata, InsertPlan>();

/** Types every driver binds as they are (no transformer): no per-value conversion needed. */
const AS_IS = new Set<unknown>(['varchar', 'text', 'character varying', 'int', 'integer', 'bigint', 'smallint', String, Number]);

/** recent datetime texts by epoch ms: a batch repeats the same instants (created, policy dates) */
const recentDatetimes = new RecentValues<number, string>(4096);

/** TypeORM's SQLite datetime text (`2026-11-25 21:40:00.123`, UTC) for a Date in years 0–9999. */
function sqliteDatetime(value: unknown, fallback: (v: unknown) => unknown): unknown {
  if (value instanceof Date) {
    const year = value.getUTCFullYear();
    if (year >= 0 && year <= 9999) {
      return recentDatetimes.get(value.getTime(), () => {
        const iso = value.toISOString();
        return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
      });
    }
  }
  return fallback(value);
}

function planFor(connection: DataSource, meta: EntityMetadata): InsertPlan {
  let plan = plans.get(meta);
  if (plan) return plan;
  const driver = connection.driver;
  const postgres = connection.options.type === 'postgres';
  const sqlite = connection.options.type === 'better-sqlite3' || connection.options.type === 'sqlite';
  const columns = meta.columns
    .filter((c) => !c.isVirtual)
    .map((c): ColumnPlan => {
      const byDriver = (v: unknown): unknown => driver.preparePersistentValue(v, c);
      let convert = byDriver;
      if (!c.transformer) {
        if (AS_IS.has(c.type)) convert = (v) => v;
        else if (sqlite && (c.type === 'datetime' || c.type === Date)) convert = (v) => sqliteDatetime(v, byDriver);
      }
      return { column: c, property: c.embeddedMetadata || c.relationMetadata ? undefined : c.propertyName, convert };
    });
  plan = {
    head: `INSERT INTO ${driver.escape(meta.tableName)} (${columns.map((c) => driver.escape(c.column.databaseName)).join(', ')}) VALUES `,
    columns,
    tuple: `(${columns.map(() => '?').join(', ')})`,
    perChunk: Math.max(1, Math.floor(MAX_PARAMS / columns.length)),
    postgres,
    tableName: meta.tableName,
  };
  plans.set(meta, plan);
  return plan;
}

/** fastInsert's statements, to run later (TransactionRunner.runStatements). */
export function insertStatements<E extends ObjectLiteral>(connection: DataSource, target: EntityTarget<E>, rows: readonly E[]): SqlStatement[] {
  const out: SqlStatement[] = [];
  if (rows.length === 0) return out;
  const plan = planFor(connection, connection.getMetadata(target));
  const now = new Date();
  for (let start = 0; start < rows.length; start += plan.perChunk) {
    const end = Math.min(rows.length, start + plan.perChunk);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (let r = start; r < end; r++) {
      const row = rows[r];
      const first = params.length;
      for (const { column: c, property, convert } of plan.columns) {
        let value: unknown = property !== undefined ? (row as Record<string, unknown>)[property] : c.getEntityValue(row);
        if (value === undefined) {
          if (c.isCreateDate || c.isUpdateDate) value = now;
          else if (c.default !== undefined && typeof c.default !== 'function') value = c.default;
          else value = null;
        }
        if (value instanceof JsonText) {
          if (c.type !== 'simple-json') throw new Error(`JsonText given for ${plan.tableName}.${c.databaseName}, which is not a JSON column`);
          params.push(value.text);
        } else {
          params.push(value === null ? null : convert(value));
        }
      }
      tuples.push(plan.postgres ? `(${plan.columns.map((_, i) => `$${first + i + 1}`).join(', ')})` : plan.tuple);
    }
    out.push({ sql: plan.head + tuples.join(', '), params });
  }
  return out;
}
