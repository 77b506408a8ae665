import { Worker } from 'node:worker_threads';
import { closeThread } from '@app/core';

/** One SQL statement with its positional parameters, as the driver takes them. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
  /**
   * The statement must change a row (a conditional insert or update): when it changes none, the
   * transaction fails with code ROW_NOT_CHANGED and nothing of it is stored. Every runner of
   * statements honours it (this worker, SqliteTransactions, TransactionRunner.runStatements).
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

/** A write the worker refused or that failed in SQLite; `code` is SQLite's (`SQLITE_CONSTRAINT_PRIMARYKEY`…). */
export class SqliteWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'SqliteWriteError';
  }
}

/**
 * The worker's code, plain CommonJS run with `eval` so that it is the same under `node dist/…`
 * and under Jest (which compiles TypeScript only in its own module system). It opens its own
 * connection to the database file with the main connection's pragmas and runs each message's
 * statements in one `BEGIN IMMEDIATE … COMMIT`, prepared once per SQL text. Messages are handled
 * one at a time, in order.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
try {
  // named for top -H and the benchmark's per-thread CPU (Linux)
  require('node:fs').writeFileSync('/proc/thread-self/comm', 'sqlite-writer');
} catch {
  // elsewhere threads keep the process's name
}
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true });
  db.pragma('synchronous = ' + workerData.synchronous);
  db.pragma('foreign_keys = ' + (workerData.foreignKeys ? 'ON' : 'OFF'));
  db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
} catch (e) {
  parentPort.postMessage({ id: 0, ok: false, error: { message: String(e && e.message || e), code: e && e.code } });
  throw e;
}
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
const rollback = db.prepare('ROLLBACK');
const statements = new Map();
function prepared(sql) {
  let s = statements.get(sql);
  if (s === undefined) {
    s = db.prepare(sql);
    if (statements.size >= 256) statements.clear();
    statements.set(sql, s);
  }
  return s;
}
// the driver binds numbers, strings, bigints, buffers and null; TypeORM's SQLite columns store booleans as 0/1
const bindable = (p) => (p === true ? 1 : p === false ? 0 : p === undefined ? null : p);
parentPort.on('message', (msg) => {
  if (msg.close) {
    db.close();
    parentPort.postMessage({ closed: true });
    return;
  }
  try {
    begin.run();
    try {
      for (const s of msg.statements) {
        const r = prepared(s.sql).run(s.params.map(bindable));
        if (s.mustChange && r.changes < (s.rows ?? 1)) throw Object.assign(new Error('the statement changed no row: ' + s.sql.slice(0, 120)), { code: '${ROW_NOT_CHANGED}' });
      }
      commit.run();
    } catch (e) {
      if (db.inTransaction) rollback.run();
      throw e;
    }
    parentPort.postMessage({ id: msg.id, ok: true });
  } catch (e) {
    parentPort.postMessage({ id: msg.id, ok: false, error: { message: String(e && e.message || e), code: e && e.code } });
  }
});
parentPort.postMessage({ ready: true });
`;

interface Reply {
  id?: number;
  ok?: boolean;
  ready?: boolean;
  closed?: boolean;
  error?: { message: string; code?: string };
}

export interface SqliteWriteWorkerOptions {
  path: string;
  /** PRAGMA synchronous of the main connection: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA */
  synchronous: number;
  foreignKeys: boolean;
  busyTimeoutMs: number;
}

/**
 * Writes to a SQLite file from a worker thread with its own connection. better-sqlite3 runs every
 * statement, commit and fsync on the calling thread; for the hot write path (Create Offer's group
 * commit) that is CPU the event loop does not spend serving requests. Callers must not let this
 * write overlap a transaction of the main connection (TransactionRunner serialises both), so the
 * two connections never race for the write lock.
 *
 * If the worker dies, its pending writes are rejected and the next write starts a new one.
 */
export class SqliteWriteWorker {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: SqliteWriteWorkerOptions) {}

  /** Starts the worker (idempotent); resolves once its connection is open. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the SQLite write worker is closed'));
    if (this.ready) return this.ready;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ...this.options, driver: require.resolve('better-sqlite3') },
      stdout: false,
      stderr: false,
    });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: Reply): void => {
        if (m.ready) return resolve();
        if (m.closed) return;
        if (m.id === 0 && m.error) return reject(new SqliteWriteError(m.error.message, m.error.code));
        const p = m.id !== undefined ? this.pending.get(m.id) : undefined;
        if (!p) return;
        this.pending.delete(m.id as number);
        if (this.pending.size === 0) worker.unref();
        if (m.ok) p.resolve();
        else p.reject(new SqliteWriteError(m.error?.message ?? 'write failed', m.error?.code));
      };
      const onGone = (reason: Error): void => {
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.ready = undefined;
        reject(reason);
        for (const p of this.pending.values()) p.reject(reason);
        this.pending.clear();
      };
      worker.on('message', onMessage);
      worker.on('error', (e: Error) => onGone(e));
      worker.on('exit', (code) => onGone(new Error(`the SQLite write worker exited (code ${code})`)));
    });
    // a failed start is reported to the caller that awaits it, not as an unhandled rejection
    this.ready.catch(() => undefined);
    // the thread keeps the process alive only while it starts or has writes to finish
    void this.ready.then(
      () => {
        if (this.pending.size === 0) worker.unref();
      },
      () => undefined,
    );
    return this.ready;
  }

  /** Runs the statements in one transaction in the worker: all committed, or none. */
  async execute(statements: readonly SqlStatement[]): Promise<void> {
    await this.start();
    const worker = this.worker;
    if (!worker) throw new Error('the SQLite write worker is not running');
    const id = this.nextId++;
    await new Promise<void>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, statements });
    });
  }

  /** Closes the worker's connection (after the writes already sent) and ends the thread. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    // held open until the connection is closed, even when nothing else keeps the process alive
    await closeThread(worker, (closed) => {
      worker.on('message', (m: Reply) => {
        if (m.closed) closed();
      });
      worker.postMessage({ close: true });
    });
    this.worker = undefined;
    this.ready = undefined;
  }
}
