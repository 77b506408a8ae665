import type { EntityManager } from 'typeorm';
import { preparedQuery } from './prepared-query';
import { RowNotChangedError, type SqlStatement } from './sql-statement';

/** a bound parameter of a PostgreSQL statement: `$1`, `$2`… (fixed SQL built from metadata holds no `$` elsewhere) */
const PLACEHOLDER = /\$(\d+)/g;

const DATA_MODIFYING = /^\s*(INSERT|UPDATE|DELETE)\b/i;

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
  const lastIndex = statements.length - 1;
  statements.forEach((s, index) => {
    // the statement's row count is its last part's: only that part may have to change rows
    if (s.mustChange && index !== lastIndex) throw new Error('combineStatements: only the last statement may be mustChange (the row count is its own)');
  });
  const { parts, params } = renumbered(statements);
  const last = parts.pop() as string;
  const { mustChange, rows } = statements[lastIndex];
  return {
    sql: `WITH ${parts.map((p, i) => `s${i} AS (${p})`).join(', ')} ${last}`,
    params,
    ...(mustChange ? { mustChange, ...(rows !== undefined ? { rows } : {}) } : {}),
  };
}

/** the statements' texts, each one's placeholders numbered after those before it, and all their parameters */
function renumbered(statements: readonly SqlStatement[]): { parts: string[]; params: unknown[] } {
  const params: unknown[] = [];
  const parts = statements.map((s) => {
    if (!DATA_MODIFYING.test(s.sql)) throw new Error(`combineStatements: not an INSERT, UPDATE or DELETE: ${s.sql.slice(0, 60)}`);
    const offset = params.length;
    params.push(...s.params);
    return s.sql.replace(PLACEHOLDER, (_m, n: string) => {
      const i = Number(n);
      if (i < 1 || i > s.params.length) throw new Error(`combineStatements: $${n} has no parameter in ${s.sql.slice(0, 60)}`);
      return `$${i + offset}`;
    });
  });
  return { parts, params };
}

/** PostgreSQL binds at most this many parameters per statement (the protocol's 16-bit count) */
export const PG_MAX_PARAMS = 65535;

/**
 * The statements of a PostgreSQL transaction as one (combineStatements), when they can be: all
 * INSERT, UPDATE or DELETE, only the last one `mustChange`, their parameters within the
 * protocol's limit. Undefined otherwise. They must not depend on each other's effects (see
 * combineStatements): the inserts of new rows, as Create Offer's, do not.
 */
export function asOneStatement(statements: readonly SqlStatement[]): SqlStatement | undefined {
  if (statements.length === 0) return undefined;
  let params = 0;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i];
    if (!DATA_MODIFYING.test(s.sql) || (s.mustChange && i !== statements.length - 1)) return undefined;
    params += s.params.length;
  }
  return params <= PG_MAX_PARAMS ? combineStatements(statements) : undefined;
}

/** `INSERT … VALUES ` + one row of placeholders (`$n` or `?`) + what may follow it */
const ONE_ROW_INSERT = /^(INSERT INTO [^]+? VALUES )\(((?:\$\d+|\?)(?:, (?:\$\d+|\?))*)\)( ON CONFLICT DO NOTHING)?$/;

/** merged rows stay under this many parameters per statement (as the insert plans' chunks) */
const MERGE_MAX_PARAMS = 16000;

/**
 * Consecutive statements of the same one-row INSERT text (an idempotency key's record per offer)
 * as one multi-row INSERT: one statement to run instead of one per row. Its placeholders must
 * number its parameters in order (`$1, $2, …`, or all `?`). When each of them must insert
 * (`mustChange`), so must the merged one, each of its rows (`rows`): a conflict on any fails it as
 * it would have failed one of them. Other statements, and a run that mixes statements that must
 * change rows with ones that need not, are left as they are.
 */
export function mergeInserts(statements: readonly SqlStatement[]): SqlStatement[] {
  const out: SqlStatement[] = [];
  for (let i = 0; i < statements.length; ) {
    let end = i + 1;
    while (end < statements.length && statements[end].sql === statements[i].sql && Boolean(statements[end].mustChange) === Boolean(statements[i].mustChange)) end++;
    if (end - i === 1) {
      out.push(statements[i]);
    } else {
      out.push(...mergeRun(statements.slice(i, end)));
    }
    i = end;
  }
  return out;
}

function mergeRun(run: readonly SqlStatement[]): SqlStatement[] {
  const m = ONE_ROW_INSERT.exec(run[0].sql);
  if (!m) return [...run];
  const [, head, tuple, tail = ''] = m;
  const placeholders = tuple.split(', ');
  const width = placeholders.length;
  const numbered = placeholders[0] !== '?';
  if (numbered ? placeholders.some((p, i) => p !== `$${i + 1}`) : placeholders.some((p) => p !== '?')) return [...run];
  if (run.some((s) => s.params.length !== width || (s.rows ?? 1) !== 1)) return [...run];
  const perStatement = Math.max(1, Math.floor(MERGE_MAX_PARAMS / width));
  const out: SqlStatement[] = [];
  for (let start = 0; start < run.length; start += perStatement) {
    const chunk = run.slice(start, start + perStatement);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const s of chunk) {
      const first = params.length;
      params.push(...s.params);
      tuples.push(numbered ? `(${placeholders.map((_, i) => `$${first + i + 1}`).join(', ')})` : `(${tuple})`);
    }
    out.push({ sql: `${head}${tuples.join(', ')}${tail}`, params, ...(run[0].mustChange ? { mustChange: true, rows: chunk.length } : {}) });
  }
  return out;
}

/** what the guard's check fails with on PostgreSQL: this text, cast to an integer (SQLSTATE 22P02) */
const GUARD_FAILED = 'guard changed no row';

/**
 * Writes whose order does not matter, all or nothing: on PostgreSQL as one statement
 * (combineStatements: one round trip), elsewhere one after the other (SQLite runs them in process,
 * and has no data-modifying WITH) in the manager's transaction, which the caller must then hold.
 *
 * With a `guard` (a conditional UPDATE that must change a row, as "this offer is still
 * confirmable"), the writes stand only if it did: RowNotChangedError, nothing written, when it
 * changed no row. The writes must not depend on each other's effects nor on the guard's (see
 * combineStatements). On PostgreSQL the guard is the first part of the statement and a final
 * SELECT fails the statement when the guard's part returned no row; elsewhere the guard runs
 * first. On PostgreSQL outside a transaction the statement is a transaction of its own: one round
 * trip instead of BEGIN, the guard, the writes, COMMIT.
 */
export async function runTogether(manager: EntityManager, statements: ReadonlyArray<SqlStatement | null>, guard?: SqlStatement): Promise<void> {
  if (guard && !/^\s*UPDATE\b/i.test(guard.sql)) throw new Error('runTogether: the guard must be an UPDATE');
  const present = statements.filter((s): s is SqlStatement => s !== null);
  if (manager.connection.options.type !== 'postgres') {
    if (guard && (await preparedQuery(manager, guard.sql, guard.params)).affected === 0) throw new RowNotChangedError(guard.sql);
    for (const s of present) await preparedQuery(manager, s.sql, s.params);
    return;
  }
  if (!guard) {
    if (present.length === 0) return;
    const one = combineStatements(present);
    await preparedQuery(manager, one.sql, one.params);
    return;
  }
  const { parts, params } = renumbered([{ sql: `${guard.sql} RETURNING 1`, params: guard.params }, ...present]);
  // the guard's part is s0; the check fails the statement (22P02, GUARD_FAILED) when it returned no row
  const sql = `WITH ${parts.map((p, i) => `s${i} AS (${p})`).join(', ')} SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM s0) THEN '1' ELSE '${GUARD_FAILED}' END AS integer) AS guarded`;
  try {
    await preparedQuery(manager, sql, params);
  } catch (e) {
    if (isGuardFailure(e)) throw new RowNotChangedError(guard.sql);
    throw e;
  }
}

function isGuardFailure(e: unknown): boolean {
  const driverError = (e as { driverError?: { code?: unknown; message?: unknown } } | null)?.driverError ?? (e as { code?: unknown; message?: unknown } | null);
  return driverError?.code === '22P02' && typeof driverError.message === 'string' && driverError.message.includes(GUARD_FAILED);
}
