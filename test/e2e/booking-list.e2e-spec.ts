/**
 * Listing and reading bookings: XCover's page shape, newest first,
 * limit/offset with `next`/`previous` links that repeat the route, prefix and filters, every
 * filter, the limit bounds; and the isolation of partners: another partner's bookings never
 * appear, and every lifecycle route answers 404 `booking_not_found` for another partner's booking.
 */
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { ADMIN, dbQuery } from '../support/booking-fixtures';
import { bookTrip, quoteOf, setupTravel, type Booked } from '../support/lifecycle-fixtures';
import { TestClock } from '../support/test-clock';

const A = 'LISTA';
const B = 'LISTB';
const SECOND = 1000;

interface Page {
  count: number;
  next: string | null;
  previous: string | null;
  results: Booked[];
}

/** what supertest can request again from an absolute page link: its path and query */
function pathOf(link: string): string {
  const u = new URL(link);
  return `${u.pathname}${u.search}`;
}

describe('listing and reading bookings (e2e)', () => {
  let t: TestApp;
  const clock = new TestClock();
  let keyA: string;
  let keyB: string;
  /** partner A's bookings, oldest first, one second apart */
  const mine: Booked[] = [];
  /** partner B's bookings */
  const theirs: Booked[] = [];

  beforeAll(async () => {
    t = await startTestApp({}, clock);
    keyA = await setupTravel(t, A);
    keyB = await setupTravel(t, B);
    // one second apart, so that "newest first" is one order
    clock.pin(Date.now());
    for (let i = 0; i < 5; i++) {
      clock.advance(SECOND);
      mine.push(await bookTrip(t, A, keyA, ['TRIP', 'BAG'], { transactionId: i < 2 ? 'ORDER-SHARED' : `ORDER-${i}` }));
    }
    for (let i = 0; i < 2; i++) {
      clock.advance(SECOND);
      theirs.push(await bookTrip(t, B, keyB, ['TRIP', 'BAG'], { transactionId: 'ORDER-SHARED' }));
    }
  });
  afterAll(async () => t.close());

  const list = (query = '', prefix = '/x', key = keyA, code = A, slash = '/') =>
    request(t.http).get(`${prefix}/partners/${code}/bookings${slash}${query}`).set('X-Api-Key', key);
  const newestFirst = () => [...mine].reverse().map((b) => b.id);

  it('the page shape: { count, next, previous, results }, the results newest first, as GET booking reads them', async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['count', 'next', 'previous', 'results']);
    const page = res.body as Page;
    expect(page.count).toBe(5);
    expect(page.next).toBeNull();
    expect(page.previous).toBeNull();
    expect(page.results.map((b) => b.id)).toEqual(newestFirst());
    for (const b of page.results) {
      const read = await request(t.http).get(`/x/partners/${A}/bookings/${b.id}/`).set('X-Api-Key', keyA).expect(200);
      expect(b).toEqual(read.body);
    }
    // without the trailing slash, under the other prefix: the same page
    const other = await list('', '/xcover', keyA, A, '');
    expect(other.status).toBe(200);
    expect((other.body as Page).results.map((b) => b.id)).toEqual(newestFirst());
  });

  it('limit/offset: next and previous are absolute URLs of this route with its filters; following next walks every booking once', async () => {
    const first = await list('?limit=2');
    expect(first.status).toBe(200);
    const p1 = first.body as Page;
    expect(p1.count).toBe(5);
    expect(p1.previous).toBeNull();
    expect(p1.results.map((b) => b.id)).toEqual(newestFirst().slice(0, 2));
    expect(p1.next).toMatch(/^https?:\/\/[^/]+\/x\/partners\/LISTA\/bookings\/\?/);
    const next = new URL(p1.next as string);
    expect(next.pathname).toBe(`/x/partners/${A}/bookings/`);
    expect(next.searchParams.get('limit')).toBe('2');
    expect(next.searchParams.get('offset')).toBe('2');

    const seen: string[] = [];
    let page = p1;
    let pages = 1;
    seen.push(...page.results.map((b) => b.id));
    const previousLinks: Array<string | null> = [page.previous];
    while (page.next) {
      const res = await request(t.http).get(pathOf(page.next)).set('X-Api-Key', keyA);
      expect(res.status).toBe(200);
      page = res.body as Page;
      pages++;
      expect(page.count).toBe(5);
      previousLinks.push(page.previous);
      seen.push(...page.results.map((b) => b.id));
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst());
    // the last page: next null, previous back to the one before
    expect(page.next).toBeNull();
    expect(page.results).toHaveLength(1);
    expect(previousLinks[0]).toBeNull();
    const back = new URL(previousLinks[2] as string);
    expect(back.pathname).toBe(`/x/partners/${A}/bookings/`);
    expect([back.searchParams.get('limit'), back.searchParams.get('offset')]).toEqual(['2', '2']);
    const prev = await request(t.http)
      .get(pathOf(previousLinks[2] as string))
      .set('X-Api-Key', keyA)
      .expect(200);
    expect((prev.body as Page).results.map((b) => b.id)).toEqual(newestFirst().slice(2, 4));

    // an offset past the end: an empty page that still counts
    const past = await list('?limit=2&offset=10').expect(200);
    expect(past.body).toMatchObject({ count: 5, next: null, results: [] });
  });

  it('the links repeat the prefix, the route as sent and every filter', async () => {
    const res = await list('?partner_transaction_id=ORDER-SHARED&status=CONFIRMED&limit=1', '/xcover', keyA, A, '');
    expect(res.status).toBe(200);
    const page = res.body as Page;
    expect(page.count).toBe(2);
    expect(page.results.map((b) => b.id)).toEqual([mine[1]?.id]);
    const next = new URL(page.next as string);
    expect(next.protocol).toMatch(/^https?:$/);
    expect(next.pathname).toBe(`/xcover/partners/${A}/bookings`);
    expect(Object.fromEntries(next.searchParams)).toEqual({ partner_transaction_id: 'ORDER-SHARED', status: 'CONFIRMED', limit: '1', offset: '1' });
    const second = await request(t.http)
      .get(pathOf(page.next as string))
      .set('X-Api-Key', keyA)
      .expect(200);
    expect(second.body).toMatchObject({ count: 2, next: null });
    expect((second.body as Page).results.map((b) => b.id)).toEqual([mine[0]?.id]);
    const previous = new URL((second.body as Page).previous as string);
    expect(previous.pathname).toBe(`/xcover/partners/${A}/bookings`);
    expect(Object.fromEntries(previous.searchParams)).toEqual({ partner_transaction_id: 'ORDER-SHARED', status: 'CONFIRMED', limit: '1', offset: '0' });
  });

  it("filter partner_transaction_id: only the bookings of offers made with it, never another partner's", async () => {
    const shared = (await list('?partner_transaction_id=ORDER-SHARED').expect(200)).body as Page;
    expect(shared.count).toBe(2);
    expect(shared.results.map((b) => b.id)).toEqual([mine[1]?.id, mine[0]?.id]);
    for (const b of shared.results) expect(b.partner_transaction_id).toBe('ORDER-SHARED');
    const one = (await list('?partner_transaction_id=ORDER-3').expect(200)).body as Page;
    expect(one.results.map((b) => b.id)).toEqual([mine[3]?.id]);
    const none = (await list('?partner_transaction_id=NO-SUCH-ORDER').expect(200)).body as Page;
    expect(none).toEqual({ count: 0, next: null, previous: null, results: [] });
    // B's list: its own two only
    const b = (await list('?partner_transaction_id=ORDER-SHARED', '/x', keyB, B).expect(200)).body as Page;
    expect(b.results.map((x) => x.id)).toEqual([theirs[1]?.id, theirs[0]?.id]);
  });

  it('filters created_from / created_to: a window around now holds the bookings, a past one none, a narrow one exactly those inside it', async () => {
    const day = (mine[0]?.created_at as string).slice(0, 10);
    const lastDay = (mine[4]?.created_at as string).slice(0, 10);
    const today = (await list(`?created_from=${day}&created_to=${lastDay}`).expect(200)).body as Page;
    expect(today.count).toBe(5);
    expect(today.results.map((b) => b.id)).toEqual(newestFirst());
    const past = (await list('?created_from=2020-01-01&created_to=2020-01-31').expect(200)).body as Page;
    expect(past).toEqual({ count: 0, next: null, previous: null, results: [] });
    const future = (await list('?created_from=2999-01-01').expect(200)).body as Page;
    expect(future.count).toBe(0);

    // between the 2nd and 3rd booking … between the 4th and 5th: the 3rd and 4th, whatever the bounds' inclusiveness
    const mid = (a: Booked | undefined, b: Booked | undefined) =>
      new Date((Date.parse(a?.created_at as string) + Date.parse(b?.created_at as string)) / 2).toISOString();
    const from = mid(mine[1], mine[2]);
    const to = mid(mine[3], mine[4]);
    const narrow = await list(`?created_from=${encodeURIComponent(from)}&created_to=${encodeURIComponent(to)}`).expect(200);
    expect((narrow.body as Page).results.map((b) => b.id)).toEqual([mine[3]?.id, mine[2]?.id]);
    expect(narrow.body.count).toBe(2);
    // a bare lower bound
    const since = (await list(`?created_from=${encodeURIComponent(from)}`).expect(200)).body as Page;
    expect(since.results.map((b) => b.id)).toEqual(newestFirst().slice(0, 3));
  });

  it('limit bounds: 1 and 100 are pages, 0 and 101 → 422 naming limit; a negative offset → 422 naming offset', async () => {
    expect(((await list('?limit=1').expect(200)).body as Page).results).toHaveLength(1);
    expect(((await list('?limit=100').expect(200)).body as Page).results).toHaveLength(5);
    for (const [query, param] of [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=abc', 'limit'],
      ['?offset=-1', 'offset'],
    ] as const) {
      const res = await list(query);
      expect({ query, status: res.status }).toEqual({ query, status: 422 });
      expect(res.body.type).toBe('validation_error');
      expect(Object.keys(res.body.errors ?? {}).filter((k) => k.includes(param))).toHaveLength(1);
    }
  });

  it('filter status: after one booking is cancelled, CANCELLED lists it alone and CONFIRMED the others', async () => {
    const target = mine[2];
    const cancelled = await request(t.http).post(`/x/partners/${A}/bookings/${target.id}/cancel`).set('X-Api-Key', keyA).send({});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    // a partly cancelled booking is still CONFIRMED
    const partly = mine[3];
    await request(t.http)
      .post(`/x/partners/${A}/bookings/${partly.id}/cancel`)
      .set('X-Api-Key', keyA)
      .send({ quotes: [{ id: quoteOf(partly, 'BAG').id }] })
      .expect(200);

    const c = (await list('?status=CANCELLED').expect(200)).body as Page;
    expect(c.count).toBe(1);
    expect(c.results.map((b) => [b.id, b.status])).toEqual([[target.id, 'CANCELLED']]);
    const ok = (await list('?status=CONFIRMED').expect(200)).body as Page;
    expect(ok.count).toBe(4);
    expect(ok.results.map((b) => b.id)).toEqual(newestFirst().filter((id) => id !== target.id));
    for (const b of ok.results) expect(b.status).toBe('CONFIRMED');
    // the list shows the bookings as they are now
    const all = (await list().expect(200)).body as Page;
    expect(all.results.find((b) => b.id === target.id)).toMatchObject({ status: 'CANCELLED', total_price: 0 });
    // B has none cancelled
    expect(((await list('?status=CANCELLED', '/x', keyB, B).expect(200)).body as Page).count).toBe(0);
    const bad = await list('?status=PENDING');
    expect(bad.status).toBe(422);
  });

  it("another partner's bookings never appear, and B's booking read with A's key on A's route → 404 booking_not_found", async () => {
    const a = (await list('?limit=100').expect(200)).body as Page;
    expect(a.count).toBe(5);
    const ids = a.results.map((b) => b.id);
    for (const b of theirs) expect(ids).not.toContain(b.id);
    const bList = (await list('?limit=100', '/x', keyB, B).expect(200)).body as Page;
    expect(bList.results.map((b) => b.id)).toEqual([theirs[1]?.id, theirs[0]?.id]);

    const res = await request(t.http).get(`/x/partners/${A}/bookings/${theirs[0]?.id}/`).set('X-Api-Key', keyA);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('booking_not_found');
  });

  it("every lifecycle route with another partner's booking id → 404 booking_not_found, and B's booking is left as it was", async () => {
    const victim = theirs[1];
    const trip = quoteOf(victim, 'TRIP');
    // a real preview and a real update quote of B's booking, made by B
    const preview = await request(t.http).post(`/x/partners/${B}/bookings/${victim.id}/cancel/`).set('X-Api-Key', keyB).send({ preview: true }).expect(200);
    const quoted = await request(t.http)
      .patch(`/x/partners/${B}/bookings/${victim.id}/quote_for_update`)
      .set('X-Api-Key', keyB)
      .send({ quotes: [{ id: trip.id, update_fields: { trip_cost: 2000 } }] })
      .expect(200);
    const before = (await request(t.http).get(`/x/partners/${B}/bookings/${victim.id}/`).set('X-Api-Key', keyB).expect(200)).body;

    const onA = `/x/partners/${A}/bookings/${victim.id}`;
    const attempts: Array<[string, request.Test]> = [
      ['cancel', request(t.http).post(`${onA}/cancel`).set('X-Api-Key', keyA).send({})],
      [
        'cancel one quote',
        request(t.http)
          .post(`${onA}/cancel/`)
          .set('X-Api-Key', keyA)
          .send({ quotes: [{ id: trip.id }] }),
      ],
      ['cancel preview', request(t.http).post(`${onA}/cancel`).set('X-Api-Key', keyA).send({ preview: true })],
      ['confirm_cancellation', request(t.http).post(`${onA}/confirm_cancellation/${preview.body.cancellation_id}/`).set('X-Api-Key', keyA).send({})],
      [
        'PATCH',
        request(t.http)
          .patch(`${onA}/`)
          .set('X-Api-Key', keyA)
          .send({ policyholder: { first_name: 'Mallory' } }),
      ],
      [
        'quote_for_update',
        request(t.http)
          .patch(`${onA}/quote_for_update`)
          .set('X-Api-Key', keyA)
          .send({ quotes: [{ id: trip.id, update_fields: { trip_cost: 3000 } }] }),
      ],
      ['confirm_update', request(t.http).post(`${onA}/confirm_update/${quoted.body.update_id}/`).set('X-Api-Key', keyA).send({})],
      ['GET', request(t.http).get(`${onA}/`).set('X-Api-Key', keyA)],
      ['GET (xcover, no slash)', request(t.http).get(`/xcover/partners/${A}/bookings/${victim.id}`).set('X-Api-Key', keyA)],
      ['admin events under the wrong partner', request(t.http).get(`/admin/partners/${A}/bookings/${victim.id}/events`).set(ADMIN)],
    ];
    for (const [route, pending] of attempts) {
      const res = await pending;
      expect({ route, status: res.status, code: res.body.code }).toEqual({ route, status: 404, code: 'booking_not_found' });
    }
    // an unknown booking id, too
    const unknown = await request(t.http).get(`/x/partners/${A}/bookings/ZZZZZ-ZZZZZ-INS/`).set('X-Api-Key', keyA);
    expect({ status: unknown.status, code: unknown.body.code }).toEqual({ status: 404, code: 'booking_not_found' });
    const unknownEvents = await request(t.http).get(`/admin/partners/${A}/bookings/ZZZZZ-ZZZZZ-INS/events`).set(ADMIN);
    expect({ status: unknownEvents.status, code: unknownEvents.body.code }).toEqual({ status: 404, code: 'booking_not_found' });

    // nothing of B's booking changed, and B can still confirm its own preview
    const after = (await request(t.http).get(`/x/partners/${B}/bookings/${victim.id}/`).set('X-Api-Key', keyB).expect(200)).body;
    expect(after).toEqual(before);
    const evs = await request(t.http).get(`/admin/partners/${B}/bookings/${victim.id}/events`).set(ADMIN).expect(200);
    expect(evs.body.map((e: { type: string }) => e.type)).toEqual(['booking.created']);
    const [row] = await dbQuery<{ version: number | string; status: string }>(t, 'SELECT version, status FROM bookings WHERE id = $1', [victim.id]);
    expect([Number(row?.version), row?.status]).toEqual([1, 'CONFIRMED']);
    await request(t.http)
      .post(`/x/partners/${B}/bookings/${victim.id}/confirm_cancellation/${preview.body.cancellation_id}/`)
      .set('X-Api-Key', keyB)
      .send({})
      .expect(200);
  });
});
