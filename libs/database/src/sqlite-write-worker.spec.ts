import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DataSource, type EntityManager } from 'typeorm';
import { SqliteTransactions } from './sqlite-transactions';
import { isRowNotChanged, RowNotChangedError, SqliteWriteError } from './sql-statement';
import { SqliteWriteWorker } from './sqlite-write-worker';
import { SqliteWriteLock } from './write-lock';
import { TransactionRunner } from './transaction-runner';

describe('SqliteWriteWorker', () => {
  let dir: string;
  let path: string;
  let reader: Database.Database;
  let worker: SqliteWriteWorker;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'write-worker-'));
    path = join(dir, 'w.sqlite');
    reader = new Database(path);
    reader.pragma('journal_mode = WAL');
    reader.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, flag INTEGER)');
    worker = new SqliteWriteWorker({ path, synchronous: 2, foreignKeys: true, busyTimeoutMs: 1000, lock: new SqliteWriteLock().buffer });
  });
  afterEach(async () => {
    await worker.close();
    reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => reader.prepare('SELECT id, v, flag FROM t ORDER BY id').all();

  it('commits every statement of a call together, visible to another connection at once', async () => {
    await worker.execute([
      { sql: 'INSERT INTO t (id, v, flag) VALUES (?, ?, ?), (?, ?, ?)', params: [1, 'a', true, 2, 'b', false] },
      { sql: 'INSERT INTO t (id, v, flag) VALUES (?, ?, ?)', params: [3, 'c', null] },
    ]);
    expect(rows()).toEqual([
      { id: 1, v: 'a', flag: 1 },
      { id: 2, v: 'b', flag: 0 },
      { id: 3, v: 'c', flag: null },
    ]);
  });

  it('a failing statement rolls the whole call back and rejects with SQLite’s code; later calls work', async () => {
    await worker.execute([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [1, 'a'] }]);
    const failed = worker.execute([
      { sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [2, 'b'] },
      { sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [1, 'duplicate'] },
    ]);
    await expect(failed).rejects.toBeInstanceOf(SqliteWriteError);
    await expect(failed).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(rows()).toEqual([{ id: 1, v: 'a', flag: null }]);
    await worker.execute([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [2, 'b'] }]);
    expect(rows()).toHaveLength(2);
  });

  it('a `mustChange` statement that changes no row fails its call (ROW_NOT_CHANGED) and stores nothing of it; SqliteTransactions the same', async () => {
    await worker.execute([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [1, 'a'] }]);
    const claim = (id: number) => ({ sql: 'INSERT INTO t (id, v) VALUES (?, ?) ON CONFLICT DO NOTHING', params: [id, 'claimed'], mustChange: true });
    const failed = worker.execute([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [2, 'b'] }, claim(1)]);
    await expect(failed).rejects.toBeInstanceOf(SqliteWriteError);
    await expect(failed).rejects.toMatchObject({ code: 'ROW_NOT_CHANGED' });
    expect(isRowNotChanged(await failed.catch((e: unknown) => e))).toBe(true);
    expect(rows()).toEqual([{ id: 1, v: 'a', flag: null }]);
    // one that inserts passes like any statement
    await worker.execute([claim(3)]);
    expect(rows()).toHaveLength(2);

    // the build threads' runner
    const thread = new SqliteTransactions({ path, synchronous: 2, foreignKeys: true, busyTimeoutMs: 1000, lock: new SqliteWriteLock().buffer });
    try {
      expect(() => thread.run([{ sql: 'UPDATE t SET v = ? WHERE id = ?', params: ['x', 4] }, claim(3)])).toThrow(RowNotChangedError);
      expect(rows()).toHaveLength(2);
      thread.run([claim(4)]);
      expect(rows()).toHaveLength(3);
    } finally {
      thread.close();
    }
  });

  it('a `mustChange` statement of several rows (`rows`) must change each: one row that conflicts fails the call, nothing of it stored', async () => {
    await worker.execute([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [1, 'a'] }]);
    const claims = (...ids: number[]) => ({
      sql: `INSERT INTO t (id, v) VALUES ${ids.map(() => '(?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
      params: ids.flatMap((id) => [id, 'claimed']),
      mustChange: true,
      rows: ids.length,
    });
    // two of the three rows insert: not enough
    const failed = worker.execute([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [9, 'x'] }, claims(2, 1, 3)]);
    await expect(failed).rejects.toMatchObject({ code: 'ROW_NOT_CHANGED' });
    expect(rows()).toEqual([{ id: 1, v: 'a', flag: null }]);
    await worker.execute([claims(2, 3)]);
    expect(rows()).toHaveLength(3);

    const thread = new SqliteTransactions({ path, synchronous: 2, foreignKeys: true, busyTimeoutMs: 1000, lock: new SqliteWriteLock().buffer });
    try {
      expect(() => thread.run([claims(4, 3)])).toThrow(RowNotChangedError);
      expect(rows()).toHaveLength(3);
      thread.run([claims(4, 5)]);
      expect(rows()).toHaveLength(5);
    } finally {
      thread.close();
    }
  });

  it('a bad statement is an error, not a crash', async () => {
    await expect(worker.execute([{ sql: 'INSERT INTO nope VALUES (1)', params: [] }])).rejects.toThrow(/no such table: nope/);
    await worker.execute([{ sql: 'INSERT INTO t (id, v) VALUES (1, ?)', params: ['ok'] }]);
    expect(rows()).toHaveLength(1);
  });

  it('when the thread dies, its pending writes are rejected and the next write starts a new one', async () => {
    await worker.start();
    const internals = worker as unknown as { worker: { terminate(): Promise<number> } };
    const pending = worker.execute([{ sql: 'INSERT INTO t (id, v) VALUES (1, ?)', params: ['x'] }]);
    await internals.worker.terminate();
    await expect(pending).rejects.toThrow();
    await worker.execute([{ sql: 'INSERT INTO t (id, v) VALUES (2, ?)', params: ['after restart'] }]);
    expect(rows().map((r) => (r as { id: number }).id)).toContain(2);
  });

  it('a database file that does not exist fails the start with a clear error', async () => {
    const missing = new SqliteWriteWorker({ path: join(dir, 'missing', 'x.sqlite'), synchronous: 2, foreignKeys: true, busyTimeoutMs: 100, lock: new SqliteWriteLock().buffer });
    await expect(missing.execute([])).rejects.toThrow(/directory does not exist|unable to open/);
    await missing.close();
  });

  it('refuses writes once closed', async () => {
    await worker.close();
    await expect(worker.execute([])).rejects.toThrow(/closed/);
  });
});

/** A SQLite file with a `log` table and a TransactionRunner on it (write worker started), removed after `work`. */
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

describe('TransactionRunner with the write worker', () => {
  it('runs statements in the worker in their turn among main-connection transactions, and closes it on shutdown', async () => {
    await withRunner(async (ds, tx) => {
      expect(tx.usesWriteWorker).toBe(true);
      const done = await Promise.all([
        tx.run(async (m) => m.query(`INSERT INTO log (what) VALUES ('main 1')`)),
        tx.runStatements([{ sql: 'INSERT INTO log (what) VALUES (?)', params: ['worker'] }]),
        tx.run(async (m) => {
          // the worker's commit is already visible inside the next transaction
          const seen = (await m.query(`SELECT COUNT(*) AS n FROM log WHERE what = 'worker'`)) as Array<{ n: number }>;
          await m.query(`INSERT INTO log (what) VALUES ('main 2')`);
          return seen[0].n;
        }),
      ]);
      expect(done[2]).toBe(1);
      expect(((await ds.query('SELECT what FROM log ORDER BY n')) as Array<{ what: string }>).map((r) => r.what)).toEqual(['main 1', 'worker', 'main 2']);
      await tx.onApplicationShutdown();
      expect(tx.usesWriteWorker).toBe(false);
      // without the worker the same call runs on the main connection
      await tx.runStatements([{ sql: 'INSERT INTO log (what) VALUES (?)', params: ['main connection'] }]);
      expect(((await ds.query('SELECT COUNT(*) AS n FROM log')) as Array<{ n: number }>)[0].n).toBe(4);
    });
  });

  it('hands a batch queued behind one the worker already has straight over, and still keeps every turn', async () => {
    await withRunner(async (ds, tx) => {
      const worker = (tx as unknown as { worker: SqliteWriteWorker }).worker;
      const handed: string[] = [];
      const execute = worker.execute.bind(worker);
      worker.execute = (statements) => {
        handed.push(String(statements[0].params[0]));
        return execute(statements);
      };
      const insert = (what: string) => tx.runStatements([{ sql: 'INSERT INTO log (what) VALUES (?)', params: [what] }]);
      const first = insert('w1');
      await new Promise((r) => setImmediate(r));
      // w1 is with the worker: w2 and w3 go to it at once, before w1 commits
      const second = insert('w2');
      const third = insert('w3');
      expect(handed).toEqual(['w1', 'w2', 'w3']);
      // a main-connection transaction waits for all three; a batch after it waits for it
      const main = tx.run(async (m) => {
        const seen = (await m.query(`SELECT COUNT(*) AS n FROM log`)) as Array<{ n: number }>;
        await m.query(`INSERT INTO log (what) VALUES ('main')`);
        return seen[0].n;
      });
      const fourth = insert('w4');
      expect(handed).toEqual(['w1', 'w2', 'w3']);
      // a failing batch in the chain fails alone
      const failing = tx.runStatements([{ sql: 'INSERT INTO nope VALUES (?)', params: ['bad'] }]);
      await Promise.all([first, second, third, fourth]);
      await expect(failing).rejects.toThrow(/no such table/);
      expect(await main).toBe(3);
      expect(((await ds.query('SELECT what FROM log ORDER BY n')) as Array<{ what: string }>).map((r) => r.what)).toEqual(['w1', 'w2', 'w3', 'main', 'w4']);
      await tx.onApplicationShutdown();
    });
  });

  it('runStatements without a worker (PostgreSQL, an in-memory database) honours `mustChange` too: the transaction rolls back', async () => {
    const ds = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    await ds.initialize();
    try {
      await ds.query('CREATE TABLE u (id INTEGER PRIMARY KEY, v TEXT)');
      const tx = new TransactionRunner(ds);
      await tx.onApplicationBootstrap();
      await tx.runStatements([{ sql: 'INSERT INTO u (id, v) VALUES (1, ?)', params: ['a'] }]);
      const failed = tx.runStatements([
        { sql: 'INSERT INTO u (id, v) VALUES (2, ?)', params: ['b'] },
        { sql: 'INSERT INTO u (id, v) VALUES (1, ?) ON CONFLICT DO NOTHING', params: ['again'], mustChange: true },
      ]);
      await expect(failed).rejects.toBeInstanceOf(RowNotChangedError);
      expect(await ds.query('SELECT id, v FROM u ORDER BY id')).toEqual([{ id: 1, v: 'a' }]);
      // a statement of several rows must change each of them (`rows`)
      const claims = { sql: 'INSERT INTO u (id, v) VALUES (3, ?), (1, ?) ON CONFLICT DO NOTHING', params: ['c', 'again'], mustChange: true, rows: 2 };
      await expect(tx.runStatements([claims])).rejects.toBeInstanceOf(RowNotChangedError);
      expect(await ds.query('SELECT id, v FROM u ORDER BY id')).toEqual([{ id: 1, v: 'a' }]);
    } finally {
      await ds.destroy();
    }
  });

  it('uses no worker for an in-memory database', async () => {
    const ds = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    await ds.initialize();
    const tx = new TransactionRunner(ds);
    await tx.onApplicationBootstrap();
    expect(tx.usesWriteWorker).toBe(false);
    await ds.destroy();
  });
});

describe('TransactionRunner group commit (SQLite)', () => {
  const whats = async (ds: DataSource) => ((await ds.query('SELECT what FROM log ORDER BY n')) as Array<{ what: string }>).map((r) => r.what);
  /**
   * Holds the connection with a transaction that waits (then runs `then`), so that what is queued
   * next queues behind it; the returned function lets it finish.
   */
  const busy = async (tx: TransactionRunner, then?: (m: EntityManager) => Promise<unknown>): Promise<() => Promise<void>> => {
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
  };
  const insert = (what: string) => async (m: EntityManager) => {
    await m.query('INSERT INTO log (what) VALUES (?)', [what]);
    return what;
  };

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
      const inCallback = (w: string) => new Promise<string>((resolve, reject) => setImmediate(() => tx.run(insert(w)).then(resolve, reject)));
      const sameTurn = Promise.all(['a', 'b', 'c'].map(inCallback));
      await expect(sameTurn).resolves.toEqual(['a', 'b', 'c']);
      expect(transactions).toHaveBeenCalledTimes(1);
      // a call made in a later turn gets a transaction of its own
      await new Promise((r) => setImmediate(r));
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
        const seen = (await m.query(`SELECT COUNT(*) AS n FROM log WHERE what = 'half done'`)) as Array<{ n: number }>;
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

  it('a call queued after runStatements does not join a group queued before it', async () => {
    await withRunner(async (ds, tx) => {
      const release = await busy(tx);
      const done = [tx.run(insert('b')), tx.runStatements([{ sql: 'INSERT INTO log (what) VALUES (?)', params: ['statements'] }]), tx.run(insert('c'))];
      await release();
      await Promise.all(done);
      expect(await whats(ds)).toEqual(['b', 'statements', 'c']);
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
