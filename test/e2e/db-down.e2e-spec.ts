/**
 * Database down: requests answer 503 `service_unavailable` with Retry-After (not
 * 500, and not after a long hang), nothing is half-written, /health/ready is 503, and the app
 * recovers on its own when the database is back. PostgreSQL is taken "down" by closing a TCP
 * proxy between the app and it. Runs in the integration run only (needs TEST_PG_ADMIN_URL).
 */
import { Client } from 'pg';
import request from 'supertest';
import { createPgDatabase, startTestApp, type TestApp } from '../support/app';
import { TcpProxy } from '../support/tcp-proxy';
import { newKey, newOffer, putScaleBundle, readiness, timed, waitFor } from '../support/scale';
import { offerRequest } from '../support/booking-fixtures';
import { pgOnly } from '../support/pg-only';

jest.setTimeout(60_000);

const { adminUrl, describePg } = pgOnly('db-down.e2e-spec');

describePg('database down (e2e, PostgreSQL)', () => {
  let db: { url: string; drop(): Promise<void> };
  let proxy: TcpProxy;
  let t: TestApp;
  let key: string;
  let sql: Client;

  const count = async (table: string): Promise<number> => Number((await sql.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);

  beforeAll(async () => {
    db = await createPgDatabase(adminUrl as string);
    const direct = new URL(db.url);
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    await proxy.open();
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    t = await startTestApp({ databaseUrl: viaProxy.toString() });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await putScaleBundle(t.http, 'DBDOWN');
    key = await newKey(t.http, 'DBDOWN');
  });
  afterAll(async () => {
    await proxy?.open().catch(() => undefined);
    await t?.close();
    await proxy?.close();
    await sql?.end();
    await db?.drop();
  });

  it('while the database is down: 503 service_unavailable with Retry-After, fast, on reads and writes', async () => {
    const offer = await newOffer(t.http, 'DBDOWN', key);
    const offersBefore = await count('offers');
    // the key and the configuration are cached: what fails is the database itself
    await proxy.close();

    const create = await timed(request(t.http).post('/x/partners/DBDOWN/offers/').set('X-Api-Key', key).send(offerRequest()));
    const read = await timed(request(t.http).get(`/x/partners/DBDOWN/offers/${offer.id}/`).set('X-Api-Key', key));
    const admin = await timed(request(t.http).get('/admin/partners/DBDOWN').set('X-Admin-Key', 'test-admin-key-0123456789abcdef'));
    for (const r of [create, read, admin]) {
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ type: 'server_error', code: 'service_unavailable', error_id: expect.any(String) });
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(r.ms).toBeLessThan(3000);
    }
    const ready = await readiness(t.http);
    expect(ready.code).toBe(503);
    expect(ready.body).toMatchObject({ status: 'error', details: { database: { status: 'down' } } });

    // back: the same app serves again, without a restart
    await proxy.open();
    await waitFor('the app to reconnect', async () => (await readiness(t.http)).code === 200, 10_000, 100);
    await request(t.http).get(`/x/partners/DBDOWN/offers/${offer.id}/`).set('X-Api-Key', key).expect(200);
    await newOffer(t.http, 'DBDOWN', key);
    // the offer refused while down was never written; the one after was
    expect(await count('offers')).toBe(offersBefore + 1);
  });

  it('connection lost in the middle of a write: 503 and no partial write (the offer without its quotes)', async () => {
    const offersBefore = await count('offers');
    const quotesBefore = await count('quotes');
    // cut every connection the moment the app sends the values of the offer it is inserting (its
    // request text, with this transaction id, is one of them)
    const marker = `cut-${Date.now()}`;
    proxy.setTap((_chunk, sent) => (sent.includes(marker) ? 'cut' : 'forward'));
    const res = await request(t.http)
      .post('/x/partners/DBDOWN/offers/')
      .set('X-Api-Key', key)
      .send(offerRequest({ transactionId: marker }));
    proxy.setTap(undefined);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('service_unavailable');
    expect(await count('offers')).toBe(offersBefore);
    expect(await count('quotes')).toBe(quotesBefore);
    // and the next request is served
    await newOffer(t.http, 'DBDOWN', key);
    expect(await count('offers')).toBe(offersBefore + 1);
  });
});
