import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

interface SelectPlan {
  sql: string;
  columns: Array<{ property: string; name: string; metadata: ColumnMetadata }>;
  where: ColumnMetadata[];
}

/** per entity: the plans by columns, filter and limit */
const plans = new WeakMap<EntityMetadata, Map<string, SelectPlan>>();

function planFor(manager: EntityManager, meta: EntityMetadata, columns: readonly string[], where: readonly string[], limit: number | undefined): SelectPlan {
  let byShape = plans.get(meta);
  if (!byShape) {
    byShape = new Map();
    plans.set(meta, byShape);
  }
  const shape = `${columns.join(',')}|${where.join(',')}|${limit ?? ''}`;
  let plan = byShape.get(shape);
  if (plan) return plan;
  const driver = manager.connection.driver;
  const postgres = manager.connection.options.type === 'postgres';
  const column = (property: string): ColumnMetadata => {
    const c = meta.findColumnWithPropertyName(property);
    if (!c || c.embeddedMetadata || c.relationMetadata) throw new Error(`fastSelect: ${meta.name}.${property} is not a plain column`);
    return c;
  };
  const selected = columns.map((property) => {
    const metadata = column(property);
    return { property, name: metadata.databaseName, metadata };
  });
  const filter = where.map(column);
  const conditions = filter.map((c, i) => `${driver.escape(c.databaseName)} = ${postgres ? `$${i + 1}` : '?'}`);
  plan = {
    sql:
      `SELECT ${selected.map((c) => driver.escape(c.name)).join(', ')} FROM ${driver.escape(meta.tableName)}` +
      (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '') +
      (limit !== undefined ? ` LIMIT ${Math.floor(limit)}` : ''),
    columns: selected,
    where: filter,
  };
  byShape.set(shape, plan);
  return plan;
}

/**
 * The hot-path read by equality: `SELECT columns FROM table WHERE a = ? AND b = ? [LIMIT n]`. The
 * SQL text is built once per entity, columns, filter and limit from TypeORM's metadata, so it is
 * the same text every time and stays prepared in the driver's statement cache. Values are bound
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
  const raw = (await manager.query(plan.sql, params)) as Array<Record<string, unknown>>;
  return raw.map((r) => {
    const row: Record<string, unknown> = {};
    for (const c of plan.columns) row[c.property] = driver.prepareHydratedValue(r[c.name], c.metadata) as unknown;
    return row as Pick<E, K>;
  });
}
