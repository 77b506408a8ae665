/** One SQL statement with its parameters, as the driver takes them. */
export interface SqlStatement {
  sql: string;
  /** positional (`?`, `$n`), or on SQLite one object of named parameters (`@name`) */
  params: unknown[];
  /**
   * The statement must change a row (a conditional insert or update): when it changes none, the
   * transaction fails with code ROW_NOT_CHANGED and nothing of it is stored. Every runner of
   * statements honours it (SqliteTransactions, PgTransactions, TransactionRunner.runStatements).
   */
  mustChange?: boolean;
  /** with `mustChange`: how many rows it must change (a multi-row insert: each of its rows); 1 when absent */
  rows?: number;
}

/** true when a `mustChange` statement changed fewer rows than it must */
export function changedTooFew(s: SqlStatement, changed: number): boolean {
  return s.mustChange === true && changed < (s.rows ?? 1);
}

/** The code of a transaction that failed because a `mustChange` statement changed no row. */
export const ROW_NOT_CHANGED = 'ROW_NOT_CHANGED';

/** A `mustChange` statement changed no row; its transaction was rolled back. */
export class RowNotChangedError extends Error {
  readonly code = ROW_NOT_CHANGED;
  constructor(sql: string) {
    super(`the statement changed no row: ${sql.slice(0, 120)}`);
    this.name = 'RowNotChangedError';
  }
}

/** true for a failure of a `mustChange` statement, whichever thread ran it */
export function isRowNotChanged(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === ROW_NOT_CHANGED;
}
