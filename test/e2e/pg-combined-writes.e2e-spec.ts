/**
 * runTogether on PostgreSQL (libs/database run-together.ts): the writes of a confirm once its offer
 * is won go as one statement (data-modifying WITH). Every part runs, all or nothing, parameters
 * renumbered, named statement reused; with a guard, the conditional update of the offer with them, as
 * one statement outside any transaction. PostgreSQL only (integration run); confirm's own behaviour on
 * PostgreSQL is covered by the confirm, bookings, idempotency-confirm, crash-confirm and
 * two-instances suites in the same run.
 */
import { DataSource } from 'typeorm';
import { isRowNotChanged, RowNotChangedError, runTogether } from '@app/database';
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

  describe('runTogether with a guard: a conditional update and the writes that stand only if it changed a row', () => {
    beforeAll(async () => {
      await ds.query('CREATE TABLE offers_g (id text PRIMARY KEY, state text NOT NULL)');
      await ds.query('CREATE TABLE bookings_g (id text PRIMARY KEY, offer_id text NOT NULL UNIQUE REFERENCES offers_g (id))');
      await ds.query("INSERT INTO offers_g VALUES ('o1', 'OPEN'), ('o2', 'OPEN'), ('o3', 'OPEN')");
    });
    const guard = (offer: string) => ({ sql: "UPDATE offers_g SET state = $1 WHERE id = $2 AND state = 'OPEN'", params: ['TAKEN', offer] });
    const booking = (id: string, offer: string) => ({ sql: 'INSERT INTO bookings_g (id, offer_id) VALUES ($1, $2)', params: [id, offer] });
    const table = async (name: string) => ds.query(`SELECT * FROM ${name} ORDER BY id`);

    it('outside a transaction: one statement, its own transaction; the writes stand when the guard changed a row', async () => {
      const query = jest.spyOn(ds.driver as unknown as { obtainMasterConnection(): Promise<unknown> }, 'obtainMasterConnection');
      try {
        await runTogether(ds.manager, [booking('b1', 'o1'), null], guard('o1'));
        expect(query).toHaveBeenCalledTimes(1);
      } finally {
        query.mockRestore();
      }
      expect(await table('offers_g')).toEqual([
        { id: 'o1', state: 'TAKEN' },
        { id: 'o2', state: 'OPEN' },
        { id: 'o3', state: 'OPEN' },
      ]);
      expect(await table('bookings_g')).toEqual([{ id: 'b1', offer_id: 'o1' }]);
    });

    it('the guard matching nothing: RowNotChangedError, nothing of the writes stored', async () => {
      const attempt = runTogether(ds.manager, [booking('b2', 'o2')], guard('o1'));
      await expect(attempt).rejects.toBeInstanceOf(RowNotChangedError);
      expect(isRowNotChanged(await attempt.catch((e: unknown) => e))).toBe(true);
      expect(await table('bookings_g')).toEqual([{ id: 'b1', offer_id: 'o1' }]);
      // in a transaction the same: the caller's transaction fails, nothing stored
      await expect(ds.transaction((m) => runTogether(m, [booking('b3', 'o3')], guard('o1')))).rejects.toBeInstanceOf(RowNotChangedError);
      expect(await table('bookings_g')).toHaveLength(1);
    });

    it('a write refused: the guard\'s change is undone too, the SQLSTATE kept', async () => {
      await expect(runTogether(ds.manager, [booking('b1', 'o2')], guard('o2'))).rejects.toMatchObject({ driverError: { code: '23505' } });
      expect((await table('offers_g'))[1]).toEqual({ id: 'o2', state: 'OPEN' });
    });

    it('twenty at once for one row: exactly one stands, the others changed nothing', async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => runTogether(ds.manager, [booking(`race-${i}`, 'o3')], guard('o3'))));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(isRowNotChanged(o.reason) || (o.reason as { driverError?: { code?: string } }).driverError?.code === '23505').toBe(true);
      expect((await table('bookings_g')).filter((b: { offer_id: string }) => b.offer_id === 'o3')).toHaveLength(1);
    });
  });
});
