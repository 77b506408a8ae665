import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { confirmBody, confirmPath, createOffer, dbQuery, quoteId, setupShop } from '../support/booking-fixtures';
import { TestClock } from '../support/test-clock';

const optOutPath = (code: string, id: string): string => `/x/partners/${code}/offers/${id}/opt_out/`;

describe('Opt-Out (e2e)', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startTestApp({}, clock);
    key = await setupShop(t, 'OPTA');
    otherKey = await setupShop(t, 'OPTB');
  });
  afterAll(async () => t.close());
  afterEach(() => clock.release());

  const events = (offerId: string) =>
    dbQuery<{ body: string; partner_id: string; api_key_id: string; created_at: unknown }>(
      t,
      'SELECT body, partner_id, api_key_id, created_at FROM opt_out_events WHERE offer_id = $1 ORDER BY created_at',
      [offerId],
    );

  it('204 with no body; the offer reads OPTED_OUT and the event is stored', async () => {
    const offer = await createOffer(t, 'OPTA', key);
    const res = await request(t.http).post(optOutPath('OPTA', offer.id)).set('X-Api-Key', key).expect(204);
    expect(res.text).toBe('');
    const read = await request(t.http).get(`/x/partners/OPTA/offers/${offer.id}/`).set('X-Api-Key', key).expect(200);
    expect(read.body).toMatchObject({ status: 'OPTED_OUT', booking_id: null });
    const stored = await events(offer.id);
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0].body)).toEqual({});
  });

  it('stores partner_metadata and free fields as received (no whitelist on this route)', async () => {
    const offer = await createOffer(t, 'OPTA', key);
    const body = { partner_metadata: { reason: 'too_expensive', basket: [1, 2], nested: { a: true } }, source: 'checkout', shown_ms: 1234 };
    await request(t.http).post(optOutPath('OPTA', offer.id)).set('X-Api-Key', key).send(body).expect(204);
    const stored = await events(offer.id);
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0].body)).toEqual(body);
  });

  it('is repeatable: 204 each time, every opt-out recorded, status stays OPTED_OUT', async () => {
    const offer = await createOffer(t, 'OPTA', key);
    for (let i = 0; i < 3; i++) {
      await request(t.http).post(`/xcover/partners/OPTA/offers/${offer.id}/opt_out`).set('X-Api-Key', key).send({ attempt: i }).expect(204);
    }
    const bodies = (await events(offer.id)).map((e) => JSON.parse(e.body) as { attempt: number });
    expect(bodies.sort((a, b) => a.attempt - b.attempt)).toEqual([{ attempt: 0 }, { attempt: 1 }, { attempt: 2 }]);
    const read = await request(t.http).get(`/x/partners/OPTA/offers/${offer.id}`).set('X-Api-Key', key).expect(200);
    expect(read.body.status).toBe('OPTED_OUT');
  });

  it('concurrent opt-outs of one offer all succeed and are all recorded', async () => {
    const offer = await createOffer(t, 'OPTA', key);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => request(t.http).post(optOutPath('OPTA', offer.id)).set('X-Api-Key', key).send({ i })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(204));
    expect(await events(offer.id)).toHaveLength(10);
  });

  it('confirm after opt-out is allowed (the customer changed their mind)', async () => {
    const offer = await createOffer(t, 'OPTA', key);
    await request(t.http).post(optOutPath('OPTA', offer.id)).set('X-Api-Key', key).expect(204);
    const booked = await request(t.http)
      .post(confirmPath('OPTA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(200);
    const read = await request(t.http).get(`/x/partners/OPTA/offers/${offer.id}`).set('X-Api-Key', key).expect(200);
    expect(read.body).toMatchObject({ status: 'CONFIRMED', booking_id: booked.body.id });
    // the opt-out stays on record
    expect(await events(offer.id)).toHaveLength(1);
  });

  it('422 offer_already_confirmed after confirm, and nothing is recorded', async () => {
    const offer = await createOffer(t, 'OPTA', key);
    const booked = await request(t.http)
      .post(confirmPath('OPTA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(200);
    const res = await request(t.http)
      .post(optOutPath('OPTA', offer.id))
      .set('X-Api-Key', key)
      .send({ partner_metadata: { x: 1 } })
      .expect(422);
    expect(res.body).toMatchObject({ type: 'api_error', code: 'offer_already_confirmed', booking_id: booked.body.id, error_id: expect.any(String) });
    expect(await events(offer.id)).toHaveLength(0);
    const read = await request(t.http).get(`/x/partners/OPTA/offers/${offer.id}`).set('X-Api-Key', key).expect(200);
    expect(read.body.status).toBe('CONFIRMED');
  });

  it('404 offer_not_found for an unknown offer', async () => {
    const res = await request(t.http).post(optOutPath('OPTA', '00000000-0000-4000-8000-000000000000')).set('X-Api-Key', key).send({}).expect(404);
    expect(res.body).toMatchObject({ type: 'api_error', code: 'offer_not_found' });
  });

  it("404 offer_not_found for another partner's offer, which stays OFFERED with no event", async () => {
    const offer = await createOffer(t, 'OPTA', key);
    const res = await request(t.http).post(optOutPath('OPTB', offer.id)).set('X-Api-Key', otherKey).send({}).expect(404);
    expect(res.body.code).toBe('offer_not_found');
    const read = await request(t.http).get(`/x/partners/OPTA/offers/${offer.id}`).set('X-Api-Key', key).expect(200);
    expect(read.body.status).toBe('OFFERED');
    expect(await events(offer.id)).toHaveLength(0);
  });

  it('422 validation_error when the body is a JSON array', async () => {
    const offer = await createOffer(t, 'OPTA', key);
    const res = await request(t.http).post(optOutPath('OPTA', offer.id)).set('X-Api-Key', key).send([1, 2]).expect(422);
    expect(res.body).toMatchObject({ type: 'validation_error', code: 'validation_error' });
    expect(await events(offer.id)).toHaveLength(0);
  });

  it('an expired offer can still be opted out of (the decline is recorded)', async () => {
    clock.pin(Date.now()); // no real expiry while the test runs
    const offer = await createOffer(t, 'OPTA', key, { channel: 'flash' }); // offer_ttl 1s
    clock.pin(Date.parse(offer.expires_at as string));
    expect((await request(t.http).get(`/x/partners/OPTA/offers/${offer.id}/`).set('X-Api-Key', key).expect(200)).body.status).toBe('EXPIRED');
    await request(t.http).post(optOutPath('OPTA', offer.id)).set('X-Api-Key', key).expect(204);
    expect(await events(offer.id)).toHaveLength(1);
  });

  it('is documented in Swagger', async () => {
    const doc = await request(t.http).get('/docs-json').expect(200);
    const op = doc.body.paths['/x/partners/{partner_code}/offers/{offer_id}/opt_out']?.post;
    expect(op).toBeDefined();
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['204', '404', '422']));
    expect(op.responses['422'].description).toEqual(expect.stringContaining('offer_already_confirmed'));
  });
});
