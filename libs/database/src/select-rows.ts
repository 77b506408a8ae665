import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { TurnBatch } from '@app/core';
import { preparedQuery } from './prepared-query';
import { dialectOf, PlanCache, plainColumn } from './sql-plan';

interface SelectPlan {
  sql: string;
  columns: Array<{ property: string; name: string; metadata: ColumnMetadata }>;
  where: ColumnMetadata[];
}

const plans = new PlanCache<SelectPlan>();

function planFor(manager: EntityManager, meta: EntityMetadata, columns: readonly string[], where: readonly string[], limit: number | undefined): SelectPlan {
  return plans.get(meta, `${columns.join(',')}|${where.join(',')}|${limit ?? ''}`, () => {
    const sql = dialectOf(manager);
    const selected = columns.map((property) => {
      const metadata = plainColumn(meta, property, 'fastSelect');
      return { property, name: metadata.databaseName, metadata };
    });
    const filter = where.map((property) => plainColumn(meta, property, 'fastSelect'));
    const conditions = filter.map((c, i) => `${sql.escape(c.databaseName)} = ${sql.placeholder(i + 1)}`);
    return {
      sql:
        `SELECT ${selected.map((c) => sql.escape(c.name)).join(', ')} FROM ${sql.escape(meta.tableName)}` +
        (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '') +
        (limit !== undefined ? ` LIMIT ${Math.floor(limit)}` : ''),
      columns: selected,
      where: filter,
    };
  });
}

/**
 * The hot-path read by equality: `SELECT columns FROM table WHERE a = ? AND b = ? [LIMIT n]`. The
 * SQL text is built once per entity, columns, filter and limit from TypeORM's metadata, so it is
 * the same text every time and stays prepared (preparedQuery). Values are bound
 * with the driver's own conversion (preparePersistentValue) and read back with its own hydration
 * (prepareHydratedValue: dates, JSON, transformers), as `find` does, without the query builder's
 * per-call work. Rows come in the database's order (no ORDER BY), as `find` without `order`.
 * Conditions are equalities with a value: a null or undefined one is refused.
 */
export async function fastSelect<E extends ObjectLiteral, K extends keyof E & string, W extends keyof E & string>(
  manager: EntityManager,
  target: EntityTarget<E>,
  columns: readonly K[],
  where: { readonly [P in W]: E[P] },
  limit?: number,
): Promise<Array<Pick<E, K>>> {
  const meta = manager.connection.getMetadata(target);
  const keys = Object.keys(where) as W[];
  const plan = planFor(manager, meta, columns, keys, limit);
  const params: unknown[] = [];
  bindFilter(manager, meta, plan, keys, where, params, 'fastSelect');
  const { rows: raw } = await preparedQuery(manager, plan.sql, params);
  return raw.map((r) => hydrated<Pick<E, K>>(manager, plan, r));
}

/** the filter's values, converted by the driver, appended to `params`; null and undefined refused */
function bindFilter(manager: EntityManager, meta: EntityMetadata, plan: SelectPlan, keys: readonly string[], where: ObjectLiteral, params: unknown[], caller: string): void {
  const driver = manager.connection.driver;
  keys.forEach((k, i) => {
    const value: unknown = where[k];
    // `column = NULL` matches no row, where find would ignore the condition: say so instead
    if (value === null || value === undefined) throw new Error(`${caller}: ${meta.name}.${k} is compared with ${String(value)}`);
    params.push(driver.preparePersistentValue(value, plan.where[i]) as unknown);
  });
}

/** a row read, as `find` gives it: each column hydrated by the driver */
function hydrated<R>(manager: EntityManager, plan: SelectPlan, raw: Record<string, unknown>): R {
  const driver = manager.connection.driver;
  const row: Record<string, unknown> = {};
  for (const c of plan.columns) row[c.property] = driver.prepareHydratedValue(raw[c.name], c.metadata) as unknown;
  return row as R;
}

/** the column that says which filter a row of fastSelectEach answers */
const FILTER_INDEX = 'fast_select_filter';

/**
 * fastSelect for several filters of the same columns at once (reads asked together: one query,
 * one round trip): each filter's rows as fastSelect would read them alone, `[rows of the first
 * filter, rows of the second, …]`. The query is each filter's own `SELECT … WHERE a = ? AND b = ?
 * [LIMIT n]` joined by UNION ALL, so each part is planned as the read alone is (by the same index);
 * one SQL text per entity, columns, filter columns, limit and number of filters.
 */
export async function fastSelectEach<E extends ObjectLiteral, K extends keyof E & string, W extends keyof E & string>(
  manager: EntityManager,
  target: EntityTarget<E>,
  columns: readonly K[],
  filters: ReadonlyArray<{ readonly [P in W]: E[P] }>,
  limit?: number,
): Promise<Array<Array<Pick<E, K>>>> {
  if (filters.length === 0) return [];
  const meta = manager.connection.getMetadata(target);
  const keys = Object.keys(filters[0]) as W[];
  const one = planFor(manager, meta, columns, keys, limit);
  const sql = eachPlans.get(meta, `${columns.join(',')}|${keys.join(',')}|${limit ?? ''}|${filters.length}`, () => eachSql(manager, meta, one, limit, filters.length));
  const params: unknown[] = [];
  for (const f of filters) {
    const fk = Object.keys(f);
    if (fk.length !== keys.length || keys.some((k, i) => fk[i] !== k)) throw new Error(`fastSelectEach: every filter compares ${keys.join(', ')}`);
    bindFilter(manager, meta, one, keys, f, params, 'fastSelectEach');
  }
  const { rows: raw } = await preparedQuery(manager, sql, params);
  const out: Array<Array<Pick<E, K>>> = filters.map(() => []);
  for (const r of raw) out[Number(r[FILTER_INDEX])].push(hydrated<Pick<E, K>>(manager, one, r));
  return out;
}

const eachPlans = new PlanCache<string>();

/** the one-filter read once per filter (its placeholders numbered after those before it), joined by UNION ALL */
function eachSql(manager: EntityManager, meta: EntityMetadata, one: SelectPlan, limit: number | undefined, count: number): string {
  const sql = dialectOf(manager);
  const selected = one.columns.map((c) => sql.escape(c.name)).join(', ');
  const parts: string[] = [];
  for (let f = 0; f < count; f++) {
    const first = f * one.where.length;
    const conditions = one.where.map((c, i) => `${sql.escape(c.databaseName)} = ${sql.placeholder(first + i + 1)}`);
    const read =
      `SELECT ${f} AS ${sql.escape(FILTER_INDEX)}, ${selected} FROM ${sql.escape(meta.tableName)}` +
      (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '') +
      (limit !== undefined ? ` LIMIT ${Math.floor(limit)}` : '');
    parts.push(`SELECT * FROM (${read}) AS ${sql.escape(`f${f}`)}`);
  }
  return parts.join(' UNION ALL ');
}

/**
 * A lookup of at most one row by a unique key (`SELECT … WHERE key = ? LIMIT 1`, as fastSelect)
 * for a read that comes in crowds (one per request of a busy route): on PostgreSQL the lookups
 * asked during one turn of the event loop go as one query (fastSelectEach, at most `max` per
 * query; a lookup alone in its turn as fastSelect), since a round trip costs the server and the
 * event loop more than a lookup by key; on SQLite, in process, each runs at once. Only for unique
 * keys: each part of the union is then an index lookup whatever the statistics (a union of reads
 * of many rows each, the quotes of several offers, was planned as a parallel scan here). The
 * filters must name the same columns in the same order.
 */
export class LookupInTurns<E extends ObjectLiteral, K extends keyof E & string, W extends keyof E & string> {
  private readonly batch: TurnBatch<{ readonly [P in W]: E[P] }, Pick<E, K> | undefined> | undefined;

  constructor(
    private readonly manager: EntityManager,
    private readonly target: EntityTarget<E>,
    private readonly columns: readonly K[],
    max = 16,
  ) {
    if (manager.connection.options.type === 'postgres') {
      this.batch = new TurnBatch<{ readonly [P in W]: E[P] }, Pick<E, K> | undefined>(async (filters) => {
        if (filters.length === 1) return [(await fastSelect(manager, target, columns, filters[0], 1))[0]];
        return (await fastSelectEach(manager, target, columns, filters, 1)).map(([row]) => row);
      }, max);
    }
  }

  /** the row, or undefined */
  async read(filter: { readonly [P in W]: E[P] }): Promise<Pick<E, K> | undefined> {
    if (this.batch) return this.batch.add(filter);
    return (await fastSelect(this.manager, this.target, this.columns, filter, 1))[0];
  }
}
