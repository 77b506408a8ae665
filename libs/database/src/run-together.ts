import type { EntityManager } from 'typeorm';
import { preparedQuery } from './prepared-query';
import type { SqlStatement } from './sqlite-write-worker';

/** a bound parameter of a PostgreSQL statement: `$1`, `$2`… (fixed SQL built from metadata holds no `$` elsewhere) */
const PLACEHOLDER = /\$(\d+)/g;

/**
 * PostgreSQL: INSERT, UPDATE and DELETE statements as one statement, each but the last in a
 * data-modifying WITH clause (`WITH s0 AS (…), s1 AS (…) last`), its parameters renumbered after
 * those before it. PostgreSQL runs every part exactly once, to completion, all or nothing, with one
 * snapshot: so the parts must not depend on each other's effects (nor change the same row twice).
 * One round trip instead of one per statement.
 */
export function combineStatements(statements: readonly SqlStatement[]): SqlStatement {
  if (statements.length === 0) throw new Error('combineStatements: no statement');
  if (statements.length === 1) return statements[0];
  const params: unknown[] = [];
  const parts = statements.map((s) => {
    if (!/^\s*(INSERT|UPDATE|DELETE)\b/i.test(s.sql)) throw new Error(`combineStatements: not an INSERT, UPDATE or DELETE: ${s.sql.slice(0, 60)}`);
    if (s.mustChange) throw new Error('combineStatements: a mustChange statement must run alone (its own row count)');
    const offset = params.length;
    params.push(...s.params);
    return s.sql.replace(PLACEHOLDER, (_m, n: string) => {
      const i = Number(n);
      if (i < 1 || i > s.params.length) throw new Error(`combineStatements: $${n} has no parameter in ${s.sql.slice(0, 60)}`);
      return `$${i + offset}`;
    });
  });
  const last = parts.pop() as string;
  return { sql: `WITH ${parts.map((p, i) => `s${i} AS (${p})`).join(', ')} ${last}`, params };
}

/**
 * Writes whose order does not matter, in the manager's transaction: on PostgreSQL as one statement
 * (combineStatements: one round trip), elsewhere one after the other (SQLite runs them in process,
 * and has no data-modifying WITH).
 */
export async function runTogether(manager: EntityManager, statements: ReadonlyArray<SqlStatement | null>): Promise<void> {
  const present = statements.filter((s): s is SqlStatement => s !== null);
  if (present.length === 0) return;
  if (manager.connection.options.type === 'postgres') {
    const one = combineStatements(present);
    await preparedQuery(manager, one.sql, one.params);
    return;
  }
  for (const s of present) await preparedQuery(manager, s.sql, s.params);
}
