import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isRowNotChanged, RowNotChangedError, type SqlStatement } from './sql-statement';
import { SqliteTransactions, type SqliteWriteTarget } from './sqlite-transactions';
import { SqliteWriteLock, SqliteWriteLockTimeout } from './write-lock';

/** what `run` threw (it throws synchronously) */
function thrown(work: () => void): unknown {
  try {
    work();
  } catch (e) {
    return e;
  }
  throw new Error('it did not throw');
}

describe('SqliteTransactions (a thread’s own connection to the SQLite file)', () => {
  let dir: string;
  let path: string;
  let reader: Database.Database;
  let lock: SqliteWriteLock;
  let target: SqliteWriteTarget;
  let tx: SqliteTransactions;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-transactions-'));
    path = join(dir, 'w.sqlite');
    reader = new Database(path);
    reader.pragma('journal_mode = WAL');
    reader.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, flag INTEGER)');
    lock = new SqliteWriteLock();
    target = { path, synchronous: 2, foreignKeys: true, busyTimeoutMs: 1000, lock: lock.buffer };
    tx = new SqliteTransactions(target);
  });
  afterEach(() => {
    tx.close();
    reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => reader.prepare('SELECT id, v, flag FROM t ORDER BY id').all();
  const insert = (id: number, v: string): SqlStatement => ({ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [id, v] });
  const claim = (id: number): SqlStatement => ({
    sql: 'INSERT INTO t (id, v) VALUES (?, ?) ON CONFLICT DO NOTHING',
    params: [id, 'claimed'],
    mustChange: true,
  });

  it('says what it is to OfferStore: SQLite, one transaction at a time', () => {
    expect(tx.engine).toBe('sqlite');
    expect(tx.concurrency).toBe(1);
  });

  it('commits every statement of a run together, visible to another connection as soon as it returns', () => {
    tx.run([
      { sql: 'INSERT INTO t (id, v, flag) VALUES (?, ?, ?), (?, ?, ?)', params: [1, 'a', true, 2, 'b', false] },
      { sql: 'INSERT INTO t (id, v, flag) VALUES (?, ?, ?)', params: [3, 'c', undefined] },
    ]);
    expect(rows()).toEqual([
      { id: 1, v: 'a', flag: 1 },
      { id: 2, v: 'b', flag: 0 },
      { id: 3, v: 'c', flag: null },
    ]);
  });

  it('a failing statement rolls the whole run back and throws with SQLite’s code; later runs work', () => {
    tx.run([insert(1, 'a')]);
    const error = thrown(() => tx.run([insert(2, 'b'), insert(1, 'duplicate')]));
    expect(error).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(rows()).toEqual([{ id: 1, v: 'a', flag: null }]);
    tx.run([insert(2, 'b')]);
    expect(rows()).toHaveLength(2);
  });

  it('a bad statement is an error of its run, not of the connection', () => {
    expect(() => tx.run([{ sql: 'INSERT INTO nope VALUES (1)', params: [] }])).toThrow(/no such table: nope/);
    tx.run([insert(1, 'ok')]);
    expect(rows()).toHaveLength(1);
  });

  it('a `mustChange` statement that changes no row fails its run (ROW_NOT_CHANGED) and stores nothing of it', () => {
    tx.run([insert(1, 'a')]);
    const error = thrown(() => tx.run([insert(2, 'b'), claim(1)]));
    expect(error).toBeInstanceOf(RowNotChangedError);
    expect(isRowNotChanged(error)).toBe(true);
    expect(rows()).toEqual([{ id: 1, v: 'a', flag: null }]);
    // one that inserts passes like any statement (and a statement without `mustChange` may change nothing)
    tx.run([{ sql: 'UPDATE t SET v = ? WHERE id = ?', params: ['x', 4] }, claim(3)]);
    expect(rows()).toEqual([
      { id: 1, v: 'a', flag: null },
      { id: 3, v: 'claimed', flag: null },
    ]);
    // an update that must change a row and finds none
    expect(() => tx.run([insert(5, 'e'), { sql: 'UPDATE t SET v = ? WHERE id = ?', params: ['x', 4], mustChange: true }])).toThrow(RowNotChangedError);
    expect(rows()).toHaveLength(2);
  });

  it('a `mustChange` statement of several rows (`rows`) must change each: one row that conflicts fails the run, nothing of it stored', () => {
    tx.run([insert(1, 'a')]);
    const claims = (...ids: number[]): SqlStatement => ({
      sql: `INSERT INTO t (id, v) VALUES ${ids.map(() => '(?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
      params: ids.flatMap((id) => [id, 'claimed']),
      mustChange: true,
      rows: ids.length,
    });
    // two of the three rows insert: not enough
    expect(() => tx.run([insert(9, 'x'), claims(2, 1, 3)])).toThrow(RowNotChangedError);
    expect(rows()).toEqual([{ id: 1, v: 'a', flag: null }]);
    tx.run([claims(2, 3)]);
    expect(rows()).toHaveLength(3);
  });

  it('with `rollBack`, the statements run (and fail as they would) but nothing is stored', () => {
    tx.run([insert(1, 'a')]);
    tx.run([insert(2, 'b'), insert(3, 'c')], { rollBack: true });
    expect(rows()).toEqual([{ id: 1, v: 'a', flag: null }]);
    expect(() => tx.run([insert(2, 'b'), insert(1, 'duplicate')], { rollBack: true })).toThrow(
      expect.objectContaining({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }),
    );
    expect(() => tx.run([claim(1)], { rollBack: true })).toThrow(RowNotChangedError);
    expect(rows()).toEqual([{ id: 1, v: 'a', flag: null }]);
    // the connection is not left inside a transaction
    tx.run([insert(2, 'b')]);
    expect(rows()).toHaveLength(2);
  });

  it('holds the shared write lock while its statements run, and releases it after a commit and after a failure', () => {
    const heldWhileRunning: boolean[] = [];
    // a parameter the driver reads while the statements run
    const params: unknown[] = [1];
    Object.defineProperty(params, 1, {
      enumerable: true,
      get: () => {
        heldWhileRunning.push(lock.held);
        return 'seen';
      },
    });
    tx.run([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params }]);
    expect(heldWhileRunning).toEqual([true]);
    expect(lock.held).toBe(false);
    expect(() => tx.run([insert(2, 'b'), insert(1, 'duplicate')])).toThrow();
    expect(lock.held).toBe(false);
    expect(() => tx.run([claim(1)])).toThrow(RowNotChangedError);
    expect(lock.held).toBe(false);
    expect(rows()).toEqual([{ id: 1, v: 'seen', flag: null }]);
  });

  it('while another writer holds the lock, a run fails as SQLITE_BUSY after busy_timeout and stores nothing; it runs once the lock is free', () => {
    const impatient = new SqliteTransactions({ ...target, busyTimeoutMs: 30 });
    try {
      const other = new SqliteWriteLock(lock.buffer);
      other.acquireSync(0);
      const error = thrown(() => impatient.run([insert(1, 'a')]));
      expect(error).toBeInstanceOf(SqliteWriteLockTimeout);
      expect(error).toMatchObject({ code: 'SQLITE_BUSY' });
      expect(lock.held).toBe(true);
      expect(rows()).toEqual([]);
      other.release();
      impatient.run([insert(1, 'a')]);
      expect(rows()).toEqual([{ id: 1, v: 'a', flag: null }]);
    } finally {
      impatient.close();
    }
  });

  it('applies the target’s pragmas to its connection (foreign keys enforced when the main connection enforces them)', () => {
    reader.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id))');
    const orphan: SqlStatement = { sql: 'INSERT INTO child (id, parent_id) VALUES (?, ?)', params: [1, 42] };
    expect(() => tx.run([orphan])).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }));
    const lax = new SqliteTransactions({ ...target, foreignKeys: false });
    try {
      lax.run([orphan]);
    } finally {
      lax.close();
    }
    expect(reader.prepare('SELECT id, parent_id FROM child').all()).toEqual([{ id: 1, parent_id: 42 }]);
  });

  it('a database file that does not exist fails at once with a clear error (it is never created)', () => {
    expect(() => new SqliteTransactions({ ...target, path: join(dir, 'missing', 'x.sqlite') })).toThrow(/directory does not exist|unable to open/);
    expect(() => new SqliteTransactions({ ...target, path: join(dir, 'absent.sqlite') })).toThrow(/unable to open|does not exist/);
  });
});
