import { DataSource } from 'typeorm';
import { asOneStatement, combineStatements, mergeInserts, PG_MAX_PARAMS, runTogether } from './run-together';
import { RowNotChangedError } from './sql-statement';

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

describe('combineStatements with a last statement that must change rows', () => {
  it('keeps its mustChange and rows: the combined row count is the last part\'s', () => {
    const one = combineStatements([
      { sql: 'INSERT INTO "a" ("x") VALUES ($1)', params: [1] },
      { sql: 'INSERT INTO "k" ("k") VALUES ($1), ($2) ON CONFLICT DO NOTHING', params: ['k1', 'k2'], mustChange: true, rows: 2 },
    ]);
    expect(one).toEqual({
      sql: 'WITH s0 AS (INSERT INTO "a" ("x") VALUES ($1)) INSERT INTO "k" ("k") VALUES ($2), ($3) ON CONFLICT DO NOTHING',
      params: [1, 'k1', 'k2'],
      mustChange: true,
      rows: 2,
    });
  });
});

describe('asOneStatement (a PostgreSQL transaction as one statement when it can be)', () => {
  const insert = { sql: 'INSERT INTO "a" ("x") VALUES ($1)', params: [1] };
  const claim = { sql: 'INSERT INTO "k" ("k") VALUES ($1) ON CONFLICT DO NOTHING', params: ['k'], mustChange: true };

  it('combines writes, the last of which may have to change rows', () => {
    expect(asOneStatement([insert, insert])?.sql).toBe('WITH s0 AS (INSERT INTO "a" ("x") VALUES ($1)) INSERT INTO "a" ("x") VALUES ($2)');
    expect(asOneStatement([insert, claim])).toMatchObject({ mustChange: true, params: [1, 'k'] });
    expect(asOneStatement([insert])).toBe(insert);
  });

  it('leaves them apart (undefined) for a read, a mustChange before the last, too many parameters, or nothing', () => {
    expect(asOneStatement([{ sql: 'SELECT 1', params: [] }, insert])).toBeUndefined();
    expect(asOneStatement([claim, insert])).toBeUndefined();
    const wide = { sql: 'INSERT INTO "a" ("x") VALUES ($1)', params: Array.from({ length: PG_MAX_PARAMS - 1 }, () => 0) };
    expect(asOneStatement([wide, insert])).toBeDefined();
    expect(asOneStatement([wide, insert, insert])).toBeUndefined();
    expect(asOneStatement([])).toBeUndefined();
  });
});

describe('mergeInserts (one-row inserts of the same text as one multi-row insert)', () => {
  const pgClaim = (k: string) => ({ sql: 'INSERT INTO "k" ("id", "k") VALUES ($1, $2) ON CONFLICT DO NOTHING', params: [`id-${k}`, k], mustChange: true });

  it('PostgreSQL: numbers the placeholders row after row; each row must insert (`rows`)', () => {
    expect(mergeInserts([pgClaim('a'), pgClaim('b'), pgClaim('c')])).toEqual([
      {
        sql: 'INSERT INTO "k" ("id", "k") VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT DO NOTHING',
        params: ['id-a', 'a', 'id-b', 'b', 'id-c', 'c'],
        mustChange: true,
        rows: 3,
      },
    ]);
  });

  it('SQLite (`?`), and statements that need not change rows: merged without mustChange', () => {
    const row = (v: number) => ({ sql: 'INSERT INTO "t" ("v", "w") VALUES (?, ?)', params: [v, v * 10] });
    expect(mergeInserts([row(1), row(2)])).toEqual([{ sql: 'INSERT INTO "t" ("v", "w") VALUES (?, ?), (?, ?)', params: [1, 10, 2, 20] }]);
  });

  it('merges only consecutive statements of the same text; leaves the rest in order', () => {
    const other = { sql: 'UPDATE "t" SET "v" = $1', params: [1] };
    const out = mergeInserts([pgClaim('a'), pgClaim('b'), other, pgClaim('c')]);
    expect(out.map((s) => [s.params.length, s.rows])).toEqual([
      [4, 2],
      [1, undefined],
      [2, undefined],
    ]);
    expect(out[2]).toEqual(pgClaim('c'));
  });

  it('leaves apart what it cannot merge safely: other shapes, placeholders out of order, mixed mustChange, rows already merged', () => {
    const multi = { sql: 'INSERT INTO "t" ("v") VALUES ($1), ($2)', params: [1, 2] };
    expect(mergeInserts([multi, multi])).toEqual([multi, multi]);
    const swapped = { sql: 'INSERT INTO "t" ("v", "w") VALUES ($2, $1)', params: [1, 2] };
    expect(mergeInserts([swapped, swapped])).toEqual([swapped, swapped]);
    const select = { sql: 'SELECT $1', params: [1] };
    expect(mergeInserts([select, select])).toEqual([select, select]);
    const loose = { ...pgClaim('b'), mustChange: false };
    expect(mergeInserts([pgClaim('a'), loose])).toEqual([pgClaim('a'), loose]);
    const merged = { ...pgClaim('a'), rows: 2 };
    expect(mergeInserts([merged, merged])).toEqual([merged, merged]);
  });

  it('splits a long run so that no statement binds more than 16000 parameters', () => {
    const claims = Array.from({ length: 8001 }, (_, i) => pgClaim(`k${i}`));
    const out = mergeInserts(claims);
    expect(out.map((s) => [s.params.length, s.rows])).toEqual([
      [16000, 8000],
      [2, 1],
    ]);
    expect(out[1].sql).toBe('INSERT INTO "k" ("id", "k") VALUES ($1, $2) ON CONFLICT DO NOTHING');
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

  it('with a guard: the writes run only after the guard changed a row; else RowNotChangedError, the writes not run', async () => {
    const guard = { sql: 'UPDATE a SET n = ? WHERE id = ? AND n = ?', params: [5, 'x', 1] };
    await ds.transaction((m) => runTogether(m, [{ sql: 'INSERT INTO a (id, n) VALUES (?, ?)', params: ['g1', 0] }, null], guard));
    await expect(ds.transaction((m) => runTogether(m, [{ sql: 'INSERT INTO a (id, n) VALUES (?, ?)', params: ['g2', 0] }], guard))).rejects.toBeInstanceOf(RowNotChangedError);
    expect(await ds.query('SELECT id, n FROM a ORDER BY id')).toEqual([
      { id: 'g1', n: 0 },
      { id: 'x', n: 5 },
    ]);
    await expect(runTogether(ds.manager, [], { sql: 'INSERT INTO a (id, n) VALUES (?, ?)', params: ['g3', 0] })).rejects.toThrow('the guard must be an UPDATE');
  });
});
