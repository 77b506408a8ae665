/**
 * A partner's bookings through the admin API: search (booking id, partner transaction id,
 * policyholder e-mail), read, and cancel with a preview then its confirmation, in the operator's
 * name. Another partner's bookings are never found.
 */
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { ADMIN, confirmBody, confirmPath, createOffer, POLICYHOLDER, setupShop } from '../support/booking-fixtures';

interface Booking {
  id: string;
  status: string;
  partner_transaction_id: string | null;
  policyholder: { email: string };
  quotes: Array<{ id: string; status: string }>;
  [k: string]: unknown;
}

describe('Admin bookings (e2e)', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  /** oldest first */
  const booked: Booking[] = [];
  let grace: Booking[];
  let tx: Booking;
  let other: Booking;

  const book = async (code: string, apiKey: string, transactionId: string, email: string): Promise<Booking> => {
    const offer = await createOffer(t, code, apiKey, { transactionId });
    const res = await request(t.http)
      .post(confirmPath(code, offer.id))
      .set('X-Api-Key', apiKey)
      .send(confirmBody([offer.products[0].id], { policyholder: { ...POLICYHOLDER, email } }))
      .expect(200);
    return res.body as Booking;
  };
  const search = (code: string, query: Record<string, string | number>) => request(t.http).get(`/admin/partners/${code}/bookings`).query(query).set(ADMIN);
  const ids = (list: Booking[]): string[] => list.map((b) => b.id);

  beforeAll(async () => {
    t = await startTestApp();
    key = await setupShop(t, 'ADB');
    otherKey = await setupShop(t, 'ADC');
    for (let i = 0; i < 5; i++) booked.push(await book('ADB', key, `order-${i}`, i % 2 === 0 ? 'Grace.Hopper@Example.com' : `person${i}@example.com`));
    // the same transaction id twice (a retried checkout), and an e-mail and transaction id shared with another partner
    booked.push(await book('ADB', key, 'order-1', 'someone@example.com'));
    other = await book('ADC', otherKey, 'order-0', 'grace.hopper@example.com');
    grace = [booked[4], booked[2], booked[0]];
    tx = booked[5];
  }, 60_000);
  afterAll(async () => t?.close());

  describe('GET /admin/partners/{code}/bookings', () => {
    it('without q: the latest bookings, newest first, 20 by default, at most limit', async () => {
      const all = await search('ADB', {}).expect(200);
      expect(Object.keys(all.body)).toEqual(['bookings']);
      expect(ids(all.body.bookings)).toEqual(ids([...booked].reverse()));
      const two = await search('ADB', { limit: 2 }).expect(200);
      expect(ids(two.body.bookings)).toEqual([booked[5].id, booked[4].id]);
    });

    it('answers each booking as the partner API reads it', async () => {
      const res = await search('ADB', { q: booked[3].id }).expect(200);
      const partnerRead = await request(t.http).get(`/x/partners/ADB/bookings/${booked[3].id}/`).set('X-Api-Key', key).expect(200);
      expect(res.body.bookings).toEqual([partnerRead.body]);
    });

    it('finds a booking by its id, exactly', async () => {
      expect(ids((await search('ADB', { q: booked[1].id }).expect(200)).body.bookings)).toEqual([booked[1].id]);
      expect(ids((await search('ADB', { q: ` ${booked[1].id} ` }).expect(200)).body.bookings)).toEqual([booked[1].id]);
      expect((await search('ADB', { q: booked[1].id.toLowerCase() }).expect(200)).body.bookings).toEqual([]);
    });

    it('finds bookings by partner transaction id, exactly, newest first', async () => {
      expect(ids((await search('ADB', { q: 'order-1' }).expect(200)).body.bookings)).toEqual([tx.id, booked[1].id]);
      expect(ids((await search('ADB', { q: 'order-3' }).expect(200)).body.bookings)).toEqual([booked[3].id]);
      expect((await search('ADB', { q: 'ORDER-3' }).expect(200)).body.bookings).toEqual([]);
      expect((await search('ADB', { q: 'order' }).expect(200)).body.bookings).toEqual([]);
    });

    it('finds bookings by policyholder e-mail in any case, newest first, within limit', async () => {
      for (const q of ['grace.hopper@example.com', 'GRACE.HOPPER@EXAMPLE.COM', ' Grace.Hopper@example.com ']) {
        const res = await search('ADB', { q }).expect(200);
        expect(ids(res.body.bookings)).toEqual(ids(grace));
      }
      const first = await search('ADB', { q: 'grace.hopper@example.com', limit: 1 }).expect(200);
      expect(ids(first.body.bookings)).toEqual([grace[0].id]);
      expect((await search('ADB', { q: 'hopper@example.com' }).expect(200)).body.bookings).toEqual([]);
    });

    it("never answers another partner's bookings", async () => {
      for (const q of [other.id, 'order-0', 'grace.hopper@example.com']) {
        const res = await search('ADB', { q }).expect(200);
        expect(ids(res.body.bookings)).not.toContain(other.id);
      }
      expect(ids((await search('ADB', {}).expect(200)).body.bookings)).not.toContain(other.id);
      expect(ids((await search('ADC', { q: 'order-0' }).expect(200)).body.bookings)).toEqual([other.id]);
    });

    it.each([
      ['limit 0', 'limit=0', 'limit'],
      ['limit above 100', 'limit=101', 'limit'],
      ['limit not a number', 'limit=ten', 'limit'],
      ['q given twice', 'q=a&q=b', 'q'],
      ['q too long', `q=${'x'.repeat(255)}`, 'q'],
      ['an unknown parameter', 'status=CONFIRMED', 'status'],
    ])('422 validation_error: %s', async (_name, qs, path) => {
      const res = await request(t.http).get(`/admin/partners/ADB/bookings?${qs}`).set(ADMIN).expect(422);
      expect(res.body).toMatchObject({ type: 'validation_error', code: 'validation_error' });
      expect(Object.keys(res.body.errors)).toContain(path);
    });

    it('404 partner_not_found; 401 without the admin key; 403 with a partner key', async () => {
      expect((await search('NOPE', {}).expect(404)).body.code).toBe('partner_not_found');
      expect((await request(t.http).get('/admin/partners/ADB/bookings').expect(401)).body.code).toBe('admin_key_invalid');
      await request(t.http).get(`/admin/partners/ADB/bookings/${booked[0].id}`).expect(401);
      await request(t.http).post(`/admin/partners/ADB/bookings/${booked[0].id}/cancel`).send({ preview: true }).expect(401);
      await request(t.http).get('/admin/partners/ADB/bookings').set('X-Api-Key', key).expect(403);
    });
  });

  describe('GET /admin/partners/{code}/bookings/{booking_id}', () => {
    it('reads the booking as the partner API does', async () => {
      const res = await request(t.http).get(`/admin/partners/ADB/bookings/${booked[2].id}`).set(ADMIN).expect(200);
      const partnerRead = await request(t.http).get(`/x/partners/ADB/bookings/${booked[2].id}/`).set('X-Api-Key', key).expect(200);
      expect(res.body).toEqual(partnerRead.body);
    });

    it("404 booking_not_found for another partner's booking or an unknown one", async () => {
      expect((await request(t.http).get(`/admin/partners/ADB/bookings/${other.id}`).set(ADMIN).expect(404)).body.code).toBe('booking_not_found');
      expect((await request(t.http).get('/admin/partners/ADB/bookings/AAAAA-AAAAA-INS').set(ADMIN).expect(404)).body.code).toBe('booking_not_found');
    });
  });

  describe("cancel in the operator's name", () => {
    it('previews the cancellation, then confirms it: the booking is CANCELLED and its events name the admin key', async () => {
      const target = booked[3];
      const path = `/admin/partners/ADB/bookings/${target.id}`;
      const preview = await request(t.http).post(`${path}/cancel`).set(ADMIN).send({ preview: true }).expect(200);
      expect(preview.body).toMatchObject({ id: target.id, status: 'CANCELLED', cancellation_id: expect.stringMatching(/-CCL$/) });
      expect(typeof preview.body.confirm_before).toBe('string');
      expect(preview.body.total_refund).toBeGreaterThan(0);
      // nothing changed yet
      expect((await request(t.http).get(path).set(ADMIN).expect(200)).body.status).toBe('CONFIRMED');

      const done = await request(t.http).post(`${path}/confirm_cancellation/${preview.body.cancellation_id}`).set(ADMIN).send({}).expect(200);
      expect(done.body).toMatchObject({ id: target.id, status: 'CANCELLED', total_refund: preview.body.total_refund });
      expect(done.body.quotes.every((q: { status: string }) => q.status === 'CANCELLED')).toBe(true);
      const partnerRead = await request(t.http).get(`/x/partners/ADB/bookings/${target.id}/`).set('X-Api-Key', key).expect(200);
      expect(partnerRead.body.status).toBe('CANCELLED');
      expect((await request(t.http).get(path).set(ADMIN).expect(200)).body).toEqual(partnerRead.body);

      const events = (await request(t.http).get(`${path}/events`).set(ADMIN).expect(200)).body as Array<{ type: string; actor: Record<string, string> }>;
      expect(events.map((e) => e.type)).toEqual(['booking.created', 'booking.cancelled']);
      expect(events[1].actor).toEqual({ admin_key_id: 'bootstrap' });

      const audit = await request(t.http).get('/admin/audit').query({ partner_code: 'ADB', action: 'booking.cancel' }).set(ADMIN).expect(200);
      expect(audit.body.items).toEqual([
        expect.objectContaining({ actor: 'bootstrap', action: 'booking.cancel', target_type: 'booking', target_id: target.id }),
      ]);

      // the preview applies once
      const again = await request(t.http).post(`${path}/confirm_cancellation/${preview.body.cancellation_id}`).set(ADMIN).send({}).expect(422);
      expect(['booking_already_cancelled', 'cancellation_stale']).toContain(again.body.code);
    });

    it("cancels at once without a preview, with the partner route's validation", async () => {
      const target = booked[4];
      const path = `/admin/partners/ADB/bookings/${target.id}/cancel`;
      const bad = await request(t.http)
        .post(path)
        .set(ADMIN)
        .send({ quotes: [{ id: 'not-a-quote' }] })
        .expect(422);
      expect(bad.body.code).toBe('booking_validation_error');
      const done = await request(t.http).post(path).set(ADMIN).send({ cancellation_reason: 'customer called' }).expect(200);
      expect(done.body.status).toBe('CANCELLED');
      const twice = await request(t.http).post(path).set(ADMIN).send({}).expect(422);
      expect(twice.body.code).toBe('booking_already_cancelled');
    });

    it('replays a change made with the same idempotency key (409, Idempotent-Replayed)', async () => {
      const path = `/admin/partners/ADB/bookings/${booked[1].id}/cancel`;
      const first = await request(t.http).post(path).set(ADMIN).set('X-Idempotency-Key', 'admin-cancel-1').send({}).expect(200);
      const replay = await request(t.http).post(path).set(ADMIN).set('X-Idempotency-Key', 'admin-cancel-1').send({}).expect(409);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
    });

    it("404 for another partner's booking: nothing changes", async () => {
      const res = await request(t.http).post(`/admin/partners/ADB/bookings/${other.id}/cancel`).set(ADMIN).send({}).expect(404);
      expect(res.body.code).toBe('booking_not_found');
      const preview = await request(t.http).post(`/admin/partners/ADC/bookings/${other.id}/cancel`).set(ADMIN).send({ preview: true }).expect(200);
      const cross = await request(t.http)
        .post(`/admin/partners/ADB/bookings/${other.id}/confirm_cancellation/${preview.body.cancellation_id}`)
        .set(ADMIN)
        .send({})
        .expect(404);
      expect(cross.body.code).toBe('booking_not_found');
      expect((await request(t.http).get(`/x/partners/ADC/bookings/${other.id}/`).set('X-Api-Key', otherKey).expect(200)).body.status).toBe('CONFIRMED');
    });
  });

  it('is documented in Swagger with its error answers', async () => {
    const doc = await request(t.http).get('/docs-json').expect(200);
    const paths = doc.body.paths as Record<string, Record<string, { responses: Record<string, unknown>; parameters?: Array<{ name: string }> }>>;
    const list = paths['/admin/partners/{code}/bookings']?.get;
    expect(list.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['code', 'q', 'limit']));
    expect(Object.keys(list.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '404', '422']));
    expect(Object.keys(paths['/admin/partners/{code}/bookings/{booking_id}']?.get.responses)).toEqual(expect.arrayContaining(['200', '401', '404']));
    expect(Object.keys(paths['/admin/partners/{code}/bookings/{booking_id}/cancel']?.post.responses)).toEqual(
      expect.arrayContaining(['200', '401', '404', '409', '422', '423']),
    );
    expect(Object.keys(paths['/admin/partners/{code}/bookings/{booking_id}/confirm_cancellation/{cancellation_id}']?.post.responses)).toEqual(
      expect.arrayContaining(['200', '401', '404', '409', '422', '423']),
    );
  });
});
