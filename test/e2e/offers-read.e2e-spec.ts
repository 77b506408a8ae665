/**
 * Idempotent Create Offer (x-idempotency-key) and the read endpoints: stored offers and schemas.
 */
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/app';
import { createKey, createOffer, GOLD_SCHEMA, goldBundle, goldRequest, putBundle } from '../support/offer-bundles';
import { storedOfferTexts } from '../support/stored-json';
import { TestClock } from '../support/test-clock';

describe('idempotent Create Offer and reads (e2e)', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  const clock = new TestClock();

  const offerCount = async (): Promise<number> => {
    const rows = await t.app.get(DataSource).query<Array<{ n: number | string }>>('SELECT COUNT(*) AS n FROM offers');
    return Number(rows[0].n);
  };
  const quoteCount = async (offerId: string): Promise<number> => {
    const ds = t.app.get(DataSource);
    const param = ds.options.type === 'postgres' ? '$1' : '?';
    const rows = await ds.query<Array<{ n: number | string }>>(`SELECT COUNT(*) AS n FROM quotes WHERE offer_id = ${param}`, [offerId]);
    return Number(rows[0].n);
  };
  const withKey = (idem: string, body: unknown, query = '', k = key) => createOffer(t.http, 'GOLD', k, body, query).set('x-idempotency-key', idem);

  beforeAll(async () => {
    t = await startTestApp({}, clock);
    const gold = goldBundle('GOLD');
    gold.offer_configs.push({
      id: 'short-lived',
      name: 'Short',
      schema: 'gold:v1',
      status: 'active',
      when: "context.kind == 'nomatch'",
      offer_ttl: '1s',
      products: [{ code: 'S', name: 'S', pricing: { premium: '1.0' } }],
    });
    await putBundle(t.http, gold);
    await putBundle(t.http, goldBundle('OTHER'));
    key = (await createKey(t.http, 'GOLD', 'live')).key;
    otherKey = (await createKey(t.http, 'OTHER', 'live')).key;
  });
  afterAll(async () => t.close());
  afterEach(() => clock.release());

  describe('x-idempotency-key', () => {
    it('same key and body: the first response replayed (200, Idempotent-Replayed: true, same offer id), one offer stored', async () => {
      const before = await offerCount();
      const first = await withKey('idem-1', goldRequest({ premium: 42 }), 'extra_fields=tax').expect(200);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const second = await withKey('idem-1', goldRequest({ premium: 42 }), 'extra_fields=tax').expect(200);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual(first.body);
      expect(second.body.id).toBe(first.body.id);
      // surrounding whitespace in the header is not part of the key
      const third = await withKey('  idem-1 ', goldRequest({ premium: 42 }), 'extra_fields=tax').expect(200);
      expect(third.body.id).toBe(first.body.id);

      expect(await offerCount()).toBe(before + 1);
      expect(await quoteCount(first.body.id)).toBe(2);
      const stored = await request(t.http).get(`/x/partners/GOLD/offers/${first.body.id}/`).set('X-Api-Key', key).expect(200);
      expect(stored.body.id).toBe(first.body.id);
    });

    it('the same body with key order changed is the same request', async () => {
      const first = await withKey('idem-order', {
        schema: 'gold:v1',
        customer: { currency: 'AUD', language: 'en' },
        context: { premium: 7, tax_rate: 0.1 },
      }).expect(200);
      const second = await withKey('idem-order', {
        context: { tax_rate: 0.1, premium: 7 },
        customer: { language: 'en', currency: 'AUD' },
        schema: 'gold:v1',
      }).expect(200);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body.id).toBe(first.body.id);
    });

    it('same key, different body → 422 idempotency_key_reused, nothing stored', async () => {
      await withKey('idem-2', goldRequest({ premium: 10 })).expect(200);
      const before = await offerCount();
      const res = await withKey('idem-2', goldRequest({ premium: 11 }));
      expect(res.status).toBe(422);
      expect(res.body).toEqual(expect.objectContaining({ code: 'idempotency_key_reused', type: expect.any(String), message: expect.any(String) }));
      expect(await offerCount()).toBe(before);
    });

    it('a failed request (422) does not hold the key: the fixed request with the same key succeeds', async () => {
      const bad = await withKey('idem-3', { schema: 'gold:v1', customer: { currency: 'AUD' }, context: {} });
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe('offer_validation_error');
      const good = await withKey('idem-3', goldRequest({ premium: 12 })).expect(200);
      expect(good.headers['idempotent-replayed']).toBeUndefined();
      // a 404 does not hold it either
      expect((await withKey('idem-4', goldRequest({ kind: 'when-error' }))).status).toBe(422);
      expect((await withKey('idem-4', goldRequest())).status).toBe(200);
    });

    it('keys are scoped per partner', async () => {
      const mine = await withKey('idem-shared', goldRequest({ premium: 30 })).expect(200);
      const theirs = await createOffer(t.http, 'OTHER', otherKey, goldRequest({ premium: 30 }))
        .set('x-idempotency-key', 'idem-shared')
        .expect(200);
      expect(theirs.headers['idempotent-replayed']).toBeUndefined();
      expect(theirs.body.id).not.toBe(mine.body.id);
    });

    it('two concurrent requests with one key: one offer; the other is a replay or 423 idempotency_in_progress', async () => {
      const before = await offerCount();
      const [a, b] = await Promise.all([withKey('idem-race', goldRequest({ premium: 31 })), withKey('idem-race', goldRequest({ premium: 31 }))]);
      const statuses = [a.status, b.status].sort();
      expect([
        [200, 200],
        [200, 423],
      ]).toContainEqual(statuses);
      const ok = [a, b].filter((r) => r.status === 200);
      expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
      for (const r of [a, b].filter((x) => x.status === 423)) expect(r.body.code).toBe('idempotency_in_progress');
      expect(await offerCount()).toBe(before + 1);
    });

    it('without a key every request creates an offer', async () => {
      const a = await createOffer(t.http, 'GOLD', key, goldRequest()).expect(200);
      const b = await createOffer(t.http, 'GOLD', key, goldRequest()).expect(200);
      expect(a.body.id).not.toBe(b.body.id);
    });
  });

  describe('GET offers/{id}', () => {
    it('returns the stored offer as created, with status OFFERED and booking_id null', async () => {
      const created = await createOffer(t.http, 'GOLD', key, goldRequest({ kind: 'rich', destination: 'Lima' }), 'extra_fields=tax,benefits').expect(200);
      for (const path of [`/x/partners/GOLD/offers/${created.body.id}/`, `/xcover/partners/GOLD/offers/${created.body.id}`]) {
        const res = await request(t.http).get(path).set('X-Api-Key', key).expect(200);
        expect(res.body).toEqual({ ...created.body, status: 'OFFERED', booking_id: null });
      }
    });

    it('stores the request as received (schema defaults not written into it) and the response text exactly as sent', async () => {
      const body = goldRequest({ destination: 'Oslo' });
      const res = await createOffer(t.http, 'GOLD', key, body).expect(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers.etag).toBeUndefined();
      expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ds = t.app.get(DataSource);
      const param = ds.options.type === 'postgres' ? '$1' : '?';
      const [row] = await ds.query<Array<{ request: unknown; response: unknown }>>(`SELECT request, response FROM offers WHERE id = ${param}`, [res.body.id]);
      const stored = storedOfferTexts(row);
      expect(JSON.parse(stored.request)).toEqual(body);
      // the defaults of gold:v1 (kind, tax_rate, flag…) were applied for pricing, not stored
      expect(JSON.parse(stored.request).context).not.toHaveProperty('flag');
      expect(stored.response).toBe(res.text);
      // packed on SQLite (deflated), JSON text on PostgreSQL
      expect(typeof row.response === 'string').toBe(ds.options.type === 'postgres');
    });

    it('unknown id → 404 offer_not_found; an id that is not a uuid too', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const res = await request(t.http).get(`/x/partners/GOLD/offers/${id}/`).set('X-Api-Key', key);
        expect(res.status).toBe(404);
        expect(res.body).toEqual(expect.objectContaining({ type: 'api_error', code: 'offer_not_found' }));
      }
    });

    it("another partner's offer id → 404 offer_not_found", async () => {
      const theirs = await createOffer(t.http, 'OTHER', otherKey, goldRequest()).expect(200);
      const res = await request(t.http).get(`/x/partners/GOLD/offers/${theirs.body.id}/`).set('X-Api-Key', key);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('offer_not_found');
      // and my key on their path is refused before anything is read
      expect((await request(t.http).get(`/x/partners/OTHER/offers/${theirs.body.id}/`).set('X-Api-Key', key)).status).toBe(403);
    });

    it('an offer past expires_at reads as EXPIRED', async () => {
      clock.pin(Date.now()); // no real expiry while the test runs
      const created = await createOffer(t.http, 'GOLD', key, goldRequest({ kind: 'nomatch' })).expect(200);
      expect(created.body.offer_config_id).toBe('short-lived');
      const read = () => request(t.http).get(`/x/partners/GOLD/offers/${created.body.id}/`).set('X-Api-Key', key).expect(200);
      clock.pin(Date.parse(created.body.expires_at) - 1);
      expect((await read()).body.status).toBe('OFFERED');
      clock.advance(1);
      expect((await read()).body.status).toBe('EXPIRED');
    });
  });

  describe('GET schemas', () => {
    it("lists the partner's schemas and reads one; unknown → 404", async () => {
      const list = await request(t.http).get('/x/partners/GOLD/schemas/').set('X-Api-Key', key).expect(200);
      expect(list.body).toEqual([{ id: 'gold:v1', description: 'Golden tests', json_schema: GOLD_SCHEMA }]);
      const one = await request(t.http).get('/x/partners/GOLD/schemas/gold:v1/').set('X-Api-Key', key).expect(200);
      expect(one.body).toEqual({ id: 'gold:v1', description: 'Golden tests', json_schema: GOLD_SCHEMA });
      const unknown = await request(t.http).get('/x/partners/GOLD/schemas/nope:v1').set('X-Api-Key', key);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(expect.objectContaining({ type: 'api_error', code: 'schema_not_found' }));
    });
  });
});
