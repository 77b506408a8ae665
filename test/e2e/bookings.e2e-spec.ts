import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { confirmBody, confirmPath, createOffer, dbQuery, quoteId, setupShop } from '../support/booking-fixtures';
import { TestClock } from '../support/test-clock';

describe('Reads: offer status and bookings (e2e)', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startTestApp({}, clock);
    key = await setupShop(t, 'READA');
    otherKey = await setupShop(t, 'READB');
  });
  afterAll(async () => t.close());
  afterEach(() => clock.release());

  const readOffer = (id: string, code = 'READA', k = key) => request(t.http).get(`/x/partners/${code}/offers/${id}/`).set('X-Api-Key', k);

  it('GET offer shows OFFERED, then OPTED_OUT, then CONFIRMED with the booking id', async () => {
    const offer = await createOffer(t, 'READA', key);
    expect((await readOffer(offer.id).expect(200)).body).toMatchObject({ id: offer.id, status: 'OFFERED', booking_id: null, products: offer.products });
    await request(t.http).post(`/x/partners/READA/offers/${offer.id}/opt_out/`).set('X-Api-Key', key).expect(204);
    expect((await readOffer(offer.id).expect(200)).body).toMatchObject({ status: 'OPTED_OUT', booking_id: null });
    const booked = await request(t.http)
      .post(confirmPath('READA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(200);
    expect((await readOffer(offer.id).expect(200)).body).toMatchObject({ status: 'CONFIRMED', booking_id: booked.body.id });
  });

  it('GET offer shows EXPIRED for an unbooked offer past expires_at', async () => {
    clock.pin(Date.now()); // no real expiry while the test runs
    const offer = await createOffer(t, 'READA', key, { channel: 'flash' }); // offer_ttl 1s
    clock.pin(Date.parse(offer.expires_at as string) - 1);
    expect((await readOffer(offer.id).expect(200)).body).toMatchObject({ status: 'OFFERED' });
    clock.advance(1);
    expect((await readOffer(offer.id).expect(200)).body).toMatchObject({ status: 'EXPIRED', booking_id: null });
  });

  it('GET booking returns the booking as confirmed, under every prefix, with or without the trailing slash', async () => {
    const offer = await createOffer(t, 'READA', key);
    const booked = await request(t.http)
      .post(confirmPath('READA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'PROTECT'), quoteId(offer, 'SHIP')], { partner_transaction_id: 'T-1' }))
      .expect(200);
    for (const path of [`/x/partners/READA/bookings/${booked.body.id}/`, `/xcover/partners/READA/bookings/${booked.body.id}`]) {
      const res = await request(t.http).get(path).set('X-Api-Key', key).expect(200);
      expect(res.body).toEqual(booked.body);
    }
  });

  it('stores one booking row with normalized totals and one item per quote with its policy number', async () => {
    const offer = await createOffer(t, 'READA', key, { value: 250 });
    const booked = await request(t.http)
      .post(confirmPath('READA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'SHIP'), quoteId(offer, 'PROTECT')]))
      .expect(200);
    const [row] = await dbQuery<{ id: string; status: string; currency: string; total_price_minor: number; total_tax_minor: number }>(
      t,
      'SELECT id, status, currency, total_price_minor, total_tax_minor FROM bookings WHERE offer_id = $1',
      [offer.id],
    );
    expect(row).toMatchObject({ id: booked.body.id, status: 'CONFIRMED', currency: 'AUD' });
    expect(Number(row.total_price_minor)).toBe(Math.round(booked.body.total_price * 100));
    expect(Number(row.total_tax_minor)).toBe(Math.round(booked.body.total_tax * 100));
    const items = await dbQuery<{ quote_id: string; policy_number: string; price_minor: number }>(
      t,
      'SELECT quote_id, policy_number, price_minor FROM booking_items WHERE booking_id = $1 ORDER BY policy_number',
      [booked.body.id],
    );
    expect(items.map((i) => [i.quote_id, i.policy_number])).toEqual(
      booked.body.quotes.map((q: { id: string; policy_number: string }) => [q.id, q.policy_number]),
    );
  });

  it('the database itself refuses a second booking of an offer (unique offer_id), with a unique-violation code', async () => {
    const offer = await createOffer(t, 'READA', key);
    const booked = await request(t.http)
      .post(confirmPath('READA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(200);
    const [row] = await dbQuery<Record<string, unknown>>(t, 'SELECT * FROM bookings WHERE id = $1', [booked.body.id]);
    const cols = Object.keys(row);
    const copy = cols.map((c) => (c === 'id' ? 'ZZZZZ-ZZZZZ-INS' : row[c]));
    const insert = `INSERT INTO bookings (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map((_c, i) => `$${i + 1}`).join(', ')})`;
    const err = await dbQuery(t, insert, copy).then(
      () => null,
      (e: { driverError?: { code?: string } }) => e,
    );
    expect(err).not.toBeNull();
    expect(['23505', 'SQLITE_CONSTRAINT_UNIQUE']).toContain(err?.driverError?.code);
  });

  it('404 booking_not_found for an unknown booking id', async () => {
    const res = await request(t.http).get('/x/partners/READA/bookings/ZZZZZ-ZZZZZ-INS/').set('X-Api-Key', key).expect(404);
    expect(res.body).toMatchObject({ type: 'api_error', code: 'booking_not_found' });
  });

  it("404 across partners: another partner's offer and booking do not exist for them", async () => {
    const offer = await createOffer(t, 'READA', key);
    const booked = await request(t.http)
      .post(confirmPath('READA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(200);
    const o = await readOffer(offer.id, 'READB', otherKey).expect(404);
    expect(o.body.code).toBe('offer_not_found');
    const b = await request(t.http).get(`/x/partners/READB/bookings/${booked.body.id}/`).set('X-Api-Key', otherKey).expect(404);
    expect(b.body.code).toBe('booking_not_found');
    // the other partner's key on this partner's path: 403 before anything is looked up
    await request(t.http).get(`/x/partners/READA/bookings/${booked.body.id}/`).set('X-Api-Key', otherKey).expect(403);
  });

  it('needs a key: 401 without one', async () => {
    await request(t.http).get('/x/partners/READA/bookings/ZZZZZ-ZZZZZ-INS/').expect(401);
    await request(t.http).post('/x/partners/READA/offers/x/confirm/').send({}).expect(401);
    await request(t.http).post('/x/partners/READA/offers/x/opt_out/').send({}).expect(401);
  });

  it('is documented in Swagger', async () => {
    const doc = await request(t.http).get('/docs-json').expect(200);
    const op = doc.body.paths['/x/partners/{partner_code}/bookings/{booking_id}']?.get;
    expect(op).toBeDefined();
    expect(op.responses['200'].content['application/json'].schema.$ref).toMatch(/BookingResponseDto$/);
    expect(op.responses['404'].description).toEqual(expect.stringContaining('booking_not_found'));
  });
});
