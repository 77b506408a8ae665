/**
 * Two app processes on one PostgreSQL database and one Redis (issue 5): data written on
 * one is read on the other, a configuration change on one is used by the other within a second,
 * a rate limit of N/s holds across both, and 20 confirms of one offer spread over both give one
 * booking. Runs in the integration run only (needs TEST_PG_ADMIN_URL and TEST_REDIS_URL).
 */
import { Client } from 'pg';
import request from 'supertest';
import { createPgDatabase, TEST_ADMIN_KEY, testRedisPrefix } from '../support/app';
import { spawnApp, type AppProcess } from '../support/processes';
import { offerRequest } from '../support/booking-fixtures';
import { burstInOneWindow, confirm, newKey, newOffer, protectPrice, putScaleBundle, readiness, waitFor } from '../support/scale';

jest.setTimeout(180_000);

const adminUrl = process.env.TEST_PG_ADMIN_URL;
const redisUrl = process.env.TEST_REDIS_URL;
if (!adminUrl || !redisUrl) process.stderr.write('two-instances.e2e-spec: needs PostgreSQL and Redis (npm run test:integration) — skipped\n');
const describeScaled = adminUrl && redisUrl ? describe : describe.skip;

describeScaled('two instances on one PostgreSQL and one Redis (e2e, spawned processes)', () => {
  let db: { url: string; drop(): Promise<void> };
  let sql: Client;
  let a: AppProcess;
  let b: AppProcess;

  const countBookings = async (offerId: string) => Number((await sql.query('SELECT COUNT(*) AS n FROM bookings WHERE offer_id = $1', [offerId])).rows[0].n);

  beforeAll(async () => {
    db = await createPgDatabase(adminUrl as string);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const env = { DATABASE_URL: db.url, REDIS_URL: redisUrl as string, REDIS_KEY_PREFIX: testRedisPrefix(), ADMIN_API_KEY: TEST_ADMIN_KEY, LOG_LEVEL: 'warn' };
    // one at a time: both run migrations on start (the second finds them done)
    a = await spawnApp(env);
    b = await spawnApp(env);
    for (const p of [a, b]) await waitFor('Redis connected', async () => (await readiness(p.url)).body.status === 'ok', 10_000, 100);
  });
  afterAll(async () => {
    await a?.stop('SIGTERM');
    await b?.stop('SIGTERM');
    await sql?.end();
    await db?.drop();
  });

  it('data created on one is read on the other', async () => {
    await putScaleBundle(a.url, 'TWO');
    const key = await newKey(a.url, 'TWO');
    const offer = await newOffer(a.url, 'TWO', key);
    const read = await request(b.url).get(`/x/partners/TWO/offers/${offer.id}/`).set('X-Api-Key', key).expect(200);
    expect(read.body).toMatchObject({ id: offer.id, status: 'OFFERED' });
    const partner = await request(b.url).get('/admin/partners/TWO').set('X-Admin-Key', TEST_ADMIN_KEY).expect(200);
    expect(partner.body.current_version).toBe(1);
  });

  it('a configuration change (bundle PUT) on one is used by the other within 1 s', async () => {
    await putScaleBundle(a.url, 'TWOCONF', { protectRate: '0.1' });
    const key = await newKey(a.url, 'TWOCONF');
    expect(protectPrice(await newOffer(b.url, 'TWOCONF', key, { value: 100 }))).toBe(10); // b has it cached
    await putScaleBundle(a.url, 'TWOCONF', { protectRate: '0.25' });
    const took = await waitFor(
      'b to price with the new configuration',
      async () => protectPrice(await newOffer(b.url, 'TWOCONF', key, { value: 100 })) === 25,
      1000,
      20,
    );
    expect(took).toBeLessThan(1000);
  });

  it('a rate limit of 10/s holds across both (30 requests in one window → 10 admitted)', async () => {
    const N = 10;
    await putScaleBundle(a.url, 'TWOLIM', { rateLimits: { create: 1000, confirm: 1000, other: N, test: 1000 } });
    const key = await newKey(a.url, 'TWOLIM');
    const path = `/x/partners/TWOLIM/offers/${(await newOffer(a.url, 'TWOLIM', key)).id}/`;
    // both know the key and the limits before the burst (creates: another route class, so the burst opens its own window)
    await newOffer(b.url, 'TWOLIM', key);
    const statuses = await burstInOneWindow(30, (i) => fetch(`${(i % 2 ? a : b).url}${path}`, { headers: { 'X-Api-Key': key } }).then((r) => r.status));
    const admitted = statuses.filter((s) => s === 200).length;
    expect(admitted).toBe(N); // one counter for both: not up to 2N as with per-instance counting
    expect(statuses.filter((s) => s === 429).length).toBe(30 - admitted);
  });

  it('20 confirms of one offer spread over both give one booking (no idempotency key: one 200, 19 booking_already_exists)', async () => {
    await putScaleBundle(a.url, 'TWOBOOK');
    const key = await newKey(a.url, 'TWOBOOK');
    const offer = await newOffer(a.url, 'TWOBOOK', key);
    await request(b.url).get(`/x/partners/TWOBOOK/offers/${offer.id}/`).set('X-Api-Key', key).expect(200);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => confirm(i % 2 ? a.url : b.url, 'TWOBOOK', key, offer)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    const bookingId = ok[0].body.id as string;
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({ code: 'booking_already_exists', booking_id: bookingId });
    }
    expect(await countBookings(offer.id)).toBe(1);
  });

  it('20 creates with one idempotency key spread over both: one offer stored, every 200 that offer; another body with the key is 422', async () => {
    await putScaleBundle(a.url, 'TWOIDEM');
    const key = await newKey(a.url, 'TWOIDEM');
    const create = (target: string, value = 100) =>
      request(target).post('/x/partners/TWOIDEM/offers/').set('X-Api-Key', key).set('x-idempotency-key', 'two-instances-create').send(offerRequest({ value }));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => create(i % 2 ? a.url : b.url)));
    // a request that finds the key running on its own instance is 423; one that ran beside the
    // winner on the other instance gets the winner's answer, replayed
    expect(results.every((r) => r.status === 200 || r.status === 423)).toBe(true);
    const ok = results.filter((r) => r.status === 200);
    expect(new Set(ok.map((r) => r.body.id as string)).size).toBe(1);
    expect(ok.filter((r) => r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    const offerId = ok[0].body.id as string;
    for (const p of [a, b]) {
      const replay = await create(p.url).expect(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(offerId);
      expect((await create(p.url, 200)).status).toBe(422);
    }
    const stored = await sql.query("SELECT COUNT(*) AS n FROM offers o JOIN partners p ON p.id = o.partner_id WHERE p.code = 'TWOIDEM'");
    expect(Number(stored.rows[0].n)).toBe(1);
    const record = await sql.query("SELECT state, response_body FROM idempotency_records WHERE key = 'two-instances-create'");
    expect(record.rows).toHaveLength(1);
    expect(record.rows[0].state).toBe('done');
    expect(JSON.parse(record.rows[0].response_body as string).id).toBe(offerId);
  });

  it('20 confirms with one idempotency key spread over both: one booking, every success answer with its id', async () => {
    const key = await newKey(a.url, 'TWOBOOK');
    const offer = await newOffer(a.url, 'TWOBOOK', key);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => confirm(i % 2 ? a.url : b.url, 'TWOBOOK', key, offer, 'two-instances-key')));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 409 || s === 423)).toBe(true);
    const bookingId = results.find((r) => r.status === 200)?.body.id as string;
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.id).toBe(bookingId);
    // once settled, a retry on either instance replays the same booking
    for (const p of [a, b]) {
      const replay = await confirm(p.url, 'TWOBOOK', key, offer, 'two-instances-key');
      expect(replay.status).toBe(409);
      expect(replay.body.id).toBe(bookingId);
    }
    expect(await countBookings(offer.id)).toBe(1);
  });
});
