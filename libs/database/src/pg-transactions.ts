import { Pool, type QueryConfig } from 'pg';
import { pgUtcOptions } from './data-source-options';
import { statementName } from './prepared-query';
import { changedTooFew, RowNotChangedError, type SqlStatement } from './sql-statement';

/**
 * What a worker thread needs to write to the app's PostgreSQL database on connections of its own:
 * the URL and the pool settings of the main connection. Plain data: it crosses to the thread.
 */
export interface PostgresWriteTarget {
  url: string;
  /** connections of the thread's pool: transactions it runs at once */
  max: number;
  /** a checkout waits at most this long (the main pool's setting): past it the write fails (503) */
  connectionTimeoutMillis: number;
  /** named (prepared) statements per SQL text, as preparedQuery (PG_NAMED_STATEMENTS) */
  namedStatements: boolean;
}

/**
 * Transactions on a pool of its own, for a worker thread: each `run` takes a connection, runs
 * the statements between BEGIN and COMMIT, and gives it back; a failure rolls back and is thrown
 * (a connection that cannot even roll back is closed, not reused). Timestamps are written in UTC
 * and the session runs in UTC, as on the main connection (pgUtcOptions).
 */
export class PgTransactions {
  private readonly pool: Pool;

  constructor(private readonly target: PostgresWriteTarget) {
    this.pool = new Pool({
      connectionString: target.url,
      max: target.max,
      connectionTimeoutMillis: target.connectionTimeoutMillis,
      keepAlive: true,
      ...pgUtcOptions(),
    });
    // an idle connection that the server closed: the pool drops it and opens another when needed
    this.pool.on('error', () => undefined);
  }

  readonly engine = 'postgres';

  /** transactions it runs at once: its connections */
  get concurrency(): number {
    return this.target.max;
  }

  /**
   * The statements in one transaction: all committed, or none (the promise rejects). A single
   * statement that need not change rows is a transaction of its own (one round trip instead of
   * BEGIN, the statement, COMMIT); otherwise they run between BEGIN and COMMIT, the row counts
   * checked before the commit. With `rollBack`, they run between BEGIN and ROLLBACK: nothing is
   * stored (a warm-up's rehearsal).
   */
  async run(statements: readonly SqlStatement[], options: { rollBack?: boolean } = {}): Promise<void> {
    const client = await this.pool.connect();
    if (statements.length === 1 && !statements[0].mustChange && !options.rollBack) {
      // one statement commits or fails as a whole; a connection it broke is not reused (pg-pool
      // drops a client that can no longer be queried)
      try {
        await client.query(this.query(statements[0]));
      } finally {
        client.release();
      }
      return;
    }
    let unusable: Error | undefined;
    try {
      await client.query('BEGIN');
      for (const s of statements) {
        const r = await client.query(this.query(s));
        if (changedTooFew(s, r.rowCount ?? 0)) throw new RowNotChangedError(s.sql);
      }
      await client.query(options.rollBack ? 'ROLLBACK' : 'COMMIT');
    } catch (e) {
      // a statement refused: the transaction is rolled back and the connection serves again; a
      // connection that cannot even roll back (lost, server shutting down) is closed instead
      await client.query('ROLLBACK').catch(() => {
        unusable = e instanceof Error ? e : new Error(String(e));
      });
      throw e;
    } finally {
      client.release(unusable ?? false);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private query(s: SqlStatement): QueryConfig {
    const name = this.target.namedStatements ? statementName(s.sql) : undefined;
    return name === undefined ? { text: s.sql, values: [...s.params] } : { name, text: s.sql, values: [...s.params] };
  }
}
