import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { DataSource, EntityManager } from 'typeorm';
import { truncateSqliteWal, vacuumTables } from './discard-old-versions';
import type { PostgresWriteTarget } from './pg-transactions';
import { namedStatementsEnabled, preparedQuery } from './prepared-query';
import { changedTooFew, RowNotChangedError, type SqlStatement } from './sql-statement';
import type { Engine } from './sql-text';
import type { SqliteWriteTarget } from './sqlite-transactions';
import { SqliteWriteLock } from './write-lock';

/**
 * Every write goes through here. On SQLite, TypeORM shares one connection, so two transactions
 * cannot be open at once and a plain write issued while another request's transaction is open
 * would land inside it: writes are serialised in-process. On PostgreSQL each call gets its own
 * pooled connection and transaction.
 *
 * `runStatements` runs fixed SQL (statements of the hot paths, see `*.sql.ts`) as one such
 * transaction, kept prepared by the driver (preparedQuery).
 *
 * Other threads may write to the same SQLite file on their own connection (`sqliteWriteTarget`,
 * the offer build threads): they and the main connection's transactions take the SqliteWriteLock,
 * so the event loop never waits in SQLite's busy handler.
 *
 * Group commit on SQLite: `run` calls made in the same turn of the event loop, or queued up while
 * an earlier write holds the connection, share one transaction when their turn comes (up to
 * MAX_GROUP; a group starts in the check phase of the turn it was opened in, at the earliest, so
 * the requests read in that turn join it), each in a savepoint of its own,
 * and one commit (one fsync) for all. Each call still succeeds or fails alone (a failure rolls
 * back its savepoint only) and its promise settles once the commit is done; a failed commit fails
 * every call that had succeeded in it. Order is kept: calls join a group only while nothing else
 * is queued behind it.
 */
/** connections of each writing thread's own pool on PostgreSQL (postgresWriteTarget) */
const THREAD_PG_CONNECTIONS = 4;

/** `run` calls at most per shared transaction (see group commit above) */
const MAX_GROUP = 32;

/** resolves in the event loop's next check phase: after the I/O callbacks of this turn */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface GroupedWork {
  work: (manager: EntityManager) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

@Injectable()
export class TransactionRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TransactionRunner.name);
  private tail: Promise<unknown> = Promise.resolve();
  private readonly serialise: boolean;
  private target: SqliteWriteTarget | undefined;
  private lock: SqliteWriteLock | undefined;
  /** the group of `run` calls queued last, not yet started: later calls join it */
  private openGroup: GroupedWork[] | undefined;

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

  /**
   * For a thread that writes to the PostgreSQL database itself, on a pool of its own of
   * THREAD_PG_CONNECTIONS connections: the URL and the main pool's settings. Undefined on SQLite,
   * and when the data source was not configured by URL.
   */
  get postgresWriteTarget(): PostgresWriteTarget | undefined {
    const o = this.dataSource.options;
    if (o.type !== 'postgres' || !o.url) return undefined;
    const extra = (o.extra ?? {}) as { connectionTimeoutMillis?: unknown };
    return {
      url: o.url,
      max: THREAD_PG_CONNECTIONS,
      connectionTimeoutMillis: typeof extra.connectionTimeoutMillis === 'number' ? extra.connectionTimeoutMillis : 2000,
      namedStatements: namedStatementsEnabled(o),
    };
  }

  get engine(): Engine {
    return this.serialise ? 'sqlite' : 'postgres';
  }

  async onApplicationBootstrap(): Promise<void> {
    const o = this.dataSource.options;
    if (o.type !== 'better-sqlite3' || o.database === ':memory:' || o.database === '') return;
    const pragma = async (name: string): Promise<number> => {
      const rows = await this.dataSource.query<Array<Record<string, number>>>(`PRAGMA ${name}`);
      return Number(Object.values(rows[0] ?? {})[0] ?? 0);
    };
    const lock = new SqliteWriteLock();
    const target: SqliteWriteTarget = {
      path: o.database,
      synchronous: await pragma('synchronous'),
      foreignKeys: (await pragma('foreign_keys')) === 1,
      busyTimeoutMs: (await pragma('busy_timeout')) || 5000,
      lock: lock.buffer,
    };
    this.lock = lock;
    this.target = target;
  }

  async onApplicationShutdown(): Promise<void> {
    // the writes already queued finish first
    await this.tail;
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialise) return this.dataSource.transaction(work);
    return new Promise<T>((resolve, reject) => {
      const item: GroupedWork = { work, resolve: resolve as (v: unknown) => void, reject };
      const open = this.openGroup;
      if (open && open.length < MAX_GROUP) {
        open.push(item);
        return;
      }
      const group = [item];
      this.openGroup = group;
      void this.inTurn(async () => {
        // the calls made in this turn of the event loop join too (one commit, one fsync for all)
        await nextTurn();
        if (this.openGroup === group) this.openGroup = undefined;
        await this.locked(() => this.runGroup(group));
      });
    });
  }

  /**
   * The statements in one transaction (`run`): all committed, or none; a `mustChange` statement
   * that changes too few rows fails it (RowNotChangedError). With `rollBack`, they run and are
   * rolled back: nothing is stored (a warm-up's rehearsal).
   */
  async runStatements(statements: readonly SqlStatement[], options: { rollBack?: boolean } = {}): Promise<void> {
    const rolledBack = new Error('rolled back');
    try {
      await this.run(async (m) => {
        for (const s of statements) {
          const r = await preparedQuery(m, s.sql, s.params);
          if (changedTooFew(s, r.affected)) throw new RowNotChangedError(s.sql);
        }
        if (options.rollBack) throw rolledBack;
      });
    } catch (e) {
      if (e !== rolledBack) throw e;
    }
  }

  /**
   * After rows were overwritten for good (an erasure), their old versions out of the database
   * files: on SQLite the WAL checkpointed into the file and truncated (secure_delete has zeroed
   * the old content there), in turn after the writes queued before and under the write lock, so
   * no other writer of this process is in the way; on PostgreSQL a VACUUM of `tables`. Says
   * whether it was done (false: the SQLite file stayed busy, see truncateSqliteWal).
   */
  async discardOldVersions(tables: readonly string[]): Promise<boolean> {
    if (!this.serialise) {
      await vacuumTables(this.dataSource, tables);
      return true;
    }
    const db = (this.dataSource.driver as unknown as { databaseConnection: Database.Database }).databaseConnection;
    return this.inTurn(() => this.locked(() => truncateSqliteWal(db)));
  }

  /**
   * One transaction of the main connection for the group: each call in a savepoint (nested
   * transaction), one commit. The calls settle after it.
   */
  private async runGroup(group: GroupedWork[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
    } catch (error) {
      await runner.release();
      for (const g of group) g.reject(error);
      return;
    }
    try {
      for (const g of group) {
        await runner.startTransaction();
        try {
          const value = await g.work(runner.manager);
          await runner.commitTransaction();
          outcomes.push({ ok: true, value });
        } catch (error) {
          outcomes.push({ ok: false, error });
          await runner.rollbackTransaction();
        }
      }
      if (outcomes.some((o) => o.ok)) await runner.commitTransaction();
      else await runner.rollbackTransaction();
    } catch (error) {
      // a savepoint or the commit itself failed: nothing of the group is stored (ROLLBACK ends the
      // transaction with its savepoints; it fails harmlessly when SQLite has already rolled back)
      await runner.query('ROLLBACK').catch(() => undefined);
      await runner.release();
      group.forEach((g, i) => {
        const o = outcomes[i];
        g.reject(o && !o.ok ? o.error : error);
      });
      return;
    }
    await runner.release();
    group.forEach((g, i) => {
      const o = outcomes[i];
      if (o.ok) g.resolve(o.value);
      else g.reject(o.error);
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
