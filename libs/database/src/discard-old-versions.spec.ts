import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { truncateSqliteWal } from './discard-old-versions';
import { SqliteTransactions } from './sqlite-transactions';
import { SqliteWriteLock } from './write-lock';

const SECRET = 'Zyxadaline-Quorvelace-secret';

describe('old row versions out of a SQLite file (secure_delete, WAL truncated)', () => {
  let dir: string;
  let path: string;
  let main: Database.Database;

  const bytes = (): string => [path, `${path}-wal`, `${path}-shm`].map((p) => (existsSync(p) ? readFileSync(p).toString('latin1') : '')).join('');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'discard-old-versions-'));
    path = join(dir, 'w.sqlite');
    main = new Database(path);
    main.pragma('journal_mode = WAL');
    main.pragma('secure_delete = ON');
    main.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  });
  afterEach(() => {
    main.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a thread's connection (SqliteTransactions) zeroes what it overwrites: once the WAL is truncated the old text is nowhere", async () => {
    const thread = new SqliteTransactions({ path, synchronous: 1, foreignKeys: false, busyTimeoutMs: 1000, lock: new SqliteWriteLock().buffer });
    try {
      thread.run([{ sql: 'INSERT INTO t (id, v) VALUES (1, ?)', params: [`${SECRET} ${'x'.repeat(3000)}`] }]);
      thread.run([{ sql: 'INSERT INTO t (id, v) VALUES (2, ?)', params: ['another row'] }]);
      main.pragma('wal_checkpoint(PASSIVE)');
      expect(bytes()).toContain(SECRET);
      thread.run([{ sql: 'UPDATE t SET v = ? WHERE id = 1', params: ['[erased]'] }]);
      expect(bytes()).toContain(SECRET); // the old page is still in the WAL (and in the file until the checkpoint)
      expect(await truncateSqliteWal(main)).toBe(true);
      expect(bytes()).not.toContain(SECRET);
      expect(statSync(`${path}-wal`).size).toBe(0);
      expect(main.prepare('SELECT v FROM t ORDER BY id').all()).toEqual([{ v: '[erased]' }, { v: 'another row' }]);
    } finally {
      thread.close();
    }
  });

  it('retries while another connection reads an older snapshot, without waiting in the busy handler, and keeps busy_timeout', async () => {
    main.pragma('busy_timeout = 4000');
    main.prepare('INSERT INTO t (id, v) VALUES (1, ?)').run(SECRET);
    const reader = new Database(path);
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT * FROM t').all();
      main.prepare('UPDATE t SET v = ? WHERE id = 1').run('[erased]');
      const started = Date.now();
      expect(await truncateSqliteWal(main, { attempts: 3, waitMs: 10 })).toBe(false);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(Number(main.pragma('busy_timeout', { simple: true }))).toBe(4000);
      // the reader ends while an erasure waits: the next attempt succeeds (real time: the
      // retries are spaced by a real wait of waitMs, no clock of ours)
      setTimeout(() => reader.exec('COMMIT'), 30);
      expect(await truncateSqliteWal(main, { attempts: 50, waitMs: 10 })).toBe(true);
      expect(bytes()).not.toContain(SECRET);
    } finally {
      reader.close();
    }
  });

  it('is done at once on a database without a WAL', async () => {
    const memory = new Database(':memory:');
    try {
      expect(await truncateSqliteWal(memory)).toBe(true);
    } finally {
      memory.close();
    }
  });
});
