/**
 * After the sale under concurrency: a quote is cancelled once, a
 * preview or an update quote is applied once, whatever the number of simultaneous requests, and a
 * booking raced by two changes is never left half-changed. The database decides (a version guard),
 * not a check-then-write: checked here through the answers, the stored rows and the events.
 */
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { ADMIN, dbQuery } from '../support/booking-fixtures';
import { bookTrip, quoteOf, setupTravel, type Booked } from '../support/lifecycle-fixtures';

const P = 'RACE';

interface ItemRow {
  quote_id: string;
  status: string;
  price_minor: number | string;
  refund_minor: number | string | null;
  cancelled_at: unknown;
}

interface BookingRow {
  status: string;
  version: number | string;
  total_price_minor: number | string;
  total_refund_minor: number | string;
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

const minor = (v: unknown): number => Number(v);
const major = (m: number): number => Math.round(m) / 100;
const sortedStatuses = (rs: request.Response[]): number[] => rs.map((r) => r.status).sort((a, b) => a - b);

/** The quotes named in an event's before/after, whether given as an array of `{ id, … }` or keyed by id. */
function eventQuotes(side: Record<string, unknown> | null): Array<Record<string, unknown> & { id: string }> {
  const q = side?.quotes;
  if (Array.isArray(q)) return q as Array<Record<string, unknown> & { id: string }>;
  if (q && typeof q === 'object') return Object.entries(q as Record<string, Record<string, unknown>>).map(([id, v]) => ({ id, ...v }));
  return [];
}

describe('bookings after the sale under concurrency (e2e)', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    key = await setupTravel(t, P);
  });
  afterAll(async () => t.close());

  const base = (id: string) => `/x/partners/${P}/bookings/${id}`;
  const cancel = (id: string, body: Record<string, unknown>) =>
    request(t.http)
      .post(`${base(id)}/cancel`)
      .set('X-Api-Key', key)
      .send(body);
  const confirmCancellation = (id: string, cid: string) =>
    request(t.http)
      .post(`${base(id)}/confirm_cancellation/${cid}/`)
      .set('X-Api-Key', key)
      .send({});
  const quoteForUpdate = (id: string, body: Record<string, unknown>) =>
    request(t.http)
      .patch(`${base(id)}/quote_for_update`)
      .set('X-Api-Key', key)
      .send(body);
  const confirmUpdate = (id: string, uid: string) =>
    request(t.http)
      .post(`${base(id)}/confirm_update/${uid}/`)
      .set('X-Api-Key', key)
      .send({});
  const getBooking = async (id: string) =>
    (
      await request(t.http)
        .get(`${base(id)}/`)
        .set('X-Api-Key', key)
        .expect(200)
    ).body as Booked;
  const events = async (id: string): Promise<BookingEvent[]> =>
    (await request(t.http).get(`/admin/partners/${P}/bookings/${id}/events`).set(ADMIN).expect(200)).body as BookingEvent[];
  const items = (id: string) =>
    dbQuery<ItemRow>(t, 'SELECT quote_id, status, price_minor, refund_minor, cancelled_at FROM booking_items WHERE booking_id = $1 ORDER BY policy_number', [
      id,
    ]);
  const bookingRow = async (id: string): Promise<BookingRow> =>
    (await dbQuery<BookingRow>(t, 'SELECT status, version, total_price_minor, total_refund_minor FROM bookings WHERE id = $1', [id]))[0];

  /**
   * The booking is whole: stored items, stored totals, the booking as read and its events all tell
   * the same story, and exactly `changes` changes were applied (one event each after the creation).
   */
  async function expectConsistent(id: string, changes: number): Promise<void> {
    const rows = await items(id);
    const row = await bookingRow(id);
    const read = await getBooking(id);
    const evs = await events(id);

    for (const i of rows) {
      if (i.status === 'CANCELLED') {
        expect({ quote: i.quote_id, refund: i.refund_minor === null, cancelled_at: i.cancelled_at === null }).toEqual({
          quote: i.quote_id,
          refund: false,
          cancelled_at: false,
        });
      } else {
        expect(i.status).toBe('CONFIRMED');
        expect({ quote: i.quote_id, refund: i.refund_minor, cancelled_at: i.cancelled_at }).toEqual({ quote: i.quote_id, refund: null, cancelled_at: null });
      }
    }
    const inForce = rows.filter((i) => i.status === 'CONFIRMED');
    const price = inForce.reduce((s, i) => s + minor(i.price_minor), 0);
    const refund = rows.reduce((s, i) => s + (i.refund_minor === null ? 0 : minor(i.refund_minor)), 0);
    expect(row.status).toBe(inForce.length > 0 ? 'CONFIRMED' : 'CANCELLED');
    expect(minor(row.total_price_minor)).toBe(price);
    expect(minor(row.total_refund_minor)).toBe(refund);
    expect(minor(row.version)).toBe(1 + changes);

    // the booking as partners read it
    expect(read.status).toBe(row.status);
    expect(read.total_price).toBeCloseTo(major(price), 2);
    expect(read.total_refund).toBeCloseTo(major(refund), 2);
    expect(read.quotes.map((q) => [q.id, q.status])).toEqual(rows.map((i) => [i.quote_id, i.status]));
    for (const q of read.quotes) {
      const stored = rows.find((i) => i.quote_id === q.id) as ItemRow;
      if (q.status === 'CANCELLED') {
        expect(q.refund_value).toBeCloseTo(major(minor(stored.refund_minor)), 2);
        expect(q.cancelled_at).toEqual(expect.any(String));
      } else {
        expect(q.cancelled_at ?? null).toBeNull();
      }
    }

    // one event per change applied, versions 1..n, each cancelled quote cancelled by exactly one event
    expect(evs.map((e) => e.version)).toEqual(Array.from({ length: 1 + changes }, (_x, i) => i + 1));
    expect(evs[0]?.type).toBe('booking.created');
    for (const i of rows.filter((x) => x.status === 'CANCELLED')) {
      const cancelling = evs.filter((e) => eventQuotes(e.after).some((q) => q.id === i.quote_id && q.status === 'CANCELLED'));
      expect({ quote: i.quote_id, events: cancelling.length }).toEqual({ quote: i.quote_id, events: 1 });
      expect(cancelling[0]?.type).toBe('booking.cancelled');
    }
  }

  it('(a) 12 simultaneous cancels of one quote: one 200, eleven 422 booking_already_cancelled; cancelled and refunded once', async () => {
    const booked = await bookTrip(t, P, key, ['TRIP', 'BAG']);
    const trip = quoteOf(booked, 'TRIP');
    const bag = quoteOf(booked, 'BAG');

    const results = await Promise.all(Array.from({ length: 12 }, () => cancel(booked.id, { quotes: [{ id: trip.id }] })));
    expect(sortedStatuses(results)).toEqual([200, ...Array(11).fill(422)]);
    for (const r of results.filter((x) => x.status === 422)) {
      expect(r.body).toMatchObject({ code: 'booking_already_cancelled' });
    }
    const winner = results.find((r) => r.status === 200) as request.Response;
    // within the cooling-off period: the whole price back
    expect(winner.body).toMatchObject({ id: booked.id, status: 'CONFIRMED', cancellation_id: null });
    expect(quoteOf(winner.body, 'TRIP')).toMatchObject({ status: 'CANCELLED', refund_value: trip.price, adjustment_fee: 0 });
    expect(quoteOf(winner.body, 'BAG')).toMatchObject({ status: 'CONFIRMED' });
    expect(winner.body.total_refund).toBeCloseTo(trip.price, 2);
    expect(winner.body.total_price).toBeCloseTo(bag.price, 2);

    const evs = await events(booked.id);
    expect(evs.map((e) => e.type)).toEqual(['booking.created', 'booking.cancelled']);

    const rows = await items(booked.id);
    const tripRow = rows.find((i) => i.quote_id === trip.id) as ItemRow;
    expect(tripRow.status).toBe('CANCELLED');
    expect(minor(tripRow.refund_minor)).toBe(Math.round(trip.price * 100));
    expect(tripRow.cancelled_at).not.toBeNull();
    const row = await bookingRow(booked.id);
    expect(minor(row.total_refund_minor)).toBe(Math.round(trip.price * 100));
    expect(minor(row.version)).toBe(2);

    const read = await getBooking(booked.id);
    expect(read.total_refund).toBeCloseTo(trip.price, 2);
    // the booking as read is the booking the cancel answered
    const { cancellation_id: _none, ...after } = winner.body as Record<string, unknown>;
    expect(read).toEqual(after);

    // the analytics counted one cancellation and one refund
    const variants = await dbQuery<{ cancellations: number | string; refunded_minor: number | string }>(
      t,
      'SELECT cancellations, refunded_minor FROM offer_variants WHERE offer_id = $1',
      [booked.offer_id],
    );
    expect(variants.map((v) => [minor(v.cancellations), minor(v.refunded_minor)])).toEqual([[1, Math.round(trip.price * 100)]]);

    await expectConsistent(booked.id, 1);
  });

  it('(a′) 12 simultaneous cancels of a whole booking: one 200, the others 422 booking_already_cancelled', async () => {
    const booked = await bookTrip(t, P, key, ['TRIP', 'BAG']);
    const results = await Promise.all(Array.from({ length: 12 }, () => cancel(booked.id, {})));
    expect(sortedStatuses(results)).toEqual([200, ...Array(11).fill(422)]);
    for (const r of results.filter((x) => x.status === 422)) expect(r.body.code).toBe('booking_already_cancelled');
    const winner = results.find((r) => r.status === 200) as request.Response;
    expect(winner.body).toMatchObject({ status: 'CANCELLED', total_price: 0 });
    expect(winner.body.total_refund).toBeCloseTo(booked.total_price, 2);
    expect((await events(booked.id)).map((e) => e.type)).toEqual(['booking.created', 'booking.cancelled']);
    await expectConsistent(booked.id, 1);
  });

  it('(b) 10 simultaneous confirm_cancellation of one preview: one 200, nine 422 cancellation_stale; applied once', async () => {
    const booked = await bookTrip(t, P, key, ['TRIP', 'BAG']);
    const preview = await cancel(booked.id, { preview: true });
    expect(preview.status).toBe(200);
    const cid = preview.body.cancellation_id as string;
    expect(cid).toMatch(/^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}-[A-Za-z0-9]{5}-CCL$/);
    // the preview changed nothing
    expect((await getBooking(booked.id)).status).toBe('CONFIRMED');
    expect((await events(booked.id)).map((e) => e.type)).toEqual(['booking.created']);

    const results = await Promise.all(Array.from({ length: 10 }, () => confirmCancellation(booked.id, cid)));
    expect(sortedStatuses(results)).toEqual([200, ...Array(9).fill(422)]);
    for (const r of results.filter((x) => x.status === 422)) {
      expect(r.body).toMatchObject({ code: 'cancellation_stale' });
    }
    const winner = results.find((r) => r.status === 200) as request.Response;
    expect(winner.body).toMatchObject({ id: booked.id, status: 'CANCELLED', total_price: 0, cancellation_id: null });
    // exactly what the preview priced
    expect(winner.body.total_refund).toBe(preview.body.total_refund);
    for (const q of preview.body.quotes as Booked['quotes']) {
      expect(quoteOf(winner.body, q.code)).toMatchObject({ status: 'CANCELLED', refund_value: q.refund_value });
    }

    const evs = await events(booked.id);
    expect(evs.map((e) => e.type)).toEqual(['booking.created', 'booking.cancelled']);
    const row = await bookingRow(booked.id);
    expect(minor(row.total_refund_minor)).toBe(Math.round(booked.total_price * 100));
    await expectConsistent(booked.id, 1);

    // and it stays applied once: one more confirmation is still refused
    const late = await confirmCancellation(booked.id, cid);
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('cancellation_stale');
    expect(await events(booked.id)).toHaveLength(2);
  });

  it('(c) 10 simultaneous confirm_update of one update quote: one 201, nine 422 update_stale; the new price applied once', async () => {
    const booked = await bookTrip(t, P, key, ['TRIP', 'BAG']);
    const trip = quoteOf(booked, 'TRIP');
    const bag = quoteOf(booked, 'BAG');
    const quoted = await quoteForUpdate(booked.id, { quotes: [{ id: trip.id, update_fields: { trip_cost: 2000 } }] });
    expect(quoted.status).toBe(200);
    const uid = quoted.body.update_id as string;
    expect(uid).toMatch(/^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}-[A-Za-z0-9]{5}-UPD$/);
    // trip_cost 1000 → 2000: the TRIP premium (trip_cost × 0.05 × travellers) and its 10% tax double
    expect(quoteOf(quoted.body, 'TRIP').price).toBeCloseTo(2 * trip.price, 2);
    expect(quoteOf(quoted.body, 'TRIP').price_diff).toBeCloseTo(trip.price, 2);
    expect(quoted.body.total_price_diff).toBeCloseTo(trip.price, 2);

    const results = await Promise.all(Array.from({ length: 10 }, () => confirmUpdate(booked.id, uid)));
    expect(sortedStatuses(results)).toEqual([201, ...Array(9).fill(422)]);
    for (const r of results.filter((x) => x.status === 422)) {
      expect(r.body).toMatchObject({ code: 'update_stale' });
    }
    const winner = results.find((r) => r.status === 201) as request.Response;
    expect(winner.body.total_price).toBeCloseTo(2 * trip.price + bag.price, 2);
    expect(quoteOf(winner.body, 'TRIP').price).toBeCloseTo(2 * trip.price, 2);

    const evs = await events(booked.id);
    expect(evs.map((e) => e.type)).toEqual(['booking.created', 'booking.updated']);
    expect(evs[1]?.before).toMatchObject({ total_price: booked.total_price });
    expect(evs[1]?.after).toMatchObject({ total_price: winner.body.total_price });

    const rows = await items(booked.id);
    expect(minor((rows.find((i) => i.quote_id === trip.id) as ItemRow).price_minor)).toBe(Math.round(2 * trip.price * 100));
    expect(minor((rows.find((i) => i.quote_id === bag.id) as ItemRow).price_minor)).toBe(Math.round(bag.price * 100));
    const row = await bookingRow(booked.id);
    expect(minor(row.total_price_minor)).toBe(Math.round((2 * trip.price + bag.price) * 100));
    expect(minor(row.version)).toBe(2);
    expect((await getBooking(booked.id)).total_price).toBe(winner.body.total_price);
    await expectConsistent(booked.id, 1);
  });

  it('(d) a preview and a direct partial cancel racing: whatever wins, the booking is whole and its confirmation applies all or nothing', async () => {
    for (let round = 0; round < 4; round++) {
      const booked = await bookTrip(t, P, key, ['TRIP', 'BAG']);
      const bag = quoteOf(booked, 'BAG');
      const [preview, direct] = await Promise.all([cancel(booked.id, { preview: true }), cancel(booked.id, { quotes: [{ id: bag.id }] })]);
      // the preview changes nothing, so the direct cancel always succeeds
      expect(direct.status).toBe(200);
      expect(preview.status).toBe(200);
      expect(quoteOf(direct.body, 'BAG')).toMatchObject({ status: 'CANCELLED' });

      const confirmed = await confirmCancellation(booked.id, preview.body.cancellation_id as string);
      if (confirmed.status === 200) {
        // priced after the direct cancel: it cancels what was left, and the booking is cancelled
        expect(confirmed.body).toMatchObject({ status: 'CANCELLED', total_price: 0 });
        expect(confirmed.body.total_refund).toBeCloseTo(booked.total_price, 2);
        expect((await events(booked.id)).map((e) => e.type)).toEqual(['booking.created', 'booking.cancelled', 'booking.cancelled']);
        await expectConsistent(booked.id, 2);
      } else {
        // priced before it: the booking moved on, nothing of the preview is applied
        expect({ status: confirmed.status, code: confirmed.body.code }).toEqual({ status: 422, code: 'cancellation_stale' });
        const read = await getBooking(booked.id);
        expect(read.status).toBe('CONFIRMED');
        expect(quoteOf(read, 'TRIP').status).toBe('CONFIRMED');
        expect(quoteOf(read, 'BAG').status).toBe('CANCELLED');
        await expectConsistent(booked.id, 1);
      }
    }
  });

  it('(d, in order) a direct partial cancel, then a preview: the preview prices what is left and its confirmation applies it', async () => {
    const booked = await bookTrip(t, P, key, ['TRIP', 'BAG']);
    const trip = quoteOf(booked, 'TRIP');
    await cancel(booked.id, { quotes: [{ id: quoteOf(booked, 'BAG').id }] }).expect(200);
    const preview = await cancel(booked.id, { preview: true });
    expect(preview.status).toBe(200);
    expect(preview.body.total_refund).toBeCloseTo(booked.total_price, 2);
    expect(quoteOf(preview.body, 'TRIP')).toMatchObject({ status: 'CANCELLED', refund_value: trip.price });
    const confirmed = await confirmCancellation(booked.id, preview.body.cancellation_id as string);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'CANCELLED', total_price: 0 });
    await expectConsistent(booked.id, 2);
  });

  it('(d′) a confirm_cancellation and a direct partial cancel racing: exactly one applies, the other is refused, nothing half-applied', async () => {
    for (let round = 0; round < 4; round++) {
      const booked = await bookTrip(t, P, key, ['TRIP', 'BAG']);
      const bag = quoteOf(booked, 'BAG');
      const preview = await cancel(booked.id, { preview: true });
      expect(preview.status).toBe(200);
      const [confirmed, direct] = await Promise.all([
        confirmCancellation(booked.id, preview.body.cancellation_id as string),
        cancel(booked.id, { quotes: [{ id: bag.id }] }),
      ]);
      expect(sortedStatuses([confirmed, direct])).toEqual([200, 422]);
      if (confirmed.status === 200) {
        expect(direct.body.code).toBe('booking_already_cancelled');
        expect(confirmed.body).toMatchObject({ status: 'CANCELLED', total_price: 0 });
        expect(confirmed.body.total_refund).toBe(preview.body.total_refund);
      } else {
        expect(confirmed.body.code).toBe('cancellation_stale');
        expect(direct.body).toMatchObject({ status: 'CONFIRMED' });
        expect(quoteOf(direct.body, 'TRIP').status).toBe('CONFIRMED');
      }
      expect((await events(booked.id)).map((e) => e.type)).toEqual(['booking.created', 'booking.cancelled']);
      await expectConsistent(booked.id, 1);
    }
  });

  it('(d″) a confirm_update and a direct partial cancel racing: exactly one applies, the totals match the items', async () => {
    for (let round = 0; round < 3; round++) {
      const booked = await bookTrip(t, P, key, ['TRIP', 'BAG']);
      const trip = quoteOf(booked, 'TRIP');
      const bag = quoteOf(booked, 'BAG');
      const quoted = await quoteForUpdate(booked.id, { quotes: [{ id: trip.id, update_fields: { trip_cost: 2000 } }] });
      expect(quoted.status).toBe(200);
      const [updated, direct] = await Promise.all([confirmUpdate(booked.id, quoted.body.update_id as string), cancel(booked.id, { quotes: [{ id: bag.id }] })]);
      // the cancel is worked out again on the updated booking when the update came first; the
      // update is stale when the cancel came first
      if (updated.status === 201) {
        expect(direct.status).toBe(200);
        expect(quoteOf(direct.body, 'TRIP')).toMatchObject({ status: 'CONFIRMED' });
        expect(quoteOf(direct.body, 'TRIP').price).toBeCloseTo(2 * trip.price, 2);
        expect(direct.body.total_price).toBeCloseTo(2 * trip.price, 2);
        expect((await events(booked.id)).map((e) => e.type)).toEqual(['booking.created', 'booking.updated', 'booking.cancelled']);
        await expectConsistent(booked.id, 2);
      } else {
        expect({ status: updated.status, code: updated.body.code }).toEqual({ status: 422, code: 'update_stale' });
        expect(direct.status).toBe(200);
        const read = await getBooking(booked.id);
        expect(quoteOf(read, 'TRIP').price).toBe(trip.price);
        expect(read.total_price).toBe(trip.price);
        expect((await events(booked.id)).map((e) => e.type)).toEqual(['booking.created', 'booking.cancelled']);
        await expectConsistent(booked.id, 1);
      }
    }
  });
});
