/**
 * runTogether on PostgreSQL (libs/database run-together.ts): the writes of a confirm once its offer
 * is won go as one statement (data-modifying WITH). Every part runs, all or nothing, parameters
 * renumbered, named statement reused. PostgreSQL only (integration run); confirm's own behaviour on
 * PostgreSQL is covered by the confirm, bookings, idempotency-confirm, crash-confirm and
 * two-instances suites in the same run.
 */
import { DataSource } from 'typeorm';
import { runTogether } from '@app/database';
import { createPgDatabase } from '../support/app';
import { pgOnly } from '../support/pg-only';

jest.setTimeout(60_000);

const { adminUrl, describePg } = pgOnly('pg-combined-writes.e2e-spec');

describePg('runTogether on PostgreSQL: several writes, one statement', () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  const rows = async (table: string) => ds.query(`SELECT * FROM ${table} ORDER BY id`);

  beforeAll(async () => {
    db = await createPgDatabase(adminUrl as string);
    ds = new DataSource({ type: 'postgres', url: db.url });
    await ds.initialize();
    await ds.query('CREATE TABLE parents (id text PRIMARY KEY, n integer NOT NULL)');
    await ds.query('CREATE TABLE children (id text PRIMARY KEY, parent_id text NOT NULL REFERENCES parents (id), v text)');
    await ds.query("INSERT INTO parents VALUES ('p0', 0)");
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('inserts and updates in one statement: every part done, a child beside its new parent (the key checked at the end)', async () => {
    const values = Array.from({ length: 6 }, (_, i) => [`c${i}`, 'p1', `v${i}`]);
    await ds.transaction((m) =>
      runTogether(m, [
        { sql: 'INSERT INTO parents (id, n) VALUES ($1, $2)', params: ['p1', 1] },
        { sql: `INSERT INTO children (id, parent_id, v) VALUES ${values.map((_, r) => `($${r * 3 + 1}, $${r * 3 + 2}, $${r * 3 + 3})`).join(', ')}`, params: values.flat() },
        { sql: 'UPDATE parents SET n = $1 WHERE id = $2', params: [10, 'p0'] },
      ]),
    );
    expect(await rows('parents')).toEqual([
      { id: 'p0', n: 10 },
      { id: 'p1', n: 1 },
    ]);
    expect((await rows('children')).map((c: { id: string; v: string }) => `${c.id}=${c.v}`)).toEqual(['c0=v0', 'c1=v1', 'c2=v2', 'c3=v3', 'c4=v4', 'c5=v5']);
  });

  it('one part refused (a unique key): none of the others is stored, the error keeps its SQLSTATE', async () => {
    const attempt = ds.transaction((m) =>
      runTogether(m, [
        { sql: 'UPDATE parents SET n = $1 WHERE id = $2', params: [99, 'p0'] },
        { sql: 'INSERT INTO parents (id, n) VALUES ($1, $2)', params: ['p2', 2] },
        { sql: 'INSERT INTO children (id, parent_id, v) VALUES ($1, $2, $3)', params: ['c0', 'p2', 'dup'] },
      ]),
    );
    await expect(attempt).rejects.toMatchObject({ driverError: { code: '23505' } });
    expect(await rows('parents')).toEqual([
      { id: 'p0', n: 10 },
      { id: 'p1', n: 1 },
    ]);
    expect(await rows('children')).toHaveLength(6);
  });

  it('a child whose parent is in no part: refused by the foreign key, nothing stored', async () => {
    const attempt = ds.transaction((m) =>
      runTogether(m, [
        { sql: 'UPDATE parents SET n = $1 WHERE id = $2', params: [7, 'p1'] },
        { sql: 'INSERT INTO children (id, parent_id, v) VALUES ($1, $2, $3)', params: ['c9', 'nope', 'x'] },
      ]),
    );
    await expect(attempt).rejects.toMatchObject({ driverError: { code: '23503' } });
    expect((await rows('parents'))[1]).toEqual({ id: 'p1', n: 1 });
  });
});
