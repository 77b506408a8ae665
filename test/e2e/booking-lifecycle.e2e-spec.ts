/**
 * After the sale: cancellation refunds from the product's `cancellation` rules, previews and their
 * confirmation, updates with and without a price change, and the events every change leaves. Time
 * moves with a TestClock: the offers are created and confirmed at the real time, then the clock is
 * pinned relative to the booking's own dates.
 */
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { ADMIN, dbQuery } from '../support/booking-fixtures';
import { bookTrip, quoteOf, setupTravel, travelBundle, type Booked } from '../support/lifecycle-fixtures';
import { DAY_MS, HOUR_MS, TestClock } from '../support/test-clock';

const CHANGE_ID = (suffix: string) => new RegExp(`^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}-[A-Za-z0-9]{5}-${suffix}$`);
const eur = (n: number) => new Intl.NumberFormat('en-FR', { style: 'currency', currency: 'EUR' }).format(n);

describe('After the sale: cancel, preview, update (e2e)', () => {
  const clock = new TestClock();
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({}, clock);
    key = await setupTravel(t, 'TRAVA');
  });
  afterAll(async () => t.close());
  afterEach(() => clock.release());

  const path = (booking: string, rest = '') => `/x/partners/TRAVA/bookings/${booking}/${rest}`;
  const cancel = (booking: string, body: Record<string, unknown> = {}) => request(t.http).post(path(booking, 'cancel')).set('X-Api-Key', key).send(body);
  const confirmCancellation = (booking: string, id: string) =>
    request(t.http)
      .post(path(booking, `confirm_cancellation/${id}/`))
      .set('X-Api-Key', key)
      .send({});
  const quoteForUpdate = (booking: string, body: Record<string, unknown>) =>
    request(t.http).patch(path(booking, 'quote_for_update')).set('X-Api-Key', key).send(body);
  const confirmUpdate = (booking: string, id: string) =>
    request(t.http)
      .post(path(booking, `confirm_update/${id}/`))
      .set('X-Api-Key', key)
      .send({});
  const read = async (booking: string) => (await request(t.http).get(path(booking)).set('X-Api-Key', key).expect(200)).body as Booked;
  const events = async (booking: string) =>
    (await request(t.http).get(`/admin/partners/TRAVA/bookings/${booking}/events`).set(ADMIN).expect(200)).body as Array<{
      type: string;
      version: number;
      before: Record<string, unknown> | null;
      after: Record<string, unknown>;
      actor: Record<string, string>;
    }>;
  const startOf = (b: Booked, code: string) => new Date(quoteOf(b, code).policy_start_date as string).getTime();

  describe('cancel', () => {
    it('within the cooling-off period: every quote in force is cancelled with its whole price refunded', async () => {
      const booked = await bookTrip(t, 'TRAVA', key);
      const trip = quoteOf(booked, 'TRIP');
      const bag = quoteOf(booked, 'BAG');
      expect([trip.price, bag.price]).toEqual([110, 13.2]);

      const res = await cancel(booked.id, { cancellation_reason: 'changed plans' }).expect(200);
      expect(res.body).toMatchObject({
        id: booked.id,
        status: 'CANCELLED',
        total_price: 0,
        total_refund: 123.2,
        total_refund_formatted: eur(123.2),
        cancellation_id: null,
      });
      for (const q of res.body.quotes) {
        const confirmedAt = new Date(q.confirmed_at).getTime();
        expect(q).toMatchObject({ status: 'CANCELLED', refund_value: q.price, adjustment_fee: 0, adjustment_fee_formatted: eur(0) });
        expect(q.cancelled_at).toEqual(q.policy_cancellation_date);
        expect(new Date(q.policy_coolingoff_date).getTime()).toBe(confirmedAt + 14 * DAY_MS);
      }

      // the read shows the booking as it is now; the rows say the same
      const { cancellation_id: _none, ...stored } = res.body;
      expect(await read(booked.id)).toEqual(stored);
      const items = await dbQuery<{ status: string; refund_minor: number }>(
        t,
        'SELECT status, refund_minor FROM booking_items WHERE booking_id = $1 ORDER BY policy_number',
        [booked.id],
      );
      expect(items.map((i) => [i.status, Number(i.refund_minor)])).toEqual([
        ['CANCELLED', 11000],
        ['CANCELLED', 1320],
      ]);
      const [row] = await dbQuery<{ status: string; version: number; total_refund_minor: number; total_price_minor: number }>(
        t,
        'SELECT status, version, total_refund_minor, total_price_minor FROM bookings WHERE id = $1',
        [booked.id],
      );
      expect([row.status, Number(row.version), Number(row.total_refund_minor), Number(row.total_price_minor)]).toEqual(['CANCELLED', 2, 12320, 0]);

      const history = await events(booked.id);
      expect(history.map((e) => [e.type, e.version])).toEqual([
        ['booking.created', 1],
        ['booking.cancelled', 2],
      ]);
      expect(history[1].before).toMatchObject({ status: 'CONFIRMED', total_price: 123.2, total_refund: 0 });
      expect(history[1].after).toMatchObject({ status: 'CANCELLED', total_price: 0, total_refund: 123.2, cancellation_reason: 'changed plans' });
      expect(history[1].after.quotes).toEqual([
        { id: trip.id, status: 'CANCELLED', refund_value: 110 },
        { id: bag.id, status: 'CANCELLED', refund_value: 13.2 },
      ]);
      expect(Object.keys(history[1].actor)).toEqual(['api_key_id']);
    });

    it('after the cooling-off period: the refund expression (pro rata for TRIP), 0.0 by default (BAG)', async () => {
      const booked = await bookTrip(t, 'TRAVA', key);
      // half-way through the 10-day policy
      clock.pin(startOf(booked, 'TRIP') + 5 * DAY_MS);
      const res = await cancel(booked.id).expect(200);
      expect(quoteOf(res.body, 'TRIP')).toMatchObject({ status: 'CANCELLED', refund_value: 55, refund_value_formatted: eur(55), adjustment_fee: 55 });
      expect(quoteOf(res.body, 'BAG')).toMatchObject({ status: 'CANCELLED', refund_value: 0, adjustment_fee: 13.2, adjustment_fee_formatted: eur(13.2) });
      expect(res.body).toMatchObject({ status: 'CANCELLED', total_refund: 55 });
    });

    it('a refund is decided by the bundle version the offer was created under, not a later one', async () => {
      const booked = await bookTrip(t, 'TRAVA', key);
      const later = travelBundle('TRAVA') as { offer_configs: Array<{ products: Array<Record<string, unknown>> }> };
      later.offer_configs[0].products[0].cancellation = { cooling_off: '1d', refund: '0.0' };
      await request(t.http).put('/admin/partners/TRAVA/bundle').set(ADMIN).send(later).expect(200);
      try {
        clock.pin(startOf(booked, 'TRIP') + 5 * DAY_MS);
        const res = await cancel(booked.id, { quotes: [{ id: quoteOf(booked, 'TRIP').id }] }).expect(200);
        expect(quoteOf(res.body, 'TRIP')).toMatchObject({ refund_value: 55 });
      } finally {
        await request(t.http).put('/admin/partners/TRAVA/bundle').set(ADMIN).send(travelBundle('TRAVA')).expect(200);
      }
    });

    it('cancellation_not_allowed names the quote; nothing changes', async () => {
      const booked = await bookTrip(t, 'TRAVA', key, ['TRIP', 'FINAL']);
      const final = quoteOf(booked, 'FINAL');
      const res = await cancel(booked.id).expect(422);
      expect(res.body).toMatchObject({ code: 'cancellation_not_allowed', quote_id: final.id });
      expect(await read(booked.id)).toEqual(booked);
      expect((await events(booked.id)).map((e) => e.type)).toEqual(['booking.created']);
    });

    it('a partial cancellation keeps the booking CONFIRMED; cancelling a cancelled quote or booking is booking_already_cancelled', async () => {
      const booked = await bookTrip(t, 'TRAVA', key);
      const trip = quoteOf(booked, 'TRIP');
      const bag = quoteOf(booked, 'BAG');
      const partial = await cancel(booked.id, { quotes: [{ id: trip.id }] }).expect(200);
      expect(partial.body).toMatchObject({ status: 'CONFIRMED', total_price: 13.2, total_refund: 110 });
      expect(quoteOf(partial.body, 'BAG')).toMatchObject({ status: 'CONFIRMED', cancelled_at: null });
      expect(quoteOf(partial.body, 'BAG').refund_value).toBeUndefined();

      expect((await cancel(booked.id, { quotes: [{ id: trip.id }] }).expect(422)).body).toMatchObject({
        code: 'booking_already_cancelled',
        quote_ids: [trip.id],
      });
      await cancel(booked.id).expect(200);
      expect((await cancel(booked.id).expect(422)).body.code).toBe('booking_already_cancelled');
      expect((await cancel(booked.id, { quotes: [{ id: bag.id }] }).expect(422)).body.code).toBe('booking_already_cancelled');
      expect((await events(booked.id)).map((e) => e.type)).toEqual(['booking.created', 'booking.cancelled', 'booking.cancelled']);
    });

    it('a quote that is not of this booking is a booking_validation_error at its path', async () => {
      const booked = await bookTrip(t, 'TRAVA', key);
      const other = await bookTrip(t, 'TRAVA', key);
      const res = await cancel(booked.id, { quotes: [{ id: quoteOf(booked, 'TRIP').id }, { id: quoteOf(other, 'TRIP').id }] }).expect(422);
      expect(res.body.code).toBe('booking_validation_error');
      expect(Object.keys(res.body.errors)).toEqual(['/quotes/1/id']);
      expect(await read(booked.id)).toEqual(booked);
    });
  });

  describe('cancellation preview', () => {
    it('prices without changing anything; its confirmation applies exactly what was priced, once', async () => {
      const booked = await bookTrip(t, 'TRAVA', key);
      clock.pin(startOf(booked, 'TRIP') + 5 * DAY_MS);
      const preview = await cancel(booked.id, { preview: true }).expect(200);
      expect(preview.body.cancellation_id).toMatch(CHANGE_ID('CCL'));
      expect(new Date(preview.body.confirm_before).getTime()).toBe(clock.now().getTime() + 24 * HOUR_MS);
      expect(preview.body).toMatchObject({ status: 'CANCELLED', total_refund: 55 });
      expect(quoteOf(preview.body, 'TRIP')).toMatchObject({
        status: 'CANCELLED',
        refund_value: 55,
        adjustment_fee: 55,
        policy_cancellation_date: null,
        cancelled_at: null,
      });
      expect(await read(booked.id)).toEqual(booked);

      // an hour later the pro-rata refund would be smaller: the confirmation applies the priced one
      clock.advance(HOUR_MS);
      const confirmed = await confirmCancellation(booked.id, preview.body.cancellation_id).expect(200);
      expect(confirmed.body).toMatchObject({ status: 'CANCELLED', total_refund: 55, cancellation_id: null });
      expect(quoteOf(confirmed.body, 'TRIP')).toMatchObject({
        refund_value: 55,
        cancelled_at: expect.any(String),
        policy_cancellation_date: expect.any(String),
      });
      expect(new Date(quoteOf(confirmed.body, 'TRIP').cancelled_at as string).getTime()).toBe(clock.now().getTime());

      expect((await confirmCancellation(booked.id, preview.body.cancellation_id).expect(422)).body.code).toBe('cancellation_stale');
      expect((await events(booked.id)).map((e) => e.type)).toEqual(['booking.created', 'booking.cancelled']);
    });

    it('is stale once the booking changed, expired after confirm_before, and not found for another booking', async () => {
      const booked = await bookTrip(t, 'TRAVA', key);
      const stale = await cancel(booked.id, { preview: true }).expect(200);
      await cancel(booked.id, { quotes: [{ id: quoteOf(booked, 'BAG').id }] }).expect(200);
      expect((await confirmCancellation(booked.id, stale.body.cancellation_id).expect(422)).body.code).toBe('cancellation_stale');
      expect((await read(booked.id)).status).toBe('CONFIRMED');

      const late = await cancel(booked.id, { preview: true }).expect(200);
      clock.advance(24 * HOUR_MS);
      expect((await confirmCancellation(booked.id, late.body.cancellation_id).expect(422)).body).toMatchObject({
        code: 'cancellation_expired',
        confirm_before: late.body.confirm_before,
      });
      clock.release();

      const other = await bookTrip(t, 'TRAVA', key);
      const elsewhere = await cancel(other.id, { preview: true }).expect(200);
      expect((await confirmCancellation(booked.id, elsewhere.body.cancellation_id).expect(404)).body.code).toBe('cancellation_not_found');
      expect((await confirmCancellation(booked.id, 'AAAAA-BBBBB-CCCCC-CCL').expect(404)).body.code).toBe('cancellation_not_found');
      expect((await read(booked.id)).status).toBe('CONFIRMED');
    });
  });

  describe('update with a price change', () => {
    it('quote_for_update re-prices with the offer configuration and changes nothing; confirm_update applies it (201)', async () => {
      const booked = await bookTrip(t, 'TRAVA', key);
      const trip = quoteOf(booked, 'TRIP');
      const quoted = await quoteForUpdate(booked.id, { quotes: [{ id: trip.id, update_fields: { trip_cost: 2000 } }] }).expect(200);
      expect(quoted.body.update_id).toMatch(CHANGE_ID('UPD'));
      // premium 2000 × 0.05 × 2 travellers = 200.00, tax 10 % = 20.00
      expect(quoteOf(quoted.body, 'TRIP')).toMatchObject({ price: 220, tax: 20, price_diff: 110, price_diff_formatted: eur(110) });
      expect(quoteOf(quoted.body, 'BAG').price_diff).toBeUndefined();
      expect(quoted.body).toMatchObject({ total_price: 233.2, total_price_diff: 110, total_price_diff_formatted: eur(110) });
      expect(await read(booked.id)).toEqual(booked);

      const applied = await confirmUpdate(booked.id, quoted.body.update_id).expect(201);
      expect(applied.body).toMatchObject({ status: 'CONFIRMED', total_price: 233.2 });
      expect(quoteOf(applied.body, 'TRIP')).toMatchObject({ price: 220, tax: 20, status: 'CONFIRMED' });
      expect(applied.body.update_id).toBeUndefined();
      expect(await read(booked.id)).toEqual(applied.body);

      const history = await events(booked.id);
      expect(history.map((e) => [e.type, e.version])).toEqual([
        ['booking.created', 1],
        ['booking.updated', 2],
      ]);
      expect(history[1].before).toMatchObject({ total_price: 123.2, context: { trip_cost: 1000 }, quotes: [{ id: trip.id, price: 110, tax: 10 }] });
      expect(history[1].after).toMatchObject({ total_price: 233.2, context: { trip_cost: 2000 }, quotes: [{ id: trip.id, price: 220, tax: 20 }] });

      // the next update starts from the updated context; a cancellation refunds the new price
      const again = await quoteForUpdate(booked.id, { quotes: [{ id: trip.id, update_fields: { travellers: 1 } }] }).expect(200);
      expect(quoteOf(again.body, 'TRIP')).toMatchObject({ price: 110, price_diff: -110 });
      const cancelled = await cancel(booked.id, { quotes: [{ id: trip.id }] }).expect(200);
      expect(quoteOf(cancelled.body, 'TRIP')).toMatchObject({ refund_value: 220 });
    });

    it('refuses an update that breaks the schema, a field the product does not let change, and a product that cannot be modified now', async () => {
      const booked = await bookTrip(t, 'TRAVA', key, ['TRIP', 'FINAL']);
      const trip = quoteOf(booked, 'TRIP');
      const broken = await quoteForUpdate(booked.id, { quotes: [{ id: trip.id, update_fields: { trip_cost: -5 } }] }).expect(422);
      expect(broken.body.code).toBe('booking_validation_error');
      expect(Object.keys(broken.body.errors)).toEqual(['/context/trip_cost']);

      const field = await quoteForUpdate(booked.id, { quotes: [{ id: trip.id, update_fields: { destination: 'JP' } }] }).expect(422);
      expect(field.body.code).toBe('booking_validation_error');
      expect(Object.keys(field.body.errors)).toEqual(['/quotes/0/update_fields/destination']);

      const final = quoteOf(booked, 'FINAL');
      expect((await quoteForUpdate(booked.id, { quotes: [{ id: final.id, update_fields: {} }] }).expect(422)).body).toMatchObject({
        code: 'modification_not_allowed',
        quote_id: final.id,
      });
      // by default a quote can be modified until its policy starts
      clock.pin(startOf(booked, 'TRIP') + HOUR_MS);
      expect((await quoteForUpdate(booked.id, { quotes: [{ id: trip.id, update_fields: { trip_cost: 1500 } }] }).expect(422)).body.code).toBe(
        'modification_not_allowed',
      );
      expect(await read(booked.id)).toEqual(booked);
      expect((await events(booked.id)).length).toBe(1);
    });

    it('a quote that cannot be priced for the new details is an offer_quote_pricing_error naming it; nothing is stored', async () => {
      const booked = await bookTrip(t, 'TRAVA', key, ['TRIP', 'RISKY']);
      const risky = quoteOf(booked, 'RISKY');
      const res = await quoteForUpdate(booked.id, { quotes: [{ id: risky.id, update_fields: { trip_cost: 60000 } }] }).expect(422);
      expect(res.body).toMatchObject({ code: 'offer_quote_pricing_error', quote_id: risky.id });
      expect(await dbQuery(t, 'SELECT id FROM booking_changes WHERE booking_id = $1', [booked.id])).toEqual([]);
      expect(await read(booked.id)).toEqual(booked);
    });

    it('an update quote is stale once the booking changed, expired after confirm_before, not found for another booking', async () => {
      const booked = await bookTrip(t, 'TRAVA', key);
      const trip = quoteOf(booked, 'TRIP');
      const stale = await quoteForUpdate(booked.id, { quotes: [{ id: trip.id, update_fields: { trip_cost: 1200 } }] }).expect(200);
      await request(t.http)
        .patch(path(booked.id))
        .set('X-Api-Key', key)
        .send({ policyholder: { email: 'new@example.com' } })
        .expect(200);
      expect((await confirmUpdate(booked.id, stale.body.update_id).expect(422)).body.code).toBe('update_stale');

      const late = await quoteForUpdate(booked.id, { quotes: [{ id: trip.id, update_fields: { trip_cost: 1200 } }] }).expect(200);
      clock.advance(24 * HOUR_MS + 1000);
      expect((await confirmUpdate(booked.id, late.body.update_id).expect(422)).body).toMatchObject({
        code: 'update_expired',
        confirm_before: late.body.confirm_before,
      });
      clock.release();

      const other = await bookTrip(t, 'TRAVA', key);
      const elsewhere = await quoteForUpdate(other.id, { quotes: [{ id: quoteOf(other, 'TRIP').id, update_fields: { trip_cost: 1200 } }] }).expect(200);
      expect((await confirmUpdate(booked.id, elsewhere.body.update_id).expect(404)).body.code).toBe('update_not_found');
      expect(quoteOf(await read(booked.id), 'TRIP').price).toBe(110);
    });
  });

  describe('update without a price change', () => {
    it('changes only the given policyholder fields and insured lists, with an event of what changed', async () => {
      const booked = await bookTrip(t, 'TRAVA', key);
      const trip = quoteOf(booked, 'TRIP');
      const insured = [{ first_name: 'Grace', last_name: 'Hopper' }];
      const res = await request(t.http)
        .patch(path(booked.id))
        .set('X-Api-Key', key)
        .send({ policyholder: { email: 'ada@lovelace.example' }, quotes: [{ id: trip.id, insured }] })
        .expect(200);
      expect(res.body.policyholder).toEqual({ ...(booked.policyholder as object), email: 'ada@lovelace.example' });
      expect(quoteOf(res.body, 'TRIP').insured).toEqual(insured);
      expect(res.body.total_price).toBe(booked.total_price);
      expect(await read(booked.id)).toEqual(res.body);

      const [, updated] = await events(booked.id);
      expect(updated.type).toBe('booking.updated');
      expect(updated.before).toEqual({ policyholder: { email: 'ada@example.com' }, quotes: [{ id: trip.id, insured: [] }] });
      expect(updated.after).toEqual({ policyholder: { email: 'ada@lovelace.example' }, quotes: [{ id: trip.id, insured }] });

      // the same change again changes nothing and leaves no event
      await request(t.http)
        .patch(path(booked.id))
        .set('X-Api-Key', key)
        .send({ policyholder: { email: 'ada@lovelace.example' } })
        .expect(200);
      expect((await events(booked.id)).length).toBe(2);

      await cancel(booked.id).expect(200);
      const refused = await request(t.http)
        .patch(path(booked.id))
        .set('X-Api-Key', key)
        .send({ policyholder: { email: 'x@example.com' } })
        .expect(422);
      expect(refused.body.code).toBe('booking_already_cancelled');
    });
  });
});
