import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { confirmBody, confirmPath, createOffer, dbQuery, POLICYHOLDER, quoteId, setupShop } from '../support/booking-fixtures';
import { TestClock } from '../support/test-clock';

const BOOKING_ID = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}-INS$/;
const cents = (x: number): number => Math.round(x * 100);

describe('Confirm Offer (e2e)', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startTestApp({}, clock);
    key = await setupShop(t, 'SHOPA');
    otherKey = await setupShop(t, 'SHOPB');
  });
  afterAll(async () => t.close());
  afterEach(() => clock.release());

  it('happy path: 200 with the booking, the offer becomes CONFIRMED, the booking can be read', async () => {
    const offer = await createOffer(t, 'SHOPA', key, { value: 123.45, transactionId: 'ORDER-1' });
    const protect = quoteId(offer, 'PROTECT');
    const ship = quoteId(offer, 'SHIP');
    const body = {
      quotes: [{ id: protect, insured: [{ first_name: 'Ada', last_name: 'Lovelace', birth_date: '1815-12-10' }] }, { id: ship }],
      policyholder: { ...POLICYHOLDER, address1: '12 St James Square', city: 'London', postcode: 'SW1Y 4JH' },
      partner_transaction_id: 'TX-42',
    };
    const res = await request(t.http).post(confirmPath('SHOPA', offer.id)).set('X-Api-Key', key).send(body).expect(200);
    const fmt = (n: number) => new Intl.NumberFormat('en-AU', { style: 'currency', currency: 'AUD' }).format(n);
    // PROTECT: 12.35 premium (123.45 * 0.1 half-up) + 10% tax 1.24 = 13.59, or with variant b: 9.88 + 0.99 = 10.87; SHIP 2.35 + 0.24 = 2.59
    const variant = offer.metadata?.experiments?.[0]?.variant;
    const protectPrice = variant === 'b' ? 10.87 : 13.59;
    const protectTax = variant === 'b' ? 0.99 : 1.24;
    expect(res.body).toEqual({
      id: expect.stringMatching(BOOKING_ID),
      status: 'CONFIRMED',
      offer_id: offer.id,
      offer_config_id: 'shop-cover',
      currency: 'AUD',
      total_price: cents(protectPrice + 2.59) / 100,
      total_price_formatted: fmt(cents(protectPrice + 2.59) / 100),
      total_tax: cents(protectTax + 0.24) / 100,
      total_tax_formatted: fmt(cents(protectTax + 0.24) / 100),
      partner_transaction_id: 'TX-42',
      total_refund: 0,
      total_refund_formatted: fmt(0),
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+00:00$/),
      updated_at: res.body.created_at,
      policyholder: body.policyholder,
      quotes: [
        {
          id: protect,
          code: 'PROTECT',
          name: 'PROTECT cover',
          status: 'CONFIRMED',
          policy_number: `${res.body.id}-01`,
          policy_start_date: '2027-01-01T00:00:00+00:00',
          policy_end_date: '2027-12-31T23:59:59+00:00',
          price: protectPrice,
          price_formatted: fmt(protectPrice),
          tax: protectTax,
          tax_formatted: fmt(protectTax),
          pds_url: 'https://example.com/pds/protect.pdf',
          insured: [{ first_name: 'Ada', last_name: 'Lovelace', birth_date: '1815-12-10' }],
          confirmed_at: res.body.created_at,
          cancelled_at: null,
        },
        {
          id: ship,
          code: 'SHIP',
          name: 'SHIP cover',
          status: 'CONFIRMED',
          policy_number: `${res.body.id}-02`,
          policy_start_date: '2027-01-01T00:00:00+00:00',
          policy_end_date: '2027-12-31T23:59:59+00:00',
          price: 2.59,
          price_formatted: fmt(2.59),
          tax: 0.24,
          tax_formatted: fmt(0.24),
          pds_url: 'https://example.com/pds/ship.pdf',
          insured: [],
          confirmed_at: res.body.created_at,
          cancelled_at: null,
        },
      ],
    });

    const read = await request(t.http).get(`/x/partners/SHOPA/offers/${offer.id}/`).set('X-Api-Key', key).expect(200);
    expect(read.body).toMatchObject({ id: offer.id, status: 'CONFIRMED', booking_id: res.body.id });
    const booking = await request(t.http).get(`/x/partners/SHOPA/bookings/${res.body.id}/`).set('X-Api-Key', key).expect(200);
    expect(booking.body).toEqual(res.body);

    const quotes = await dbQuery<{ id: string; status: string }>(t, 'SELECT id, status FROM quotes WHERE offer_id = $1', [offer.id]);
    expect(quotes).toHaveLength(2);
    expect(quotes.every((q) => q.status === 'CONFIRMED')).toBe(true);
  });

  it("a booking's totals equal the sum of its confirmed quotes to the cent", async () => {
    for (const value of [1, 19.99, 123.45, 777.77, 1234.56, 99999.99]) {
      const res0 = await request(t.http)
        .post('/x/partners/SHOPA/offers/?extra_fields=tax')
        .set('X-Api-Key', key)
        .send({ customer: { language: 'en', currency: 'AUD', country: 'AU' }, context: { value, channel: 'web' } })
        .expect(200);
      const offer = res0.body as {
        id: string;
        products: Array<{ id: string; details: { finance: { price: { total_amount: number }; tax: { total_amount: number } } } }>;
      };
      const res = await request(t.http)
        .post(confirmPath('SHOPA', offer.id))
        .set('X-Api-Key', key)
        .send(confirmBody(offer.products.map((p) => p.id)))
        .expect(200);
      const price = offer.products.reduce((s, p) => s + cents(p.details.finance.price.total_amount), 0);
      const tax = offer.products.reduce((s, p) => s + cents(p.details.finance.tax.total_amount), 0);
      expect(cents(res.body.total_price)).toBe(price);
      expect(cents(res.body.total_tax)).toBe(tax);
      expect(res.body.quotes.reduce((s: number, q: { price: number }) => s + cents(q.price), 0)).toBe(price);
    }
  });

  it('selecting only part of the offer books only those quotes; partner_transaction_id defaults to the offer’s', async () => {
    const offer = await createOffer(t, 'SHOPA', key, { transactionId: 'ORDER-7' });
    const res = await request(t.http)
      .post(confirmPath('SHOPA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(200);
    expect(res.body.quotes.map((q: { code: string }) => q.code)).toEqual(['PROTECT']);
    expect(res.body.partner_transaction_id).toBe('ORDER-7');
    expect(res.body.total_price).toBe(offer.products.find((p) => p.code === 'PROTECT')!.details.finance.price.total_amount);
  });

  it('formats totals with the locale of the offer’s customer', async () => {
    const offer = await createOffer(t, 'SHOPA', key, { language: 'de', country: 'DE', currency: 'EUR', value: 1000 });
    const res = await request(t.http)
      .post(confirmPath('SHOPA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(200);
    expect(res.body.currency).toBe('EUR');
    expect(res.body.total_price_formatted).toBe(new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' }).format(res.body.total_price));
  });

  it('works under every API prefix and without the trailing slash', async () => {
    const offer = await createOffer(t, 'SHOPA', key);
    await request(t.http)
      .post(`/xcover/partners/SHOPA/offers/${offer.id}/confirm`)
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(200);
  });

  describe('422 booking_validation_error, errors by JSON path', () => {
    let offer: Awaited<ReturnType<typeof createOffer>>;
    beforeAll(async () => {
      offer = await createOffer(t, 'SHOPA', key);
    });
    const cases: Array<[string, (p: string, s: string) => unknown, string]> = [
      ['quotes missing', () => ({ policyholder: POLICYHOLDER }), '/quotes'],
      ['quotes empty', () => ({ quotes: [], policyholder: POLICYHOLDER }), '/quotes'],
      ['a quote twice', (p) => ({ quotes: [{ id: p }, { id: p }], policyholder: POLICYHOLDER }), '/quotes'],
      ['a quote without id', () => ({ quotes: [{}], policyholder: POLICYHOLDER }), '/quotes/0/id'],
      ['a quote of no offer', (p) => ({ quotes: [{ id: p }, { id: '00000000-0000-4000-8000-000000000000' }], policyholder: POLICYHOLDER }), '/quotes/1/id'],
      ['policyholder missing', (p) => ({ quotes: [{ id: p }] }), '/policyholder'],
      ['first_name missing', (p) => ({ quotes: [{ id: p }], policyholder: { ...POLICYHOLDER, first_name: undefined } }), '/policyholder/first_name'],
      ['last_name empty', (p) => ({ quotes: [{ id: p }], policyholder: { ...POLICYHOLDER, last_name: '' } }), '/policyholder/last_name'],
      ['country missing', (p) => ({ quotes: [{ id: p }], policyholder: { ...POLICYHOLDER, country: undefined } }), '/policyholder/country'],
      ['country not ISO 3166-1 alpha-2', (p) => ({ quotes: [{ id: p }], policyholder: { ...POLICYHOLDER, country: 'XX' } }), '/policyholder/country'],
      ['email invalid', (p) => ({ quotes: [{ id: p }], policyholder: { ...POLICYHOLDER, email: 'not-an-email' } }), '/policyholder/email'],
      ['phone not E.164', (p) => ({ quotes: [{ id: p }], policyholder: { ...POLICYHOLDER, phone: '020 7123 4567' } }), '/policyholder/phone'],
      [
        'insured without last_name',
        (p) => ({ quotes: [{ id: p, insured: [{ first_name: 'A' }] }], policyholder: POLICYHOLDER }),
        '/quotes/0/insured/0/last_name',
      ],
      ['an unknown field', (p) => ({ quotes: [{ id: p }], policyholder: POLICYHOLDER, coupon: 'X' }), '/coupon'],
      [
        'partner_transaction_id not a string',
        (p) => ({ quotes: [{ id: p }], policyholder: POLICYHOLDER, partner_transaction_id: 5 }),
        '/partner_transaction_id',
      ],
      ['a body that is not an object', () => [1, 2], ''],
    ];
    it.each(cases)('%s', async (_name, make, path) => {
      const res = await request(t.http)
        .post(confirmPath('SHOPA', offer.id))
        .set('X-Api-Key', key)
        .send(make(quoteId(offer, 'PROTECT'), quoteId(offer, 'SHIP')) as object)
        .expect(422);
      expect(res.body).toMatchObject({ type: 'validation_error', code: 'booking_validation_error', error_id: expect.any(String) });
      expect(Object.keys(res.body.errors)).toContain(path);
      const read = await request(t.http).get(`/x/partners/SHOPA/offers/${offer.id}`).set('X-Api-Key', key).expect(200);
      expect(read.body.status).toBe('OFFERED');
    });
  });

  it('422 product_rules_violation when a required group is left out', async () => {
    const offer = await createOffer(t, 'SHOPA', key);
    const res = await request(t.http)
      .post(confirmPath('SHOPA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'SHIP')]))
      .expect(422);
    expect(res.body).toMatchObject({
      type: 'api_error',
      code: 'product_rules_violation',
      violations: [{ slug: 'main', selected: 0, min_select: 1, max_select: 1, message: expect.stringContaining('at least 1') }],
      errors: { '/quotes': [expect.stringContaining('main')] },
    });
    const read = await request(t.http).get(`/x/partners/SHOPA/offers/${offer.id}`).set('X-Api-Key', key).expect(200);
    expect(read.body).toMatchObject({ status: 'OFFERED', booking_id: null });
  });

  it('404 offer_not_found for an unknown offer', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await request(t.http)
        .post(confirmPath('SHOPA', id))
        .set('X-Api-Key', key)
        .send(confirmBody(['00000000-0000-4000-8000-000000000001']))
        .expect(404);
      expect(res.body).toMatchObject({ type: 'api_error', code: 'offer_not_found' });
    }
  });

  it("404 offer_not_found for another partner's offer (and it stays unbooked)", async () => {
    const offer = await createOffer(t, 'SHOPA', key);
    const res = await request(t.http)
      .post(confirmPath('SHOPB', offer.id))
      .set('X-Api-Key', otherKey)
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(404);
    expect(res.body.code).toBe('offer_not_found');
    // and a key of one partner on the other's path is refused outright
    await request(t.http)
      .post(confirmPath('SHOPA', offer.id))
      .set('X-Api-Key', otherKey)
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(403);
    const read = await request(t.http).get(`/x/partners/SHOPA/offers/${offer.id}`).set('X-Api-Key', key).expect(200);
    expect(read.body.status).toBe('OFFERED');
  });

  it('422 offer_expired past expires_at', async () => {
    clock.pin(Date.now()); // no real expiry while the test runs
    const offer = await createOffer(t, 'SHOPA', key, { channel: 'flash' }); // offer_ttl 1s
    clock.pin(Date.parse(offer.expires_at as string));
    const res = await request(t.http)
      .post(confirmPath('SHOPA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'FLASH')]))
      .expect(422);
    expect(res.body).toMatchObject({ type: 'api_error', code: 'offer_expired', expires_at: expect.any(String) });
    const read = await request(t.http).get(`/x/partners/SHOPA/offers/${offer.id}`).set('X-Api-Key', key).expect(200);
    expect(read.body).toMatchObject({ status: 'EXPIRED', booking_id: null });
  });

  it('422 booking_already_exists with booking_id on a second confirm', async () => {
    const offer = await createOffer(t, 'SHOPA', key);
    const first = await request(t.http)
      .post(confirmPath('SHOPA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'PROTECT')]))
      .expect(200);
    const again = await request(t.http)
      .post(confirmPath('SHOPA', offer.id))
      .set('X-Api-Key', key)
      .send(confirmBody([quoteId(offer, 'PROTECT'), quoteId(offer, 'SHIP')]))
      .expect(422);
    expect(again.body).toMatchObject({ type: 'api_error', code: 'booking_already_exists', booking_id: first.body.id, error_id: expect.any(String) });
    const booking = await request(t.http).get(`/x/partners/SHOPA/bookings/${first.body.id}`).set('X-Api-Key', key).expect(200);
    expect(booking.body.quotes).toHaveLength(1);
  });

  it('exactly one booking under 20 simultaneous confirms: one 200, nineteen 422 booking_already_exists', async () => {
    const offer = await createOffer(t, 'SHOPA', key);
    const body = confirmBody([quoteId(offer, 'PROTECT'), quoteId(offer, 'SHIP')]);
    const results = await Promise.all(Array.from({ length: 20 }, () => request(t.http).post(confirmPath('SHOPA', offer.id)).set('X-Api-Key', key).send(body)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(19).fill(422)]);
    const winner = results.find((r) => r.status === 200)!;
    for (const r of results.filter((x) => x.status === 422)) {
      expect(r.body).toMatchObject({ code: 'booking_already_exists', booking_id: winner.body.id });
    }
    const read = await request(t.http).get(`/x/partners/SHOPA/offers/${offer.id}`).set('X-Api-Key', key).expect(200);
    expect(read.body).toMatchObject({ status: 'CONFIRMED', booking_id: winner.body.id });
    await request(t.http).get(`/x/partners/SHOPA/bookings/${winner.body.id}`).set('X-Api-Key', key).expect(200);
    const rows = await dbQuery<{ n: string | number }>(t, 'SELECT COUNT(*) AS n FROM bookings WHERE offer_id = $1', [offer.id]);
    expect(Number(rows[0].n)).toBe(1);
    const items = await dbQuery<{ n: string | number }>(t, 'SELECT COUNT(*) AS n FROM booking_items WHERE offer_id = $1', [offer.id]);
    expect(Number(items[0].n)).toBe(2);
  });

  it('is documented in Swagger with its body, responses and errors', async () => {
    const doc = await request(t.http).get('/docs-json').expect(200);
    const op = doc.body.paths['/x/partners/{partner_code}/offers/{offer_id}/confirm']?.post;
    expect(op).toBeDefined();
    expect(op.requestBody.content['application/json'].schema.$ref).toMatch(/ConfirmOfferDto$/);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '404', '409', '422', '423', '429']));
    expect(op.responses['422'].description).toEqual(expect.stringContaining('booking_validation_error'));
    expect(doc.body.components.schemas.BookingResponseDto.properties).toHaveProperty('total_price_formatted');
  });
});
