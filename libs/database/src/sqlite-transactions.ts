import Database from 'better-sqlite3';
import { changedTooFew, RowNotChangedError, type SqlStatement } from './sql-statement';
import { SqliteWriteLock } from './write-lock';

/**
 * What a worker thread needs to write to the app's SQLite file itself: the file, the main
 * connection's pragmas, and the write lock it shares with the event loop (TransactionRunner).
 * Plain data: it crosses to the thread.
 */
export interface SqliteWriteTarget {
  path: string;
  /** PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA */
  synchronous: number;
  foreignKeys: boolean;
  busyTimeoutMs: number;
  lock: SharedArrayBuffer;
}

/** the driver binds numbers, strings, bigints, buffers and null; TypeORM's SQLite columns store booleans as 0/1 */
const bindable = (p: unknown): unknown => (p === true ? 1 : p === false ? 0 : p === undefined ? null : p);

/**
 * Synchronous transactions on a connection of its own, for a worker thread (better-sqlite3 runs
 * every statement and the commit's fsync on the calling thread). Each run takes the write lock
 * first, so the event loop's own transactions never meet a busy database; statements are prepared
 * once per SQL text.
 */
export class SqliteTransactions {
  readonly engine = 'sqlite';
  /** one writer at a time */
  readonly concurrency = 1;
  private readonly db: Database.Database;
  private readonly lock: SqliteWriteLock;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;

  constructor(private readonly target: SqliteWriteTarget) {
    this.db = new Database(target.path, { fileMustExist: true });
    this.db.pragma(`synchronous = ${target.synchronous}`);
    this.db.pragma(`foreign_keys = ${target.foreignKeys ? 'ON' : 'OFF'}`);
    this.db.pragma(`busy_timeout = ${target.busyTimeoutMs}`);
    // as on the main connection (data-source-options.ts): freed space and pages are zeroed
    this.db.pragma('secure_delete = ON');
    this.lock = new SqliteWriteLock(target.lock);
    this.begin = this.db.prepare('BEGIN IMMEDIATE');
    this.commit = this.db.prepare('COMMIT');
    this.rollback = this.db.prepare('ROLLBACK');
  }

  /**
   * The statements in one transaction: all committed, or none (the error is thrown). With
   * `rollBack`, they run and are rolled back: nothing is stored (a warm-up's rehearsal).
   */
  run(statements: readonly SqlStatement[], options: { rollBack?: boolean } = {}): void {
    this.lock.acquireSync(this.target.busyTimeoutMs);
    try {
      this.begin.run();
      try {
        for (const s of statements) {
          const r = this.prepared(s.sql).run(...s.params.map(bindable));
          if (changedTooFew(s, r.changes)) throw new RowNotChangedError(s.sql);
        }
        (options.rollBack ? this.rollback : this.commit).run();
      } catch (e) {
        if (this.db.inTransaction) this.rollback.run();
        throw e;
      }
    } finally {
      this.lock.release();
    }
  }

  close(): void {
    this.db.close();
  }

  private prepared(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      if (this.statements.size >= 256) this.statements.clear();
      this.statements.set(sql, s);
    }
    return s;
  }
}
