/**
 * The whole life of a booking driven exactly as XCover's Python SDK drives it:
 * every request signed (`Date` +
 * `Authorization: Signature keyId,algorithm,headers="(request-target) date",signature`, no
 * X-Api-Key), a JSON `null` body with Content-Type application/json on the GETs, its trailing
 * slashes (none on quote_for_update, one on confirm_update, cancel and confirm_cancellation), a
 * fresh x-idempotency-key on every write; retries of the writes replayed with 409 and the first
 * answer; and the events left at the end: created, updated, cancelled, versions 1..n.
 */
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { ADMIN, confirmBody, dbQuery, POLICYHOLDER } from '../support/booking-fixtures';
import { quoteOf, setupTravel, tripRequest, type Booked } from '../support/lifecycle-fixtures';
import { DAY_MS, HOUR_MS } from '../support/test-clock';

const P = 'XCOVLIFE';
const ENC_KEY = Buffer.alloc(32, 7);
const CHANGE_ID = (suffix: 'CCL' | 'UPD') => new RegExp(`^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}-[A-Za-z0-9]{5}-${suffix}$`);

interface SigningKey {
  id: string;
  key: string;
  secret: string;
}

interface BookingEvent {
  id: string;
  type: string;
  at: string;
  version: number;
  actor: Record<string, string>;
  idempotency_key: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

/**
 * As XCover's Python SDK signs (xcover/auth.py), copied from signing.e2e-spec.ts: `Date`, then
 * `Authorization: Signature keyId,algorithm,headers,signature` over `(request-target)` (method and
 * path without the query) and `date`; no X-Api-Key.
 */
function pythonHeaders(k: { key: string; secret: string }, method: string, pathWithQuery: string): Record<string, string> {
  const date = new Date().toUTCString();
  const path = pathWithQuery.split('?')[0];
  const lines = [`(request-target): ${method.toLowerCase()} ${path}`, `date: ${date}`];
  const signature = encodeURIComponent(createHmac('sha512', Buffer.from(k.secret, 'utf8')).update(lines.join('\n'), 'utf8').digest('base64'));
  return {
    date,
    authorization: `Signature keyId="${k.key}",algorithm="hmac-sha512",headers="(request-target) date",signature="${signature}"`,
  };
}

const withinSeconds = (iso: unknown, expectedMs: number, toleranceMs = 2000): void => {
  expect(typeof iso).toBe('string');
  expect(Math.abs(Date.parse(iso as string) - expectedMs)).toBeLessThanOrEqual(toleranceMs);
};

describe('a booking after the sale, driven as the XCover SDK drives it (e2e)', () => {
  let t: TestApp;
  let k: SigningKey;
  let n = 0;
  const fresh = () => `xcover-sdk-${Date.now()}-${++n}`;

  beforeAll(async () => {
    t = await startTestApp({ appEncryptionKey: ENC_KEY });
    await setupTravel(t, P);
    const res = await request(t.http).post(`/admin/partners/${P}/api-keys`).set(ADMIN).send({ mode: 'live', name: 'xcover sdk', signing: true });
    if (res.status !== 201) throw new Error(`signing key: ${res.status} ${res.text}`);
    k = res.body as SigningKey;
  });
  afterAll(async () => t.close());

  const root = `/xcover/partners/${P}`;
  /** a signed write with a JSON body and an idempotency key */
  const write = (method: 'post' | 'patch', path: string, body: unknown, idempotencyKey: string) =>
    request(t.http)
      [method](path)
      .set(pythonHeaders(k, method, path))
      .set('x-idempotency-key', idempotencyKey)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));
  /** a signed GET with the JSON `null` body the SDK sends */
  const read = (pathWithQuery: string) =>
    request(t.http)
      .get(pathWithQuery)
      .set(pythonHeaders(k, 'GET', pathWithQuery))
      .set('Content-Type', 'application/json')
      .send('null');

  it('create, confirm, read, list, modify, re-price, cancel with a preview: every step signed, retries replayed, events in order', async () => {
    const keys = {
      create: fresh(),
      confirm: fresh(),
      patch: fresh(),
      quote: fresh(),
      confirmUpdate: fresh(),
      cancel: fresh(),
      confirmCancellation: fresh(),
    };

    // --- the sale ----------------------------------------------------------------------------
    const offer = await write('post', `${root}/offers/`, tripRequest({ transactionId: 'XC-ORDER-1' }), keys.create);
    expect(offer.status).toBe(200);
    const productId = (code: string) => (offer.body.products as Array<{ id: string; code: string }>).find((p) => p.code === code)?.id as string;
    const confirmed = await write('post', `${root}/offers/${offer.body.id}/confirm/`, confirmBody([productId('TRIP'), productId('BAG')]), keys.confirm);
    expect(confirmed.status).toBe(200);
    const booking = confirmed.body as Booked;
    const id = booking.id;
    const trip = quoteOf(booking, 'TRIP');
    const bag = quoteOf(booking, 'BAG');
    // trip_cost 1000 × 0.05 × 2 travellers + 10% tax; baggage 12 + 10% tax
    expect(trip.price).toBe(110);
    expect(bag.price).toBe(13.2);
    expect(booking).toMatchObject({ status: 'CONFIRMED', total_price: 123.2, partner_transaction_id: 'XC-ORDER-1' });

    // --- get_booking: GET …/bookings/{id}/ with a JSON null body ------------------------------
    const got = await read(`${root}/bookings/${id}/`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(booking);
    expect(got.body).toMatchObject({ total_refund: 0, updated_at: expect.any(String) });
    for (const q of got.body.quotes as Booked['quotes']) {
      expect(q).toMatchObject({ status: 'CONFIRMED', confirmed_at: expect.any(String) });
      expect(q.cancelled_at ?? null).toBeNull();
    }

    // --- list_bookings: GET …/bookings/?… with a JSON null body -------------------------------
    const listed = await read(`${root}/bookings/?partner_transaction_id=XC-ORDER-1&limit=10`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ count: 1, next: null, previous: null, results: [booking] });

    // --- booking_modification: PATCH …/bookings/{id}/, no price change -----------------------
    const newPhone = '+33612345678';
    const insured = [{ first_name: 'Grace', last_name: 'Hopper' }];
    const patched = await write('patch', `${root}/bookings/${id}/`, { policyholder: { phone: newPhone }, quotes: [{ id: trip.id, insured }] }, keys.patch);
    expect(patched.status).toBe(200);
    expect(patched.body.policyholder).toEqual({ ...POLICYHOLDER, phone: newPhone });
    expect(quoteOf(patched.body, 'TRIP').insured).toEqual(insured);
    expect(patched.body).toMatchObject({ status: 'CONFIRMED', total_price: 123.2 });
    expect((await read(`${root}/bookings/${id}/`)).body).toEqual(patched.body);

    // --- booking_modification_quote: PATCH …/quote_for_update (no trailing slash) ---------------
    const askedAt = Date.now();
    const quoted = await write(
      'patch',
      `${root}/bookings/${id}/quote_for_update`,
      { quotes: [{ id: trip.id, update_fields: { trip_cost: 2000 } }] },
      keys.quote,
    );
    expect(quoted.status).toBe(200);
    expect(quoted.body.update_id).toMatch(CHANGE_ID('UPD'));
    withinSeconds(quoted.body.confirm_before, askedAt + 24 * HOUR_MS, 5000);
    expect(quoted.body).toMatchObject({ id, total_price: 233.2, total_price_diff: 110, total_price_diff_formatted: expect.any(String) });
    expect(quoteOf(quoted.body, 'TRIP')).toMatchObject({ price: 220, price_diff: 110, price_diff_formatted: expect.any(String) });
    expect(quoteOf(quoted.body, 'BAG')).toMatchObject({ price: 13.2 });
    // nothing changed yet
    const untouched = await read(`${root}/bookings/${id}/`);
    expect(untouched.body).toEqual(patched.body);

    // --- confirm_booking_modification: POST …/confirm_update/{id}/ (trailing slash) ------------
    const updatePath = `${root}/bookings/${id}/confirm_update/${quoted.body.update_id}/`;
    const updated = await write('post', updatePath, {}, keys.confirmUpdate);
    expect(updated.status).toBe(201);
    expect(updated.headers['idempotent-replayed']).toBeUndefined();
    expect(updated.body).toMatchObject({ id, status: 'CONFIRMED', total_price: 233.2 });
    expect(quoteOf(updated.body, 'TRIP')).toMatchObject({ price: 220, status: 'CONFIRMED', insured });
    expect(updated.body.policyholder).toEqual({ ...POLICYHOLDER, phone: newPhone });
    // the SDK's retry: the first answer again, 409, Idempotent-Replayed
    const updateReplay = await write('post', updatePath, {}, keys.confirmUpdate);
    expect(updateReplay.status).toBe(409);
    expect(updateReplay.headers['idempotent-replayed']).toBe('true');
    expect(updateReplay.body).toEqual(updated.body);
    expect((await read(`${root}/bookings/${id}/`)).body).toEqual(updated.body);

    // --- cancel_booking with preview: POST …/cancel/ ------------------------------------------
    const cancelBody = { preview: true, cancellation_reason: 'trip called off' };
    const previewAt = Date.now();
    const preview = await write('post', `${root}/bookings/${id}/cancel/`, cancelBody, keys.cancel);
    expect(preview.status).toBe(200);
    expect(preview.body.cancellation_id).toMatch(CHANGE_ID('CCL'));
    withinSeconds(preview.body.confirm_before, previewAt + 24 * HOUR_MS, 5000);
    // within the 14-day cooling-off: everything back
    expect(preview.body).toMatchObject({ id, total_refund: 233.2, total_refund_formatted: expect.any(String) });
    for (const q of preview.body.quotes as Booked['quotes']) {
      const price = q.code === 'TRIP' ? 220 : 13.2;
      expect(q).toMatchObject({
        status: 'CANCELLED',
        refund_value: price,
        refund_value_formatted: expect.any(String),
        adjustment_fee: 0,
        adjustment_fee_formatted: expect.any(String),
        policy_cancellation_date: null,
      });
      withinSeconds(q.policy_coolingoff_date, Date.parse(q.confirmed_at as string) + 14 * DAY_MS);
    }
    // the retry: the same preview (same cancellation id), 409
    const previewReplay = await write('post', `${root}/bookings/${id}/cancel/`, cancelBody, keys.cancel);
    expect(previewReplay.status).toBe(409);
    expect(previewReplay.headers['idempotent-replayed']).toBe('true');
    expect(previewReplay.body).toEqual(preview.body);
    // the same key with another body → 422 idempotency_key_reused
    const reused = await write('post', `${root}/bookings/${id}/cancel/`, { preview: true }, keys.cancel);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    // still nothing changed
    expect((await read(`${root}/bookings/${id}/`)).body).toEqual(updated.body);
    const [pending] = await dbQuery<{ n: number | string }>(t, 'SELECT COUNT(*) AS n FROM booking_changes WHERE booking_id = $1 AND applied_at IS NULL', [id]);
    expect(Number(pending?.n)).toBe(1);

    // --- confirm_booking_cancellation: POST …/confirm_cancellation/{id}/ ----------------------
    const confirmCancelPath = `${root}/bookings/${id}/confirm_cancellation/${preview.body.cancellation_id}/`;
    const cancelled = await write('post', confirmCancelPath, {}, keys.confirmCancellation);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id, status: 'CANCELLED', total_price: 0, total_refund: 233.2, cancellation_id: null });
    for (const q of cancelled.body.quotes as Booked['quotes']) {
      expect(q).toMatchObject({ status: 'CANCELLED', refund_value: q.code === 'TRIP' ? 220 : 13.2, adjustment_fee: 0 });
      expect(q.cancelled_at).toEqual(expect.any(String));
      expect(q.policy_cancellation_date).toEqual(expect.any(String));
    }
    const cancelReplay = await write('post', confirmCancelPath, {}, keys.confirmCancellation);
    expect(cancelReplay.status).toBe(409);
    expect(cancelReplay.headers['idempotent-replayed']).toBe('true');
    expect(cancelReplay.body).toEqual(cancelled.body);
    // a retry without the key is refused: the booking is cancelled
    const again = await request(t.http)
      .post(confirmCancelPath)
      .set(pythonHeaders(k, 'POST', confirmCancelPath))
      .send({});
    expect(again.status).toBe(422);

    // --- the booking as read now, and in the list -------------------------------------------
    const final = await read(`/xcover/partners/${P}/bookings/${id}/`);
    expect(final.status).toBe(200);
    const { cancellation_id: _none, ...after } = cancelled.body as Record<string, unknown>;
    expect(final.body).toEqual(after);
    const cancelledList = await read(`${root}/bookings/?status=CANCELLED`);
    expect(cancelledList.status).toBe(200);
    expect(cancelledList.body).toMatchObject({ count: 1, results: [after] });
    const [row] = await dbQuery<{ status: string; version: number | string; total_price_minor: number | string; total_refund_minor: number | string }>(
      t,
      'SELECT status, version, total_price_minor, total_refund_minor FROM bookings WHERE id = $1',
      [id],
    );
    expect([row?.status, Number(row?.version), Number(row?.total_price_minor), Number(row?.total_refund_minor)]).toEqual(['CANCELLED', 4, 0, 23320]);

    // --- the events: created, updated, updated, cancelled, versions 1..4, who and with which key ---
    const evs = (await request(t.http).get(`/admin/partners/${P}/bookings/${id}/events`).set(ADMIN).expect(200)).body as BookingEvent[];
    expect(evs.map((e) => [e.type, e.version])).toEqual([
      ['booking.created', 1],
      ['booking.updated', 2],
      ['booking.updated', 3],
      ['booking.cancelled', 4],
    ]);
    expect(evs.map((e) => e.idempotency_key)).toEqual([keys.confirm, keys.patch, keys.confirmUpdate, keys.confirmCancellation]);
    for (const e of evs) {
      expect(e.actor).toEqual({ api_key_id: k.id });
      expect(e.id).toEqual(expect.any(String));
    }
    const at = evs.map((e) => Date.parse(e.at));
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(new Set(evs.map((e) => e.id)).size).toBe(4);
    const [created, patchedEv, repriced, cancelledEv] = evs as [BookingEvent, BookingEvent, BookingEvent, BookingEvent];
    expect(created.before).toBeNull();
    expect(created.after).toMatchObject({ status: 'CONFIRMED', total_price: 123.2 });
    expect(patchedEv.before).toMatchObject({ policyholder: { phone: POLICYHOLDER.phone } });
    expect(patchedEv.after).toMatchObject({ policyholder: { phone: newPhone } });
    expect(patchedEv.after.total_price).toBeUndefined();
    expect(repriced.before).toMatchObject({ total_price: 123.2 });
    expect(repriced.after).toMatchObject({ total_price: 233.2 });
    expect(cancelledEv.before).toMatchObject({ status: 'CONFIRMED', total_price: 233.2 });
    expect(cancelledEv.after).toMatchObject({ status: 'CANCELLED', total_price: 0, total_refund: 233.2 });
  });

  it('a direct cancel (no preview) retried with its key: applied once, the retry gets the first answer with 409', async () => {
    const offer = await write('post', `${root}/offers/`, tripRequest(), fresh());
    const ids = (offer.body.products as Array<{ id: string; code: string }>).filter((p) => p.code !== 'FINAL').map((p) => p.id);
    const booked = await write('post', `${root}/offers/${offer.body.id}/confirm/`, confirmBody(ids), fresh());
    expect(booked.status).toBe(200);
    const id = booked.body.id as string;
    const trip = quoteOf(booked.body, 'TRIP');
    const key = fresh();
    const path = `${root}/bookings/${id}/cancel/`;
    const body = { quotes: [{ id: trip.id }], cancellation_reason: 'changed plans' };
    const first = await write('post', path, body, key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'CONFIRMED', cancellation_id: null, total_refund: trip.price });
    expect(quoteOf(first.body, 'TRIP')).toMatchObject({ status: 'CANCELLED', refund_value: trip.price, policy_cancellation_date: expect.any(String) });
    const replay = await write('post', path, body, key);
    expect(replay.status).toBe(409);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const reused = await write('post', path, { quotes: [{ id: quoteOf(booked.body, 'BAG').id }] }, key);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    // without the key, the same cancel is refused: that quote is cancelled already
    const plain = await request(t.http)
      .post(path)
      .set(pythonHeaders(k, 'POST', path))
      .send(body);
    expect(plain.status).toBe(422);
    expect(plain.body.code).toBe('booking_already_cancelled');
    const evs = (await request(t.http).get(`/admin/partners/${P}/bookings/${id}/events`).set(ADMIN).expect(200)).body as BookingEvent[];
    expect(evs.map((e) => [e.type, e.version, e.idempotency_key])).toEqual([
      ['booking.created', 1, expect.any(String)],
      ['booking.cancelled', 2, key],
    ]);
    expect((await read(`${root}/bookings/${id}/`)).body.total_refund).toBe(trip.price);
  });

  it('a signed request with a bad signature on a lifecycle route → 401 signature_invalid, nothing changes', async () => {
    const offer = await write('post', `${root}/offers/`, tripRequest(), fresh());
    const booked = await write(
      'post',
      `${root}/offers/${offer.body.id}/confirm/`,
      confirmBody([(offer.body.products as Array<{ id: string }>)[0]?.id]),
      fresh(),
    );
    expect(booked.status).toBe(200);
    const path = `${root}/bookings/${booked.body.id}/cancel/`;
    // signed for another path
    const res = await request(t.http)
      .post(path)
      .set(pythonHeaders(k, 'POST', `${root}/bookings/`))
      .send({});
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('signature_invalid');
    expect((await read(`${root}/bookings/${booked.body.id}/`)).body.status).toBe('CONFIRMED');
  });
});
