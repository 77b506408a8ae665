import { DataSource } from 'typeorm';
import { combineStatements, runTogether } from './run-together';

describe('combineStatements (PostgreSQL: several writes as one statement)', () => {
  it('puts every statement but the last in a WITH clause, its parameters renumbered after those before it', () => {
    const one = combineStatements([
      { sql: 'INSERT INTO "a" ("x", "y") VALUES ($1, $2), ($3, $4)', params: [1, 'two', 3, 'four'] },
      { sql: 'UPDATE "b" SET "s" = $1 WHERE "id" IN ($2, $3)', params: ['S', 'b1', 'b2'] },
      { sql: 'DELETE FROM "c" WHERE "k" = $1 AND "v" > $2', params: ['k', 10] },
      { sql: 'UPDATE "d" SET "n" = $2 WHERE "id" = $1', params: ['d1', 12] },
    ]);
    expect(one).toEqual({
      sql:
        'WITH s0 AS (INSERT INTO "a" ("x", "y") VALUES ($1, $2), ($3, $4)), ' +
        's1 AS (UPDATE "b" SET "s" = $5 WHERE "id" IN ($6, $7)), ' +
        's2 AS (DELETE FROM "c" WHERE "k" = $8 AND "v" > $9) ' +
        'UPDATE "d" SET "n" = $11 WHERE "id" = $10',
      params: [1, 'two', 3, 'four', 'S', 'b1', 'b2', 'k', 10, 'd1', 12],
    });
  });

  it('$10 and above are renumbered whole (not as $1 followed by 0)', () => {
    const params = Array.from({ length: 12 }, (_, i) => i);
    const sql = `INSERT INTO "a" VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})`;
    const one = combineStatements([{ sql: 'UPDATE "b" SET "s" = $1', params: ['x'] }, { sql, params }]);
    expect(one.sql.endsWith(`INSERT INTO "a" VALUES (${params.map((_, i) => `$${i + 2}`).join(', ')})`)).toBe(true);
    expect(one.params).toEqual(['x', ...params]);
  });

  it('one statement stays as it is', () => {
    const s = { sql: 'UPDATE "b" SET "s" = $1', params: ['x'] };
    expect(combineStatements([s])).toBe(s);
  });

  it('refuses what cannot be combined: a read, a statement whose row count matters, a placeholder without a value, nothing', () => {
    expect(() => combineStatements([{ sql: 'SELECT 1', params: [] }, { sql: 'UPDATE "b" SET "s" = $1', params: ['x'] }])).toThrow('not an INSERT, UPDATE or DELETE');
    expect(() =>
      combineStatements([
        { sql: 'INSERT INTO "k" VALUES ($1) ON CONFLICT DO NOTHING', params: ['k'], mustChange: true },
        { sql: 'UPDATE "b" SET "s" = $1', params: ['x'] },
      ]),
    ).toThrow('mustChange');
    expect(() => combineStatements([{ sql: 'UPDATE "b" SET "s" = $2', params: ['x'] }, { sql: 'UPDATE "c" SET "s" = $1', params: ['y'] }])).toThrow('$2 has no parameter');
    expect(() => combineStatements([])).toThrow('no statement');
  });
});

describe('runTogether on SQLite: the statements one after the other, in the transaction', () => {
  let ds: DataSource;
  beforeEach(async () => {
    ds = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    await ds.initialize();
    await ds.query('CREATE TABLE a (id TEXT PRIMARY KEY, n INTEGER)');
    await ds.query("INSERT INTO a VALUES ('x', 1)");
  });
  afterEach(async () => ds.destroy());

  it('runs each (skipping the nulls: updates that can match nothing)', async () => {
    await ds.transaction((m) =>
      runTogether(m, [{ sql: 'INSERT INTO a (id, n) VALUES (?, ?)', params: ['y', 2] }, null, { sql: 'UPDATE a SET n = ? WHERE id = ?', params: [10, 'x'] }]),
    );
    expect(await ds.query('SELECT id, n FROM a ORDER BY id')).toEqual([
      { id: 'x', n: 10 },
      { id: 'y', n: 2 },
    ]);
  });

  it('a failure fails the transaction: nothing of it is stored', async () => {
    await expect(
      ds.transaction((m) =>
        runTogether(m, [
          { sql: 'UPDATE a SET n = ? WHERE id = ?', params: [20, 'x'] },
          { sql: 'INSERT INTO a (id, n) VALUES (?, ?)', params: ['x', 3] },
        ]),
      ),
    ).rejects.toThrow(/UNIQUE/);
    expect(await ds.query('SELECT id, n FROM a')).toEqual([{ id: 'x', n: 1 }]);
  });

  it('nothing to run: no query', async () => {
    await expect(runTogether(ds.manager, [null, null])).resolves.toBeUndefined();
  });
});
