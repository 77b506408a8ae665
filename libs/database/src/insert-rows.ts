import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
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

/** fastInsert's statements, to run later (TransactionRunner.runStatements). */
export function insertStatements<E extends ObjectLiteral>(connection: DataSource, target: EntityTarget<E>, rows: readonly E[]): SqlStatement[] {
  const out: SqlStatement[] = [];
  if (rows.length === 0) return out;
  const meta = connection.getMetadata(target);
  const driver = connection.driver;
  const columns = meta.columns.filter((c) => !c.isVirtual);
  const postgres = connection.options.type === 'postgres';
  const head = `INSERT INTO ${driver.escape(meta.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `;
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const now = new Date();
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const marks = columns.map((c) => {
        let value: unknown = c.getEntityValue(row);
        if (value === undefined) {
          if (c.isCreateDate || c.isUpdateDate) value = now;
          else if (c.default !== undefined && typeof c.default !== 'function') value = c.default;
          else value = null;
        }
        if (value instanceof JsonText) {
          if (c.type !== 'simple-json') throw new Error(`JsonText given for ${meta.tableName}.${c.databaseName}, which is not a JSON column`);
          params.push(value.text);
        } else {
          params.push(value === null ? null : driver.preparePersistentValue(value, c));
        }
        return postgres ? `$${params.length}` : '?';
      });
      return `(${marks.join(', ')})`;
    });
    out.push({ sql: head + tuples.join(', '), params });
  }
  return out;
}
