/**
 * A repeated opt-out racing the retention purge of its offer, on PostgreSQL (on SQLite one write
 * transaction excludes the other). The purge locks its candidate offers and deletes them with
 * everything stored about them; an opt-out arriving meanwhile must wait for it and then find no
 * offer (404), not record an opt-out of an offer that no longer exists. Here a transaction of the
 * test stands in for the purge, holding the offer's row while the opt-out is sent.
 */
import { Client } from 'pg';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { createOffer, dbQuery, setupShop } from '../support/booking-fixtures';
import { pgOnly } from '../support/pg-only';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

const { describePg } = pgOnly('test/integration/opt-out-purge-race.spec');

describePg('opt-out racing the retention purge (PostgreSQL)', () => {
  let t: TestApp;
  let key: string;
  let purge: Client;

  beforeAll(async () => {
    t = await startTestApp();
    key = await setupShop(t, 'RACE');
    purge = new Client({ connectionString: t.config.databaseUrl });
    await purge.connect();
  });
  afterAll(async () => {
    await purge.end();
    await t.close();
  });

  const optOut = (offerId: string) => request(t.http).post(`/x/partners/RACE/offers/${offerId}/opt_out/`).set('X-Api-Key', key).send({ again: true });

  /** whether a session of this database is waiting for a row lock (the opt-out, queued behind the purge) */
  async function someoneWaitsForALock(): Promise<boolean> {
    const { rows } = await purge.query<{ waiting: string }>(
      `SELECT count(*) AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    );
    return Number(rows[0].waiting) > 0;
  }

  it('an opt-out of an offer being purged waits for the purge, answers 404 and leaves no opt-out behind', async () => {
    const offer = await createOffer(t, 'RACE', key);
    await optOut(offer.id).expect(204);

    // the purge of the (opted-out, unbought) offer, as PURGE_OFFER_BATCH does it, not yet committed
    await purge.query('BEGIN');
    await purge.query('SELECT id FROM offers WHERE id = $1 FOR UPDATE', [offer.id]);
    for (const table of ['quotes', 'offer_variants', 'opt_out_events', 'idempotency_records']) {
      await purge.query(`DELETE FROM ${table} WHERE offer_id = $1`, [offer.id]);
    }
    await purge.query('DELETE FROM offers WHERE id = $1', [offer.id]);

    const repeat = optOut(offer.id).then((res) => res);
    await waitFor('the repeated opt-out to wait for the offer row', someoneWaitsForALock, 10_000);
    await purge.query('COMMIT');

    const res = await repeat;
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'offer_not_found' });
    expect(await dbQuery(t, 'SELECT id FROM opt_out_events WHERE offer_id = $1', [offer.id])).toEqual([]);
    expect(await dbQuery(t, 'SELECT id FROM offers WHERE id = $1', [offer.id])).toEqual([]);
  });

  it('an offer the purge does not touch is opted out again as before (the lock is only held for the transaction)', async () => {
    const offer = await createOffer(t, 'RACE', key);
    await optOut(offer.id).expect(204);
    await optOut(offer.id).expect(204);
    expect(await dbQuery(t, 'SELECT id FROM opt_out_events WHERE offer_id = $1', [offer.id])).toHaveLength(2);
  });
});
