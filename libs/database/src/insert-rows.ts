import type { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { RecentValues } from '@app/core';
import type { SqlStatement } from './sql-statement';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { preparedQuery } from './prepared-query';

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
  for (const s of insertStatements(manager.connection, target, rows)) await preparedQuery(manager, s.sql, s.params);
}

/**
 * fastInsert of one row that a unique constraint may refuse because another got there first:
 * `INSERT … ON CONFLICT DO NOTHING` (SQLite 3.24+, PostgreSQL 9.5+), so the conflict is an
 * answer, not an error that would end a PostgreSQL transaction. True when this row was inserted.
 */
export async function fastInsertUnlessConflict<E extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<E>, row: E): Promise<boolean> {
  const [s] = insertStatements(manager.connection, target, [row]);
  return (await preparedQuery(manager, `${s.sql} ON CONFLICT DO NOTHING`, s.params)).affected === 1;
}

/**
 * How a column's value becomes a bound parameter: `as-is` (types every driver binds unchanged),
 * `sqlite-datetime` (TypeORM's SQLite datetime text), `pg-timestamp` (a Date bound as it is:
 * node-pg writes it in UTC, see pgUtcOptions, as TypeORM's driver would after its own
 * conversion, which leaves a Date a Date), `json` (simple-json: JSON text, or a JsonText's own),
 * `driver` (the driver's preparePersistentValue: needs TypeORM's metadata).
 */
type ColumnKind = 'as-is' | 'sqlite-datetime' | 'pg-timestamp' | 'json' | 'driver';

interface ColumnPlan {
  name: string;
  /** the row's own property (no embedded entity or relation in between) */
  property: string | undefined;
  kind: ColumnKind;
  /** for a value left undefined: now (created/updated dates), the literal default, or NULL */
  whenUndefined: 'now' | 'null' | { value: unknown };
}

/**
 * A table's multi-row INSERT, as plain data: it crosses to worker threads (structured clone), so
 * a thread that stores rows (the offer build threads) builds the same statements without TypeORM.
 */
export interface InsertPlan {
  head: string;
  /** `(?, ?, …)`: one row's placeholders (SQLite; PostgreSQL numbers them per statement) */
  tuple: string;
  columns: ColumnPlan[];
  perChunk: number;
  postgres: boolean;
  tableName: string;
}

/** the plan, and the column metadata for what only TypeORM can convert */
interface EntityPlan {
  plan: InsertPlan;
  metadata: ColumnMetadata[];
}

const plans = new WeakMap<EntityMetadata, EntityPlan>();

/** Types every driver binds as they are (no transformer): no per-value conversion needed. */
const AS_IS = new Set<unknown>(['varchar', 'text', 'character varying', 'int', 'integer', 'bigint', 'smallint', String, Number]);

/** recent datetime texts by epoch ms: a batch repeats the same instants (created, policy dates) */
const recentDatetimes = new RecentValues<number, string>(4096);

/** TypeORM's SQLite datetime text (`2026-11-25 21:40:00.123`, UTC) for a Date in years 0–9999; undefined otherwise. */
function sqliteDatetime(value: unknown): string | undefined {
  if (value instanceof Date) {
    const year = value.getUTCFullYear();
    if (year >= 0 && year <= 9999) {
      return recentDatetimes.get(value.getTime(), () => {
        const iso = value.toISOString();
        return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
      });
    }
  }
  return undefined;
}

function planFor(connection: DataSource, meta: EntityMetadata): EntityPlan {
  let entry = plans.get(meta);
  if (entry) return entry;
  const driver = connection.driver;
  const postgres = connection.options.type === 'postgres';
  const sqlite = connection.options.type === 'better-sqlite3' || connection.options.type === 'sqlite';
  const metadata = meta.columns.filter((c) => !c.isVirtual);
  const columns = metadata.map((c): ColumnPlan => {
    let kind: ColumnKind = 'driver';
    if (!c.transformer) {
      if (AS_IS.has(c.type)) kind = 'as-is';
      else if (c.type === 'simple-json') kind = 'json';
      else if (sqlite && (c.type === 'datetime' || c.type === Date)) kind = 'sqlite-datetime';
      else if (postgres && (c.type === 'timestamp' || c.type === Date)) kind = 'pg-timestamp';
    }
    const whenUndefined: ColumnPlan['whenUndefined'] =
      c.isCreateDate || c.isUpdateDate ? 'now' : c.default !== undefined && typeof c.default !== 'function' ? { value: c.default } : 'null';
    return { name: c.databaseName, property: c.embeddedMetadata || c.relationMetadata ? undefined : c.propertyName, kind, whenUndefined };
  });
  entry = {
    plan: {
      head: `INSERT INTO ${driver.escape(meta.tableName)} (${metadata.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `,
      columns,
      tuple: `(${columns.map(() => '?').join(', ')})`,
      perChunk: Math.max(1, Math.floor(MAX_PARAMS / columns.length)),
      postgres,
      tableName: meta.tableName,
    },
    metadata,
  };
  plans.set(meta, entry);
  return entry;
}

/**
 * The table's INSERT plan when it needs nothing of TypeORM at run time (every column a row
 * property, converted without the driver), for statementsFromPlan in another thread; else undefined.
 */
export function portableInsertPlan<E extends ObjectLiteral>(connection: DataSource, target: EntityTarget<E>): InsertPlan | undefined {
  const { plan } = planFor(connection, connection.getMetadata(target));
  return plan.columns.every((c) => c.kind !== 'driver' && c.property !== undefined) ? plan : undefined;
}

/** fastInsert's statements, to run later (TransactionRunner.runStatements). */
export function insertStatements<E extends ObjectLiteral>(connection: DataSource, target: EntityTarget<E>, rows: readonly E[]): SqlStatement[] {
  if (rows.length === 0) return [];
  const { plan, metadata } = planFor(connection, connection.getMetadata(target));
  const driver = connection.driver;
  return statementsFromPlan(plan, rows, {
    entityValue: (i, row) => metadata[i].getEntityValue(row),
    driverValue: (i, value) => driver.preparePersistentValue(value, metadata[i]),
  });
}

interface ByTypeOrm {
  /** a column's value read through an embedded entity or relation */
  entityValue: (column: number, row: ObjectLiteral) => unknown;
  /** the driver's own conversion */
  driverValue: (column: number, value: unknown) => unknown;
}

/**
 * The INSERT statements for `rows` by a plan: one multi-row statement per chunk. Without TypeORM
 * (`typeorm` omitted) the plan must be portable (portableInsertPlan).
 */
export function statementsFromPlan(plan: InsertPlan, rows: readonly ObjectLiteral[], typeorm?: ByTypeOrm): SqlStatement[] {
  const out: SqlStatement[] = [];
  const now = new Date();
  const columns = plan.columns;
  for (let start = 0; start < rows.length; start += plan.perChunk) {
    const end = Math.min(rows.length, start + plan.perChunk);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (let r = start; r < end; r++) {
      const row = rows[r];
      const first = params.length;
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i];
        let value: unknown = c.property !== undefined ? (row as Record<string, unknown>)[c.property] : typeorm?.entityValue(i, row);
        if (value === undefined) value = c.whenUndefined === 'now' ? now : c.whenUndefined === 'null' ? null : c.whenUndefined.value;
        params.push(value === null ? null : toParam(plan, c, i, value, typeorm));
      }
      tuples.push(plan.postgres ? `(${columns.map((_, i) => `$${first + i + 1}`).join(', ')})` : plan.tuple);
    }
    out.push({ sql: plan.head + tuples.join(', '), params });
  }
  return out;
}

function toParam(plan: InsertPlan, c: ColumnPlan, i: number, value: unknown, typeorm: ByTypeOrm | undefined): unknown {
  if (value instanceof JsonText) {
    if (c.kind !== 'json') throw new Error(`JsonText given for ${plan.tableName}.${c.name}, which is not a JSON column`);
    return value.text;
  }
  switch (c.kind) {
    case 'as-is':
      return value;
    case 'json':
      return JSON.stringify(value);
    case 'sqlite-datetime': {
      const text = sqliteDatetime(value);
      if (text !== undefined) return text;
      break;
    }
    case 'pg-timestamp':
      if (value instanceof Date) return value;
      break;
    default:
  }
  if (!typeorm) throw new Error(`${plan.tableName}.${c.name}: this value needs TypeORM's driver to be stored`);
  return typeorm.driverValue(i, value);
}
