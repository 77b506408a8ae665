import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
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
  const driver = manager.connection.driver;
  const params = keys.map((k, i) => {
    const value: unknown = where[k];
    // `column = NULL` matches no row, where find would ignore the condition: say so instead
    if (value === null || value === undefined) throw new Error(`fastSelect: ${meta.name}.${k} is compared with ${String(value)}`);
    return driver.preparePersistentValue(value, plan.where[i]) as unknown;
  });
  const { rows: raw } = await preparedQuery(manager, plan.sql, params);
  return raw.map((r) => {
    const row: Record<string, unknown> = {};
    for (const c of plan.columns) row[c.property] = driver.prepareHydratedValue(r[c.name], c.metadata) as unknown;
    return row as Pick<E, K>;
  });
}
