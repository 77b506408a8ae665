/**
 * PgTransactions (libs/database): the transactions an offer build thread runs on PostgreSQL on a
 * pool of its own. All or nothing per run, a refused row's SQLSTATE kept, a key committed
 * elsewhere (mustChange) reported as ROW_NOT_CHANGED, timestamps written as UTC, the pool still
 * serving after a failure, the writes of a run sent as one statement. PostgreSQL only (integration run); the threads storing offers through
 * it are covered by offer-build-threads, db-down and db-timestamps in the same run.
 */
import { Client } from 'pg';
import { PgTransactions, ROW_NOT_CHANGED } from '@app/database';
import { createPgDatabase } from '../support/app';
import { pgOnly } from '../support/pg-only';

jest.setTimeout(60_000);

const { adminUrl, describePg } = pgOnly('pg-thread-store.e2e-spec');

describePg('PgTransactions: a build thread’s own transactions on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let sql: Client;
  let tx: PgTransactions;
  const insert = (id: number, at: Date | null, body: string) => ({ sql: 'INSERT INTO items (id, at, body) VALUES ($1, $2, $3)', params: [id, at, body] });
  const ids = async (): Promise<number[]> => (await sql.query('SELECT id FROM items ORDER BY id')).rows.map((r: { id: number }) => r.id);

  beforeAll(async () => {
    db = await createPgDatabase(adminUrl as string);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await sql.query('CREATE TABLE items (id integer PRIMARY KEY, at timestamp without time zone, body varchar(8) NOT NULL)');
    // one connection: every run below reuses the one a failure left behind
    tx = new PgTransactions({ url: db.url, max: 1, connectionTimeoutMillis: 2000, namedStatements: true });
  });
  afterAll(async () => {
    await tx?.close().catch(() => undefined);
    await sql?.end();
    await db?.drop();
  });

  it('commits every statement of a run, with Dates written as their UTC wall-clock time', async () => {
    await tx.run([insert(1, new Date('2027-01-31T23:00:00.123Z'), 'a'), insert(2, null, 'b')]);
    expect(await ids()).toEqual([1, 2]);
    const { rows } = await sql.query(`SELECT to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS at FROM items WHERE id = 1`);
    expect(rows[0].at).toBe('2027-01-31T23:00:00.123');
  });

  it('a refused row fails the whole run with its SQLSTATE, nothing of it stored; the connection serves again', async () => {
    await expect(tx.run([insert(3, null, 'c'), insert(1, null, 'dup')])).rejects.toMatchObject({ code: '23505' });
    await expect(tx.run([insert(4, null, 'd'), insert(5, null, 'far too long')])).rejects.toMatchObject({ code: '22001' });
    expect(await ids()).toEqual([1, 2]);
    await tx.run([insert(3, null, 'c')]);
    expect(await ids()).toEqual([1, 2, 3]);
  });

  it('a `mustChange` statement that changed nothing (a key another request committed) fails the run as ROW_NOT_CHANGED', async () => {
    const claim = { sql: 'INSERT INTO items (id, at, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', params: [1, null, 'again'], mustChange: true };
    await expect(tx.run([insert(6, null, 'f'), claim])).rejects.toMatchObject({ code: ROW_NOT_CHANGED });
    expect(await ids()).toEqual([1, 2, 3]);
    await tx.run([{ ...claim, params: [7, null, 'g'] }]);
    expect(await ids()).toEqual([1, 2, 3, 7]);
  });

  it('statements are named (prepared once per connection) by default, unnamed with PG_NAMED_STATEMENTS=false', async () => {
    await sql.query('CREATE TABLE seen (pool text, name text, statement text)');
    // run inside the pool's own session: what that session holds prepared
    const capture = (pool: string) => ({ sql: `INSERT INTO seen (pool, name, statement) SELECT '${pool}', name, statement FROM pg_prepared_statements`, params: [] });
    for (let i = 10; i < 12; i++) await tx.run([insert(i, null, 'n')]);
    await tx.run([capture('named')]);
    const unnamed = new PgTransactions({ url: db.url, max: 1, connectionTimeoutMillis: 2000, namedStatements: false });
    try {
      await unnamed.run([insert(12, null, 'u')]);
      await unnamed.run([capture('unnamed')]);
    } finally {
      await unnamed.close();
    }
    expect(await ids()).toEqual([1, 2, 3, 7, 10, 11, 12]);
    const seen = (await sql.query('SELECT pool, name FROM seen WHERE statement = $1', [insert(0, null, '').sql])).rows;
    expect(seen).toEqual([{ pool: 'named', name: expect.stringMatching(/^hot_[0-9a-f]{40}$/) }]);
  });

  it('writes go as one statement: alone, a transaction of its own (one round trip); with rows to count, between BEGIN and COMMIT', async () => {
    const query = jest.spyOn(Client.prototype, 'query');
    const sent = (): unknown[] =>
      query.mock.calls.filter((_c, i) => query.mock.contexts[i] !== sql).map(([q]) => (typeof q === 'string' ? q : (q as { text: string }).text));
    const claims = (a: number, b: number) => ({
      sql: 'INSERT INTO items (id, at, body) VALUES ($1, $2, $3), ($4, $5, $6) ON CONFLICT DO NOTHING',
      params: [a, null, 'k', b, null, 'k'],
      mustChange: true,
      rows: 2,
    });
    const above = async () => (await ids()).filter((id) => id >= 30);
    try {
      await tx.run([insert(30, null, 'x'), insert(31, null, 'y')]);
      expect(sent()).toEqual(['WITH s0 AS (INSERT INTO items (id, at, body) VALUES ($1, $2, $3)) INSERT INTO items (id, at, body) VALUES ($4, $5, $6)']);
      expect(await above()).toEqual([30, 31]);

      // one part refused: the statement, so the run, stores nothing
      query.mockClear();
      await expect(tx.run([insert(32, null, 'z'), insert(30, null, 'dup')])).rejects.toMatchObject({ code: '23505' });
      expect(sent()).toHaveLength(1);
      expect(await above()).toEqual([30, 31]);

      // a multi-row claim with one row taken: too few rows, rolled back
      query.mockClear();
      await expect(tx.run([insert(33, null, 'z'), claims(34, 30)])).rejects.toMatchObject({ code: ROW_NOT_CHANGED });
      expect(sent()).toEqual(['BEGIN', expect.stringMatching(/^WITH s0 AS \(INSERT INTO items .* ON CONFLICT DO NOTHING$/), 'ROLLBACK']);
      expect(await above()).toEqual([30, 31]);

      query.mockClear();
      await tx.run([insert(33, null, 'z'), claims(34, 35)]);
      expect(sent()).toEqual(['BEGIN', expect.stringMatching(/^WITH s0 AS/), 'COMMIT']);
      expect(await above()).toEqual([30, 31, 33, 34, 35]);
    } finally {
      query.mockRestore();
    }
  });

  it('a database that cannot be reached: the run fails with a network error, after at most the connection timeout', async () => {
    const nowhere = new PgTransactions({ url: 'postgres://postgres@127.0.0.1:1/none', max: 1, connectionTimeoutMillis: 500, namedStatements: true });
    try {
      const started = Date.now();
      await expect(nowhere.run([insert(20, null, 'x')])).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await nowhere.close();
    }
  });
});
