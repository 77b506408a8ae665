import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { ADMIN, setupShop, shopBundle } from '../support/booking-fixtures';

/*
 * The HTTP side of the routes after the sale (cancel, modify, list, admin events): that each
 * route exists under every prefix with and without the trailing slash, is authenticated and
 * rate-limited in its class, and that its body or query is checked before anything else runs.
 * What the routes do with a booking is in the lifecycle suites.
 */

const CODE = 'ROUTES';
const OTHER = 'ROUTESB';
/** no such booking: only what is decided before the booking is looked up is asserted here */
const BOOKING = 'ZZZZZ-ZZZZZ-INS';
const PREFIXES = ['/x', '/xcover'];

interface Route {
  name: string;
  method: 'get' | 'post' | 'patch';
  /** after `/<prefix>/partners/<code>/`, without a trailing slash */
  path: string;
  rateClass: 'confirm' | 'other';
}

const ROUTES: Route[] = [
  { name: 'list', method: 'get', path: 'bookings', rateClass: 'other' },
  { name: 'cancel', method: 'post', path: `bookings/${BOOKING}/cancel`, rateClass: 'confirm' },
  { name: 'confirm_cancellation', method: 'post', path: `bookings/${BOOKING}/confirm_cancellation/AAAAA-BBBBB-CCCCC-CCL`, rateClass: 'confirm' },
  { name: 'update', method: 'patch', path: `bookings/${BOOKING}`, rateClass: 'other' },
  { name: 'quote_for_update', method: 'patch', path: `bookings/${BOOKING}/quote_for_update`, rateClass: 'other' },
  { name: 'confirm_update', method: 'post', path: `bookings/${BOOKING}/confirm_update/AAAAA-BBBBB-CCCCC-UPD`, rateClass: 'confirm' },
];

/** every form of a partner path: each prefix, with and without the trailing slash */
const forms = (path: string, code = CODE): string[] => PREFIXES.flatMap((p) => [`${p}/partners/${code}/${path}`, `${p}/partners/${code}/${path}/`]);

/** a body the route's pipe refuses, and the JSON pointer it names */
const BAD_BODIES: Record<string, { body: unknown; path: string }> = {
  cancel: { body: { preview: 'yes', quotes: [{ id: 'q1' }] }, path: '/preview' },
  confirm_cancellation: { body: [], path: '' },
  update: { body: { policyholder: { email: 'not an email' } }, path: '/policyholder/email' },
  quote_for_update: {
    body: {
      quotes: [
        { id: 'q1', update_fields: {} },
        { id: 'q1', update_fields: {} },
      ],
    },
    path: '/quotes',
  },
  confirm_update: { body: [{}], path: '' },
};

describe('Booking routes after the sale: HTTP layer (e2e)', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;

  const call = (method: Route['method'], path: string) => request(t.http)[method](path);

  beforeAll(async () => {
    // every route below is called without a key several times: above the default failed-auth throttle
    t = await startTestApp({ authFailLimitPerMin: 10_000 });
    // distinct limits per class, so that X-RateLimit-Limit tells which class a route counts against
    const bundle = shopBundle(CODE) as { partner: Record<string, unknown> };
    bundle.partner.rate_limits = { create: 901, confirm: 902, other: 903, test: 904 };
    await request(t.http).put(`/admin/partners/${CODE}/bundle`).set(ADMIN).send(bundle).expect(200);
    key = (await request(t.http).post(`/admin/partners/${CODE}/api-keys`).set(ADMIN).send({ mode: 'live', name: 'e2e' }).expect(201)).body.key as string;
    otherKey = await setupShop(t, OTHER);
  });
  afterAll(async () => t.close());

  describe.each(ROUTES)('$method $path ($name)', (route) => {
    it('exists under every prefix, with and without the trailing slash: 401 without a key', async () => {
      for (const path of forms(route.path)) {
        const res = await call(route.method, path);
        expect([path, res.status, res.body.code]).toEqual([path, 401, 'api_key_invalid']);
        expect(res.headers['www-authenticate']).toBe('ApiKey');
      }
    });

    it("404 partner_not_found for an unknown partner, 403 with another partner's key", async () => {
      const unknown = await call(route.method, forms(route.path, 'NOSUCHPARTNER')[0]).set('X-Api-Key', key);
      expect([unknown.status, unknown.body.code]).toEqual([404, 'partner_not_found']);
      const other = await call(route.method, forms(route.path)[0]).set('X-Api-Key', otherKey);
      expect([other.status, other.body.code]).toEqual([403, 'access_denied']);
    });

    const bad = BAD_BODIES[route.name];
    if (bad) {
      it(`a bad body → 422 booking_validation_error at "${bad.path}", under every form of the path, before the booking is looked up`, async () => {
        for (const path of forms(route.path)) {
          const res = await call(route.method, path)
            .set('X-Api-Key', key)
            .send(bad.body as object);
          expect([path, res.status]).toEqual([path, 422]);
          expect(res.body).toMatchObject({ type: 'validation_error', code: 'booking_validation_error' });
          expect(Object.keys(res.body.errors)).toContain(bad.path);
          expect(res.headers['x-ratelimit-limit']).toBe(route.rateClass === 'confirm' ? '902' : '903');
        }
      });
    }
  });

  it('a path next to the routes is not one of them: 404 with or without a key', async () => {
    await request(t.http).post(`/x/partners/${CODE}/bookings/${BOOKING}/refund`).expect(404);
    await request(t.http).put(`/x/partners/${CODE}/bookings/${BOOKING}`).set('X-Api-Key', key).expect(404);
  });

  describe('list query', () => {
    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=2.5', 'limit'],
      ['offset=-1', 'offset'],
      ['status=OPEN', 'status'],
      ['created_from=yesterday', 'created_from'],
      ['created_to=2026-11-01T00:00:00', 'created_to'],
      ['created_from=2026-12-01&created_to=2026-11-01', 'created_from'],
      [`partner_transaction_id=${'x'.repeat(201)}`, 'partner_transaction_id'],
      ['limit=10&limit=20', 'limit'],
    ])('?%s → 422 validation_error at %s, under every form of the path (rate class other)', async (qs, param) => {
      for (const path of forms('bookings')) {
        const res = await request(t.http).get(`${path}?${qs}`).set('X-Api-Key', key);
        expect([path, res.status]).toEqual([path, 422]);
        expect(res.body).toMatchObject({ type: 'validation_error', code: 'validation_error' });
        expect(Object.keys(res.body.errors)).toEqual([param]);
        expect(res.headers['x-ratelimit-limit']).toBe('903');
      }
    });

    it('reports every bad parameter at once', async () => {
      const res = await request(t.http).get(`/x/partners/${CODE}/bookings/?limit=0&offset=x&status=y`).set('X-Api-Key', key).expect(422);
      expect(Object.keys(res.body.errors).sort()).toEqual(['limit', 'offset', 'status']);
    });
  });

  describe('bodies real XCover clients send', () => {
    const json = { 'Content-Type': 'application/json' };

    it('a GET with a JSON null body is answered as one without: the list reads its query, the booking is looked up', async () => {
      const list = await request(t.http).get(`/xcover/partners/${CODE}/bookings/?limit=0`).set(json).set('X-Api-Key', key).send('null');
      expect([list.status, list.body.code, Object.keys(list.body.errors ?? {})]).toEqual([422, 'validation_error', ['limit']]);
      const one = await request(t.http).get(`/xcover/partners/${CODE}/bookings/${BOOKING}/`).set(json).set('X-Api-Key', key).send('null');
      expect([one.status, one.body.code]).toEqual([404, 'booking_not_found']);
      // and without a key: authentication, not the body, decides
      await request(t.http).get(`/x/partners/${CODE}/bookings`).set(json).send('null').expect(401);
    });

    it('confirm routes and PATCH take an empty body, with or without a JSON content type', async () => {
      for (const route of ROUTES.filter((r) => r.method !== 'get')) {
        const [path] = forms(route.path);
        expect([path, (await call(route.method, path)).status]).toEqual([path, 401]);
        expect([path, (await call(route.method, path).set(json).send('')).status]).toEqual([path, 401]);
      }
      // the pipe reads no body as {}: quote_for_update then lacks its quotes
      const res = await request(t.http)
        .patch(forms(`bookings/${BOOKING}/quote_for_update`)[1])
        .set('X-Api-Key', key)
        .set(json)
        .send('');
      expect([res.status, res.body.code, Object.keys(res.body.errors ?? {})]).toEqual([422, 'booking_validation_error', ['/quotes']]);
    });

    // XCover's clients send the JSON text `null` for "no body": it reads as an empty body does
    it('confirm_cancellation, confirm_update, cancel and PATCH with a JSON null body reach authentication (401 without a key)', async () => {
      for (const route of ROUTES.filter((r) => r.method !== 'get')) {
        const [path] = forms(route.path);
        const res = await call(route.method, path).set(json).send('null');
        expect([path, res.status]).toEqual([path, 401]);
      }
    });

    it('PATCH quote_for_update with a JSON null body reaches its pipe (422 booking_validation_error at /quotes)', async () => {
      const res = await request(t.http)
        .patch(forms(`bookings/${BOOKING}/quote_for_update`)[0])
        .set(json)
        .set('X-Api-Key', key)
        .send('null');
      expect([res.status, res.body.code, Object.keys(res.body.errors ?? {})]).toEqual([422, 'booking_validation_error', ['/quotes']]);
    });

    it('any other JSON scalar as a body is a 400 malformed_request from the body parser', async () => {
      for (const body of ['42', '"x"', 'true']) {
        const res = await request(t.http).post(forms(ROUTES[2].path)[0]).set(json).set('X-Api-Key', key).send(body);
        expect([body, res.status, res.body.code]).toEqual([body, 400, 'malformed_request']);
      }
    });
  });

  describe('admin: GET /admin/partners/{code}/bookings/{booking_id}/events', () => {
    const path = (code: string) => `/admin/partners/${code}/bookings/${BOOKING}/events`;

    it('401 without the admin key, with or without the trailing slash; 403 with a partner key', async () => {
      for (const p of [path(CODE), `${path(CODE)}/`]) {
        const res = await request(t.http).get(p);
        expect([p, res.status, res.body.type]).toEqual([p, 401, 'auth_error']);
      }
      await request(t.http).get(path(CODE)).set('X-Api-Key', key).expect(403);
    });

    it('404 partner_not_found for an unknown partner', async () => {
      const res = await request(t.http).get(path('NOSUCHPARTNER')).set(ADMIN).expect(404);
      expect(res.body.code).toBe('partner_not_found');
    });
  });

  describe('Swagger', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking the OpenAPI document
    let doc: Record<string, any>;
    beforeAll(async () => {
      doc = (await request(t.http).get('/docs-json').expect(200)).body;
    });

    const op = (path: string, method: string) => doc.paths[path]?.[method];
    const errorCodes = (o: { responses: Record<string, { description?: string }> }, status: string) => o.responses[status]?.description ?? '';

    it('documents every route once (under /x, the /xcover twins left out), with its body, idempotency header and errors', () => {
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/xcover/'))).toEqual([]);
      for (const prefix of ['/x']) {
        const base = `${prefix}/partners/{partner_code}/bookings`;
        expect(op(base, 'get')).toBeDefined();
        const cancel = op(`${base}/{booking_id}/cancel`, 'post');
        const confirmCancellation = op(`${base}/{booking_id}/confirm_cancellation/{cancellation_id}`, 'post');
        const update = op(`${base}/{booking_id}`, 'patch');
        const quote = op(`${base}/{booking_id}/quote_for_update`, 'patch');
        const confirmUpdate = op(`${base}/{booking_id}/confirm_update/{update_id}`, 'post');
        for (const o of [cancel, confirmCancellation, update, quote, confirmUpdate]) {
          expect(o).toBeDefined();
          expect(o.summary).toEqual(expect.any(String));
          expect(o.summary).not.toMatch(/\u00a7/);
          expect(o.security).toEqual(expect.arrayContaining([{ 'partner-key': [] }]));
          expect(o.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(
            expect.arrayContaining(['path:partner_code', 'path:booking_id', 'header:x-idempotency-key']),
          );
          expect(Object.keys(o.responses)).toEqual(expect.arrayContaining(['401', '403', '404', '409', '422', '423', '429']));
          expect(errorCodes(o, '404')).toContain('booking_not_found');
          expect(errorCodes(o, '422')).toContain('idempotency_key_reused');
          expect(errorCodes(o, '423')).toContain('idempotency_in_progress');
        }
        expect(cancel.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CancelBookingDto' });
        expect(update.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/UpdateBookingDto' });
        expect(quote.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/QuoteForUpdateDto' });
        expect(confirmUpdate.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/BookingResponseDto' });
        expect(quote.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/UpdateQuoteResponseDto' });
        expect(errorCodes(cancel, '422')).toEqual(expect.stringContaining('cancellation_not_allowed'));
        expect(errorCodes(cancel, '422')).toEqual(expect.stringContaining('booking_already_cancelled'));
        expect(errorCodes(confirmCancellation, '404')).toContain('cancellation_not_found');
        for (const code of ['cancellation_expired', 'cancellation_stale']) expect(errorCodes(confirmCancellation, '422')).toContain(code);
        for (const code of ['booking_validation_error', 'modification_not_allowed', 'offer_quote_pricing_error'])
          expect(errorCodes(quote, '422')).toContain(code);
        expect(errorCodes(confirmUpdate, '404')).toContain('update_not_found');
        for (const code of ['update_expired', 'update_stale']) expect(errorCodes(confirmUpdate, '422')).toContain(code);
        const list = op(base, 'get');
        expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
          expect.arrayContaining(['status', 'partner_transaction_id', 'created_from', 'created_to', 'limit', 'offset']),
        );
        expect(list.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/BookingPageDto' });
      }
    });

    it('documents the new booking fields, the preview, the quote for update and the page', () => {
      const s = doc.components.schemas;
      expect(s.BookingResponseDto.properties.status.enum).toEqual(['CONFIRMED', 'CANCELLED']);
      expect(Object.keys(s.BookingResponseDto.properties)).toEqual(expect.arrayContaining(['total_refund', 'total_refund_formatted', 'updated_at']));
      expect(Object.keys(s.BookingQuoteDto.properties)).toEqual(
        expect.arrayContaining([
          'confirmed_at',
          'cancelled_at',
          'refund_value',
          'refund_value_formatted',
          'adjustment_fee',
          'adjustment_fee_formatted',
          'policy_coolingoff_date',
          'policy_cancellation_date',
          'price_diff',
          'price_diff_formatted',
        ]),
      );
      expect(s.CancellationPreviewResponseDto.required).toEqual(expect.arrayContaining(['cancellation_id', 'confirm_before', 'total_refund']));
      expect(s.UpdateQuoteResponseDto.required).toEqual(
        expect.arrayContaining(['total_price_diff', 'total_price_diff_formatted', 'update_id', 'confirm_before']),
      );
      expect(Object.keys(s.BookingPageDto.properties).sort()).toEqual(['count', 'next', 'previous', 'results']);
      // a partial policyholder: nothing required
      expect(s.PartialPolicyholderDto.required ?? []).toEqual([]);
    });

    it('documents the admin events route', () => {
      const events = op('/admin/partners/{code}/bookings/{booking_id}/events', 'get');
      expect(events).toBeDefined();
      expect(events.security).toEqual(expect.arrayContaining([{ 'admin-key': [] }]));
      expect(events.responses['200'].content['application/json'].schema).toEqual({ type: 'array', items: { $ref: '#/components/schemas/BookingEventDto' } });
      expect(errorCodes(events, '404')).toContain('partner_not_found');
      expect(errorCodes(events, '404')).toContain('booking_not_found');
    });

    it('documents cancellations, refunds and net premium in analytics', () => {
      const row = doc.components.schemas.ConversionFiguresDto ?? doc.components.schemas.AnalyticsVariantRowDto;
      expect(Object.keys(row.properties)).toEqual(expect.arrayContaining(['cancellations', 'refunded', 'net_premium']));
    });
  });
});
