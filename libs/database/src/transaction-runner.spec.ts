import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type EntityManager } from 'typeorm';
import { RowNotChangedError, type SqlStatement } from './sql-statement';
import { SqliteTransactions } from './sqlite-transactions';
import { TransactionRunner } from './transaction-runner';
import { SqliteWriteLock } from './write-lock';

/** A SQLite file with a `log` table and a TransactionRunner on it (bootstrapped), removed after `work`. */
async function withRunner(work: (ds: DataSource, tx: TransactionRunner) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tx-runner-'));
  const ds = new DataSource({ type: 'better-sqlite3', database: join(dir, 'r.sqlite'), enableWAL: true });
  await ds.initialize();
  try {
    await ds.query('CREATE TABLE log (n INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT NOT NULL)');
    const tx = new TransactionRunner(ds);
    await tx.onApplicationBootstrap();
    await work(ds, tx);
  } finally {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const whats = async (ds: DataSource): Promise<string[]> => (await ds.query<Array<{ what: string }>>('SELECT what FROM log ORDER BY n')).map((r) => r.what);
const logged = (what: string): SqlStatement => ({ sql: 'INSERT INTO log (what) VALUES (?)', params: [what] });
/** resolves in the next check phase of the event loop: every callback ready now has run */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('TransactionRunner on a SQLite file', () => {
  it('gives the threads what they need to write to the file: its path, the connection’s pragmas and the shared write lock', async () => {
    await withRunner(async (ds, tx) => {
      expect(tx.engine).toBe('sqlite');
      expect(tx.isSqlite).toBe(true);
      expect(tx.postgresWriteTarget).toBeUndefined();
      await ds.query('PRAGMA foreign_keys = ON');
      await ds.query('PRAGMA synchronous = FULL');
      await ds.query('PRAGMA busy_timeout = 1234');
      await tx.onApplicationBootstrap();
      expect(tx.sqliteWriteTarget).toMatchObject({ path: ds.options.database, synchronous: 2, foreignKeys: true, busyTimeoutMs: 1234 });
      expect(tx.sqliteWriteTarget?.lock).toBeInstanceOf(SharedArrayBuffer);
    });
  });

  it('a thread’s commit (SqliteTransactions on the write target) is seen by the next transaction of the main connection', async () => {
    await withRunner(async (ds, tx) => {
      const thread = new SqliteTransactions(tx.sqliteWriteTarget!);
      try {
        thread.run([logged('thread')]);
        const seen = await tx.run(async (m) => {
          const n = await m.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM log WHERE what = 'thread'`);
          await m.query(`INSERT INTO log (what) VALUES ('main')`);
          return n[0].n;
        });
        expect(seen).toBe(1);
        expect(await whats(ds)).toEqual(['thread', 'main']);
      } finally {
        thread.close();
      }
      await tx.onApplicationShutdown();
    });
  });

  it('the main connection’s transactions wait (without blocking the event loop) while another writer holds the write lock', async () => {
    await withRunner(async (ds, tx) => {
      const other = new SqliteWriteLock(tx.sqliteWriteTarget!.lock);
      other.acquireSync(0);
      let committed = false;
      const write = tx.run(insert('waited')).then((v) => {
        committed = true;
        return v;
      });
      // the event loop goes on meanwhile: turns pass, and the write has not started
      for (let i = 0; i < 5; i++) await nextTurn();
      expect(committed).toBe(false);
      expect(await whats(ds)).toEqual([]);
      other.release();
      await expect(write).resolves.toBe('waited');
      expect(await whats(ds)).toEqual(['waited']);
      // and free again once the writes queued are done
      await tx.onApplicationShutdown();
      expect(other.held).toBe(false);
    });
  });

  it('an in-memory database has no write target: no other connection could see it', async () => {
    const ds = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    await ds.initialize();
    try {
      const tx = new TransactionRunner(ds);
      await tx.onApplicationBootstrap();
      expect(tx.sqliteWriteTarget).toBeUndefined();
      expect(tx.engine).toBe('sqlite');
    } finally {
      await ds.destroy();
    }
  });
});

describe('TransactionRunner.runStatements', () => {
  it('commits the statements together; `mustChange` (and `rows`) make a statement that changes too few rows fail the transaction, nothing of it stored', async () => {
    const ds = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    await ds.initialize();
    try {
      await ds.query('CREATE TABLE u (id INTEGER PRIMARY KEY, v TEXT)');
      const tx = new TransactionRunner(ds);
      await tx.onApplicationBootstrap();
      const u = () => ds.query<Array<{ id: number; v: string }>>('SELECT id, v FROM u ORDER BY id');
      await tx.runStatements([
        { sql: 'INSERT INTO u (id, v) VALUES (1, ?)', params: ['a'] },
        { sql: 'INSERT INTO u (id, v) VALUES (2, ?) ON CONFLICT DO NOTHING', params: ['b'], mustChange: true },
      ]);
      expect(await u()).toEqual([
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ]);
      const failed = tx.runStatements([
        { sql: 'INSERT INTO u (id, v) VALUES (3, ?)', params: ['c'] },
        { sql: 'INSERT INTO u (id, v) VALUES (1, ?) ON CONFLICT DO NOTHING', params: ['again'], mustChange: true },
      ]);
      await expect(failed).rejects.toBeInstanceOf(RowNotChangedError);
      await expect(failed).rejects.toMatchObject({ code: 'ROW_NOT_CHANGED' });
      expect(await u()).toHaveLength(2);
      // a statement of several rows must change each of them (`rows`)
      const claims = { sql: 'INSERT INTO u (id, v) VALUES (3, ?), (1, ?) ON CONFLICT DO NOTHING', params: ['c', 'again'], mustChange: true, rows: 2 };
      await expect(tx.runStatements([claims])).rejects.toBeInstanceOf(RowNotChangedError);
      expect(await u()).toHaveLength(2);
      // a refused row: the driver's error, nothing stored
      await expect(
        tx.runStatements([
          { sql: 'INSERT INTO u (id, v) VALUES (4, ?)', params: ['d'] },
          { sql: 'INSERT INTO u (id, v) VALUES (1, ?)', params: ['dup'] },
        ]),
      ).rejects.toMatchObject({
        driverError: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' },
      });
      expect(await u()).toHaveLength(2);
    } finally {
      await ds.destroy();
    }
  });

  it('with `rollBack`, the statements run and fail as they would, and nothing is stored; the calls grouped with it are committed', async () => {
    await withRunner(async (ds, tx) => {
      const rehearsal = tx.runStatements([logged('rehearsed 1'), logged('rehearsed 2')], { rollBack: true });
      const kept = tx.run(insert('kept'));
      await expect(rehearsal).resolves.toBeUndefined();
      await expect(kept).resolves.toBe('kept');
      expect(await whats(ds)).toEqual(['kept']);
      // a rehearsal that fails rejects as the write would
      await expect(tx.runStatements([{ sql: 'INSERT INTO log (what) VALUES (NULL)', params: [] }], { rollBack: true })).rejects.toMatchObject({
        driverError: { code: 'SQLITE_CONSTRAINT_NOTNULL' },
      });
      await expect(
        tx.runStatements([{ sql: 'UPDATE log SET what = ? WHERE n = ?', params: ['x', 99], mustChange: true }], { rollBack: true }),
      ).rejects.toBeInstanceOf(RowNotChangedError);
      expect(await whats(ds)).toEqual(['kept']);
      await tx.onApplicationShutdown();
    });
  });

  it('takes its turn among the other calls: what was queued before is committed before it, what is queued after sees it', async () => {
    await withRunner(async (ds, tx) => {
      const release = await busy(tx, insert('first'));
      const done = Promise.all([
        tx.run(insert('b')),
        tx.runStatements([logged('statements')]),
        tx.run(async (m) => {
          const seen = await m.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM log WHERE what = 'statements'`);
          await insert('c')(m);
          return seen[0].n;
        }),
      ]);
      await release();
      expect(await done).toEqual(['b', undefined, 1]);
      expect(await whats(ds)).toEqual(['first', 'b', 'statements', 'c']);
      await tx.onApplicationShutdown();
    });
  });
});

/**
 * Holds the connection with a transaction that waits (then runs `then`), so that what is queued
 * next queues behind it; the returned function lets it finish.
 */
async function busy(tx: TransactionRunner, then?: (m: EntityManager) => Promise<unknown>): Promise<() => Promise<void>> {
  let open!: () => void;
  let entered!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const started = new Promise<void>((r) => (entered = r));
  const first = tx.run(async (m) => {
    entered();
    await opened;
    return then?.(m);
  });
  await started;
  return async () => {
    open();
    await first;
  };
}

function insert(what: string): (m: EntityManager) => Promise<string> {
  return async (m) => {
    await m.query('INSERT INTO log (what) VALUES (?)', [what]);
    return what;
  };
}

describe('TransactionRunner group commit (SQLite)', () => {
  it('calls queued behind a busy transaction share one transaction; each settles after the commit, and each in order', async () => {
    await withRunner(async (ds, tx) => {
      const transactions = jest.spyOn(ds, 'createQueryRunner');
      const release = await busy(tx, insert('first'));
      const settled: string[] = [];
      const queued = ['a', 'b', 'c'].map((w) => tx.run(insert(w)).then((v) => settled.push(v)));
      await release();
      await Promise.all(queued);
      expect(settled).toEqual(['a', 'b', 'c']);
      // one transaction for `first`, one for the three queued behind it
      expect(transactions).toHaveBeenCalledTimes(2);
      expect(await whats(ds)).toEqual(['first', 'a', 'b', 'c']);
      await tx.onApplicationShutdown();
    });
  });

  it('calls made in the same turn of the event loop share one transaction, though nothing was busy', async () => {
    await withRunner(async (ds, tx) => {
      const transactions = jest.spyOn(ds, 'createQueryRunner');
      // three callbacks of one event-loop phase, as the requests read in one turn are
      const inCallback = (w: string) => new Promise<string>((resolve, reject) => setImmediate(() => void tx.run(insert(w)).then(resolve, reject)));
      const sameTurn = Promise.all(['a', 'b', 'c'].map(inCallback));
      await expect(sameTurn).resolves.toEqual(['a', 'b', 'c']);
      expect(transactions).toHaveBeenCalledTimes(1);
      // a call made in a later turn gets a transaction of its own
      await nextTurn();
      await expect(tx.run(insert('d'))).resolves.toBe('d');
      expect(transactions).toHaveBeenCalledTimes(2);
      expect(await whats(ds)).toEqual(['a', 'b', 'c', 'd']);
      await tx.onApplicationShutdown();
    });
  });

  it('a failing call in a group rolls back only its own writes and fails alone', async () => {
    await withRunner(async (ds, tx) => {
      const release = await busy(tx);
      const a = tx.run(insert('a'));
      const bad = tx.run(async (m) => {
        await m.query(`INSERT INTO log (what) VALUES ('half done')`);
        throw new Error('refused');
      });
      const c = tx.run(async (m) => {
        // the failed call's write is already gone for the calls after it
        const seen = await m.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM log WHERE what = 'half done'`);
        await insert('c')(m);
        return seen[0].n;
      });
      await release();
      await expect(a).resolves.toBe('a');
      await expect(bad).rejects.toThrow('refused');
      await expect(c).resolves.toBe(0);
      expect(await whats(ds)).toEqual(['a', 'c']);
      await tx.onApplicationShutdown();
    });
  });

  it('when the shared commit fails, every call of the group fails and none of its writes is stored', async () => {
    await withRunner(async (ds, tx) => {
      await ds.query('PRAGMA foreign_keys = ON');
      await ds.query('CREATE TABLE parent (id INTEGER PRIMARY KEY)');
      await ds.query('CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)');
      const release = await busy(tx);
      const a = tx.run(insert('a'));
      // a deferred foreign key is checked at COMMIT: the statement passes, the commit fails
      const orphan = tx.run(async (m) => m.query('INSERT INTO child (id, parent_id) VALUES (1, 42)'));
      await release();
      await expect(a).rejects.toThrow(/FOREIGN KEY/);
      await expect(orphan).rejects.toThrow(/FOREIGN KEY/);
      expect(await whats(ds)).toEqual([]);
      expect(await ds.query('SELECT * FROM child')).toEqual([]);
      // the connection is usable again
      await expect(tx.run(insert('after'))).resolves.toBe('after');
      expect(await whats(ds)).toEqual(['after']);
      await tx.onApplicationShutdown();
    });
  });
});
