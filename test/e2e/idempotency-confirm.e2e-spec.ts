import request from 'supertest';
import { Clock } from '@app/core';
import { BookingHooks, IdempotencyService } from '@app/offers';
import { startTestApp, TestApp } from '../support/app';
import { confirmBody, confirmPath, createOffer, dbQuery, offerRequest, quoteId, setupShop } from '../support/booking-fixtures';

const KEY_HEADER = 'x-idempotency-key';

describe('Idempotency keys on confirm (e2e)', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    t = await startTestApp();
    key = await setupShop(t, 'IDEMA');
    otherKey = await setupShop(t, 'IDEMB');
  });
  afterAll(async () => t.close());

  const confirm = (offerId: string, body: object, idemKey?: string, code = 'IDEMA', k = key) => {
    const r = request(t.http).post(confirmPath(code, offerId)).set('X-Api-Key', k);
    if (idemKey) r.set(KEY_HEADER, idemKey);
    return r.send(body);
  };
  const bookingsOf = async (offerId: string) =>
    Number((await dbQuery<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM bookings WHERE offer_id = $1', [offerId]))[0].n);

  it('same key and body after completion: the first booking replayed with 409 and Idempotent-Replayed: true', async () => {
    const offer = await createOffer(t, 'IDEMA', key);
    const body = confirmBody([quoteId(offer, 'PROTECT')]);
    const first = await confirm(offer.id, body, 'k-replay').expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await confirm(offer.id, body, 'k-replay').expect(409);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    // the same body with its keys in another order is the same request
    const reordered = { policyholder: body.policyholder, quotes: body.quotes };
    const third = await confirm(offer.id, reordered, 'k-replay').expect(409);
    expect(third.body.id).toBe(first.body.id);
    expect(await bookingsOf(offer.id)).toBe(1);
  });

  it('same key, another body: 422 idempotency_key_reused', async () => {
    const offer = await createOffer(t, 'IDEMA', key);
    await confirm(offer.id, confirmBody([quoteId(offer, 'PROTECT')]), 'k-reuse').expect(200);
    const res = await confirm(offer.id, confirmBody([quoteId(offer, 'PROTECT'), quoteId(offer, 'SHIP')]), 'k-reuse').expect(422);
    expect(res.body).toMatchObject({ type: 'api_error', code: 'idempotency_key_reused' });
    // and on another offer
    const other = await createOffer(t, 'IDEMA', key);
    const res2 = await confirm(other.id, confirmBody([quoteId(other, 'PROTECT')]), 'k-reuse').expect(422);
    expect(res2.body.code).toBe('idempotency_key_reused');
    expect(await bookingsOf(other.id)).toBe(0);
  });

  it('same key while the first is still running: 423 idempotency_in_progress', async () => {
    const hooks = t.app.get(BookingHooks);
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = hooks.beforeBooking;
    hooks.beforeBooking = async () => {
      entered();
      await gate;
    };
    try {
      const offer = await createOffer(t, 'IDEMA', key);
      const body = confirmBody([quoteId(offer, 'PROTECT')]);
      const first = confirm(offer.id, body, 'k-flight').then((r) => r);
      await inFlight;
      const second = await confirm(offer.id, body, 'k-flight').expect(423);
      expect(second.body).toMatchObject({ type: 'api_error', code: 'idempotency_in_progress' });
      release();
      const done = await first;
      expect(done.status).toBe(200);
      hooks.beforeBooking = original;
      const replay = await confirm(offer.id, body, 'k-flight').expect(409);
      expect(replay.body).toEqual(done.body);
    } finally {
      hooks.beforeBooking = original;
      release();
    }
  });

  it('a request that fails does not hold its key: the fixed request succeeds with it', async () => {
    const offer = await createOffer(t, 'IDEMA', key);
    const bad = await confirm(offer.id, confirmBody([quoteId(offer, 'SHIP')]), 'k-fix').expect(422);
    expect(bad.body.code).toBe('product_rules_violation');
    await confirm(offer.id, confirmBody([quoteId(offer, 'PROTECT')]), 'k-fix').expect(200);
  });

  it('keys are scoped per partner and per route', async () => {
    const a = await createOffer(t, 'IDEMA', key);
    const b = await createOffer(t, 'IDEMB', otherKey);
    await confirm(a.id, confirmBody([quoteId(a, 'PROTECT')]), 'k-shared').expect(200);
    await confirm(b.id, confirmBody([quoteId(b, 'PROTECT')]), 'k-shared', 'IDEMB', otherKey).expect(200);
    // the same key on create offer is another route
    const created = await request(t.http).post('/x/partners/IDEMA/offers/').set('X-Api-Key', key).set(KEY_HEADER, 'k-shared').send(offerRequest()).expect(200);
    const replayed = await request(t.http).post('/x/partners/IDEMA/offers/').set('X-Api-Key', key).set(KEY_HEADER, 'k-shared').send(offerRequest()).expect(200);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body.id).toBe(created.body.id);
  });

  it('20 simultaneous confirms with one key: one booking, the others 423 or the 409 replay, never a 500', async () => {
    const offer = await createOffer(t, 'IDEMA', key);
    const body = confirmBody([quoteId(offer, 'PROTECT')]);
    const results = await Promise.all(Array.from({ length: 20 }, () => confirm(offer.id, body, 'k-race')));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 409 || s === 423)).toBe(true);
    expect(await bookingsOf(offer.id)).toBe(1);
  });

  it('records are kept 48 h: after that the key is free again, and expired records are purged', async () => {
    const offer = await createOffer(t, 'IDEMA', key);
    const body = confirmBody([quoteId(offer, 'PROTECT')]);
    const first = await confirm(offer.id, body, 'k-ttl').expect(200);
    const clock = t.app.get(Clock);
    const realNow = clock.now.bind(clock);
    try {
      clock.now = () => new Date(realNow().getTime() + 47 * 3_600_000);
      await confirm(offer.id, body, 'k-ttl').expect(409);
      // past 48 h the record is expired: purged on read, and the request runs again (the offer is booked)
      clock.now = () => new Date(realNow().getTime() + 49 * 3_600_000);
      const late = await confirm(offer.id, body, 'k-ttl').expect(422);
      expect(late.body).toMatchObject({ code: 'booking_already_exists', booking_id: first.body.id });
      // the periodic purge deletes every expired record
      const before = await dbQuery<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM idempotency_records');
      expect(Number(before[0].n)).toBeGreaterThan(0);
      clock.now = () => new Date(realNow().getTime() + 50 * 3_600_000);
      const purged = await t.app.get(IdempotencyService).purgeExpired();
      expect(purged).toBe(Number(before[0].n));
      const after = await dbQuery<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM idempotency_records');
      expect(Number(after[0].n)).toBe(0);
    } finally {
      clock.now = realNow;
    }
  });
});
