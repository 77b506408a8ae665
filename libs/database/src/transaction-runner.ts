import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SqliteWriteWorker, type SqlStatement } from './sqlite-write-worker';
import type { SqliteWriteTarget } from './sqlite-transactions';
import { SqliteWriteLock } from './write-lock';

/**
 * Every write goes through here. On SQLite, TypeORM shares one connection, so two transactions
 * cannot be open at once and a plain write issued while another request's transaction is open
 * would land inside it: writes are serialised in-process. On PostgreSQL each call gets its own
 * pooled connection and transaction.
 *
 * `runStatements` is for prepared SQL (the hot insert path): on a SQLite file it runs in a worker
 * thread (SqliteWriteWorker), in its turn among the other writes, so its execution, commit and
 * fsync do not block the event loop; elsewhere it runs as a transaction of the main connection.
 *
 * Other threads may write to the same SQLite file on their own connection (`sqliteWriteTarget`,
 * the offer build threads): they and the main connection's transactions take the SqliteWriteLock,
 * so the event loop never waits in SQLite's busy handler.
 */
@Injectable()
export class TransactionRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TransactionRunner.name);
  private tail: Promise<unknown> = Promise.resolve();
  /** writes queued so far (a ticket per write) */
  private queued = 0;
  /** the last write queued is a batch the write worker already has (see runStatements) */
  private workerChain = false;
  private readonly serialise: boolean;
  private worker: SqliteWriteWorker | undefined;
  private target: SqliteWriteTarget | undefined;
  private lock: SqliteWriteLock | undefined;

  constructor(private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type === 'better-sqlite3' || dataSource.options.type === 'sqlite';
  }

  get isSqlite(): boolean {
    return this.serialise;
  }

  /**
   * For a thread that writes to the SQLite file itself (after bootstrap; undefined on PostgreSQL
   * and in-memory SQLite): the file, the pragmas, and the lock the main connection honours.
   */
  get sqliteWriteTarget(): SqliteWriteTarget | undefined {
    return this.target;
  }

  /** true when `runStatements` writes through the worker thread */
  get usesWriteWorker(): boolean {
    return this.worker !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const o = this.dataSource.options;
    if (o.type !== 'better-sqlite3' || o.database === ':memory:' || o.database === '') return;
    const pragma = async (name: string): Promise<number> => {
      const rows = (await this.dataSource.query(`PRAGMA ${name}`)) as Array<Record<string, number>>;
      return Number(Object.values(rows[0] ?? {})[0] ?? 0);
    };
    const options = {
      path: o.database,
      synchronous: await pragma('synchronous'),
      foreignKeys: (await pragma('foreign_keys')) === 1,
      busyTimeoutMs: (await pragma('busy_timeout')) || 5000,
    };
    const worker = new SqliteWriteWorker(options);
    await worker.start();
    this.worker = worker;
    this.lock = new SqliteWriteLock();
    this.target = { ...options, lock: this.lock.buffer };
  }

  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    // the writes already queued finish first
    await this.tail;
    this.worker = undefined;
    await worker.close().catch((e: unknown) => this.logger.warn(`closing the SQLite write worker: ${String(e)}`));
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialise) return this.dataSource.transaction(work);
    this.workerChain = false;
    this.queued++;
    return this.inTurn(() => this.locked(() => this.dataSource.transaction(work)));
  }

  /**
   * The statements in one transaction: all committed, or none. On the write worker, a batch
   * queued right behind another that the worker already has is handed over at once: the worker
   * runs them in order, so it starts the next transaction the moment the previous one commits.
   */
  runStatements(statements: readonly SqlStatement[]): Promise<void> {
    const worker = this.worker;
    if (!worker) {
      return this.run(async (m) => {
        for (const s of statements) await m.query(s.sql, s.params);
      });
    }
    const ticket = ++this.queued;
    if (this.workerChain) {
      const result = worker.execute(statements);
      this.tail = this.tail.then(() => result).then(
        () => undefined,
        () => undefined,
      );
      return result;
    }
    return this.inTurn(() => {
      // its turn came and nothing was queued after it: what follows may go straight to the worker
      if (this.queued === ticket) this.workerChain = true;
      return worker.execute(statements);
    });
  }

  /** the main connection's transaction, while no other thread writes (see SqliteWriteLock) */
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const lock = this.lock;
    if (!lock) return work();
    await lock.acquire();
    try {
      return await work();
    } finally {
      lock.release();
    }
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    // the chain continues whether this transaction commits or fails
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
