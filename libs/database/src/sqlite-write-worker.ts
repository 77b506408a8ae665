import type { Worker } from 'node:worker_threads';
import { closeThread, startWorker } from '@app/core';
import { SqliteWriteError } from './sql-statement';
import type { SqlStatement } from './sql-statement';
import type { SqliteWriteTarget } from './sqlite-transactions';
import type { FromSqliteWriter, ToSqliteWriter } from './sqlite-write.worker';
import { SqliteWriteLock } from './write-lock';


/**
 * Writes to a SQLite file from a worker thread with its own connection. better-sqlite3 runs every
 * statement, commit and fsync on the calling thread; for the hot write path (Create Offer's group
 * commit) that is CPU the event loop does not spend serving requests. The thread takes the
 * target's write lock for each transaction, as every writer of the file does (SqliteWriteLock).
 *
 * If the worker dies, its pending writes are rejected (and the lock freed, if it held it) and the
 * next write starts a new one.
 */
export class SqliteWriteWorker {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly target: SqliteWriteTarget) {}

  /** Starts the worker (idempotent); resolves once its connection is open. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the SQLite write worker is closed'));
    if (this.ready) return this.ready;
    const worker = startWorker(__dirname, 'sqlite-write.worker', { workerData: this.target, stdout: false, stderr: false });
    // taken now: a thread that has ended may no longer say its id
    const threadId = worker.threadId;
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromSqliteWriter): void => {
        if ('ready' in m) return resolve();
        if ('closed' in m) return;
        if (m.id === 0 && !m.ok) return reject(new SqliteWriteError(m.error.message, m.error.code));
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (this.pending.size === 0) worker.unref();
        if (m.ok) p.resolve();
        else p.reject(new SqliteWriteError(m.error.message, m.error.code));
      };
      const onGone = (reason: Error): void => {
        // ended in the middle of a transaction: SQLite rolled it back with the connection, the lock is freed here
        new SqliteWriteLock(this.target.lock).releaseHeldBy(threadId);
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
      const message: ToSqliteWriter = { id, statements };
      worker.postMessage(message);
    });
  }

  /** Closes the worker's connection (after the writes already sent) and ends the thread. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    // held open until the connection is closed, even when nothing else keeps the process alive
    await closeThread(worker, (closed) => {
      worker.on('message', (m: FromSqliteWriter) => {
        if ('closed' in m) closed();
      });
      const message: ToSqliteWriter = { close: true };
      worker.postMessage(message);
    });
    this.worker = undefined;
    this.ready = undefined;
  }
}
