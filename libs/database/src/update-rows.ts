import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { preparedQuery } from './prepared-query';
import type { SqlStatement } from './sql-statement';
import { dialectOf, PlanCache, plainColumn } from './sql-plan';

/** A condition of fastUpdate other than equality: the column is one of these values. */
export class OneOf<V> {
  constructor(readonly values: readonly V[]) {}
}

/** A condition of fastUpdate other than equality: the column is greater than this value. */
export class GreaterThan<V> {
  constructor(readonly value: V) {}
}

export const oneOf = <V>(values: readonly V[]): OneOf<V> => new OneOf(values);
export const greaterThan = <V>(value: V): GreaterThan<V> => new GreaterThan(value);

/** What fastUpdate's `where` accepts per column: a value (equality), oneOf(values), greaterThan(value). */
export type UpdateCondition<V> = V | OneOf<V> | GreaterThan<V>;

interface UpdatePlan {
  sql: string;
  set: ColumnMetadata[];
  where: ColumnMetadata[];
}

const plans = new PlanCache<UpdatePlan>();

type Op = { op: 'eq' } | { op: 'in'; count: number } | { op: 'gt' };

/** a condition's operator and the values it compares with */
function opOf(condition: unknown): { op: Op; compared: readonly unknown[] } {
  if (condition instanceof OneOf) return { op: { op: 'in', count: condition.values.length }, compared: condition.values };
  if (condition instanceof GreaterThan) return { op: { op: 'gt' }, compared: [condition.value] };
  return { op: { op: 'eq' }, compared: [condition] };
}

function planFor(manager: EntityManager, meta: EntityMetadata, set: readonly string[], where: ReadonlyArray<[string, Op]>): UpdatePlan {
  const shape = `${set.join(',')}|${where.map(([k, o]) => `${k} ${o.op}${o.op === 'in' ? o.count : ''}`).join(',')}`;
  return plans.get(meta, shape, () => {
    const sql = dialectOf(manager);
    const setColumns = set.map((p) => plainColumn(meta, p, 'fastUpdate'));
    const whereColumns: ColumnMetadata[] = [];
    let n = 0;
    const assignments = setColumns.map((c) => `${sql.escape(c.databaseName)} = ${sql.placeholder(++n)}`);
    const conditions = where.map(([property, o]) => {
      const c = plainColumn(meta, property, 'fastUpdate');
      const name = sql.escape(c.databaseName);
      if (o.op === 'in') {
        const marks = Array.from({ length: o.count }, () => {
          whereColumns.push(c);
          return sql.placeholder(++n);
        });
        return `${name} IN (${marks.join(', ')})`;
      }
      whereColumns.push(c);
      return `${name} ${o.op === 'gt' ? '>' : '='} ${sql.placeholder(++n)}`;
    });
    return {
      sql: `UPDATE ${sql.escape(meta.tableName)} SET ${assignments.join(', ')}` + (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''),
      set: setColumns,
      where: whereColumns,
    };
  });
}

/**
 * The hot-path update: `UPDATE table SET a = ?, b = ? WHERE c = ? AND d IN (?, ?) AND e > ?`,
 * returning the number of rows it changed. As fastSelect: the SQL text is built once per entity and
 * shape (columns set, conditions, size of each IN list) from TypeORM's metadata and stays prepared;
 * values, set or compared, are bound with the driver's own conversion (preparePersistentValue:
 * dates, JSON, transformers). Nothing is set implicitly (an update date column is set only when it
 * is given). A condition on null or undefined is refused (`column = NULL` matches no row), and
 * oneOf([]) matches nothing without a query. Run it with a transaction's manager (or any manager:
 * a query runner is then taken and released for the one statement). On PostgreSQL the text is a
 * named statement (preparedQuery).
 */
export async function fastUpdate<E extends ObjectLiteral, S extends keyof E & string, W extends keyof E & string>(
  manager: EntityManager,
  target: EntityTarget<E>,
  set: { readonly [P in S]: E[P] },
  where: { readonly [P in W]: UpdateCondition<E[P]> },
): Promise<number> {
  const statement = updateStatement(manager, target, set, where);
  return statement ? (await preparedQuery(manager, statement.sql, statement.params)).affected : 0;
}

/** fastUpdate's statement, to run later or with others (runTogether); null when it can match no row (oneOf([])). */
export function updateStatement<E extends ObjectLiteral, S extends keyof E & string, W extends keyof E & string>(
  manager: EntityManager,
  target: EntityTarget<E>,
  set: { readonly [P in S]: E[P] },
  where: { readonly [P in W]: UpdateCondition<E[P]> },
): SqlStatement | null {
  const meta = manager.connection.getMetadata(target);
  const setKeys = Object.keys(set) as S[];
  if (setKeys.length === 0) throw new Error(`fastUpdate: nothing to set on ${meta.name}`);
  const whereKeys = Object.keys(where) as W[];
  const values: unknown[] = [];
  const ops: Array<[string, Op]> = [];
  for (const k of whereKeys) {
    const { op: o, compared } = opOf(where[k]);
    for (const v of compared) {
      if (v === null || v === undefined) throw new Error(`fastUpdate: ${meta.name}.${k} is compared with ${String(v)}`);
      values.push(v);
    }
    if (o.op === 'in' && o.count === 0) return null;
    ops.push([k, o]);
  }
  const plan = planFor(manager, meta, setKeys, ops);
  const driver = manager.connection.driver;
  const params = [
    ...setKeys.map((k, i) => driver.preparePersistentValue(set[k], plan.set[i]) as unknown),
    ...values.map((v, i) => driver.preparePersistentValue(v, plan.where[i]) as unknown),
  ];
  return { sql: plan.sql, params };
}
