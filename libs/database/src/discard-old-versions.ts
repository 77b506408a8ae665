import type Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';

/*
 * What stays of a row's old content once it was overwritten or deleted for good (an erasure), and
 * how it is made to go:
 * - SQLite, with `PRAGMA secure_delete = ON` on every connection (data-source-options.ts,
 *   SqliteTransactions), zeroes freed space and pages in the database file; the old pages may still
 *   be in the WAL, until a checkpoint has copied the new ones into the file and the WAL is emptied:
 *   truncateSqliteWal.
 * - PostgreSQL keeps old row versions until a VACUUM removes them: vacuumTables.
 */

export interface WalTruncateOptions {
  /** attempts while the database is busy (another connection reading or writing) */
  attempts?: number;
  /** the wait between two attempts */
  waitMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `PRAGMA wal_checkpoint(TRUNCATE)` on `db`: every page of the WAL copied into the database file,
 * and the WAL truncated to nothing. Never waits in SQLite's busy handler (the calling thread is
 * the event loop): each attempt runs with busy_timeout 0 and, while another connection holds the
 * database, is retried after `waitMs`, at most `attempts` times (by default 50 × 20 ms). Says
 * whether the WAL was truncated (true too for a database not in WAL mode: it has none).
 */
export async function truncateSqliteWal(db: Database.Database, options: WalTruncateOptions = {}): Promise<boolean> {
  const attempts = options.attempts ?? 50;
  const waitMs = options.waitMs ?? 20;
  for (let attempt = 1; ; attempt++) {
    if (checkpointTruncate(db)) return true;
    if (attempt >= attempts) return false;
    await sleep(waitMs);
  }
}

/** one attempt: true when the checkpoint completed (the WAL is empty), false while busy */
function checkpointTruncate(db: Database.Database): boolean {
  const busyTimeout = Number(db.pragma('busy_timeout', { simple: true }));
  db.pragma('busy_timeout = 0');
  try {
    const rows = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    return rows.length > 0 && Number(rows[0].busy) === 0;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'SQLITE_BUSY' || (e as { code?: unknown }).code === 'SQLITE_LOCKED') return false;
    throw e;
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

const TABLE_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * `VACUUM (INDEX_CLEANUP ON)` of `tables` on PostgreSQL, outside any transaction (VACUUM cannot
 * run in one): the dead versions of their rows removed from the heap, TOAST and index pages (a
 * row version still visible to an open transaction stays until that transaction ends).
 */
export async function vacuumTables(dataSource: DataSource, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  for (const t of tables) if (!TABLE_NAME.test(t)) throw new Error(`not a table name: ${t}`);
  await dataSource.query(`VACUUM (INDEX_CLEANUP ON) ${tables.map((t) => `"${t}"`).join(', ')}`);
}
