import { hash } from 'node:crypto';
import { QueryFailedError, type DataSourceOptions, type EntityManager, type QueryRunner } from 'typeorm';

/** What a prepared query gives back: the rows it read, the rows it changed. */
export interface PreparedResult {
  rows: Array<Record<string, unknown>>;
  affected: number;
}

/** node-postgres's client, as far as a named statement needs it */
interface PgClient {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>;
}

/**
 * Where the data source's options say whether named statements are used (PG_NAMED_STATEMENTS): a
 * key of the pool options (`extra`), which reach node-postgres, which ignores it, and survive the
 * copies @nestjs/typeorm makes of the options.
 */
const NAMED_STATEMENTS_KEY = 'offersNamedStatements';

export function namedStatementsOption(enabled: boolean): Record<string, boolean> {
  return { [NAMED_STATEMENTS_KEY]: enabled };
}

export function namedStatementsEnabled(options: DataSourceOptions): boolean {
  if (options.type !== 'postgres') return false;
  const extra = options.extra as Record<string, unknown> | undefined;
  return extra?.[NAMED_STATEMENTS_KEY] !== false;
}

/**
 * Named statements per SQL text, at most this many texts (the hot paths have a few dozen shapes);
 * texts past it run unnamed, as TypeORM runs them.
 */
const MAX_NAMED = 2000;
const names = new Map<string, string>();

/** the named statement for a SQL text (undefined past MAX_NAMED texts: run it unnamed) */
export function statementName(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `hot_${hash('sha1', sql)}`;
    names.set(sql, name);
  }
  return name;
}

/**
 * Runs one fixed SQL text (the statements of the `*.sql.ts` files) with its values bound, kept
 * prepared on both engines: better-sqlite3 (through TypeORM)
 * caches prepared statements by text already; on PostgreSQL the text becomes a named statement of
 * the connection, parsed and planned once per connection instead of at every call (TypeORM sends
 * every query unnamed). Errors are TypeORM's QueryFailedError, as from `manager.query`. Runs in
 * the manager's transaction, or takes a query runner for the one statement. PG_NAMED_STATEMENTS=false
 * (a pooler that cannot keep named statements) runs them unnamed, as TypeORM does.
 */
export async function preparedQuery(manager: EntityManager, sql: string, params: readonly unknown[]): Promise<PreparedResult> {
  const own = manager.queryRunner ? undefined : manager.connection.createQueryRunner();
  const runner = (manager.queryRunner ?? own) as QueryRunner;
  try {
    const name = namedStatementsEnabled(manager.connection.options) ? statementName(sql) : undefined;
    if (name === undefined) {
      const result = await runner.query(sql, [...params], true);
      return { rows: (result.records ?? []) as Array<Record<string, unknown>>, affected: result.affected ?? 0 };
    }
    if (runner.isReleased) throw new Error('preparedQuery: the query runner is released');
    const client = (await runner.connect()) as PgClient;
    try {
      const r = await client.query({ name, text: sql, values: params });
      return { rows: r.rows, affected: r.rowCount ?? 0 };
    } catch (e) {
      throw new QueryFailedError(sql, [...params], e as Error);
    }
  } finally {
    if (own) await own.release();
  }
}
