import request from 'supertest';
import { DataSource } from 'typeorm';
import { WebhookDeliveryEntity, WebhookEndpointEntity, WebhookEndpointsService } from '@app/webhooks';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/app';
import { HOUR_MS, TestClock } from '../support/test-clock';

const ENC_KEY = Buffer.alloc(32, 7);
const admin = { 'X-Admin-Key': TEST_ADMIN_KEY };
/** a public IP literal: accepted with the allow settings off, and no DNS needed */
const PUBLIC_URL = 'https://93.184.216.34/hooks/offers';
const ENDPOINT_KEYS = ['created_at', 'description', 'disabled_reason', 'events', 'format', 'id', 'previous_secret_expires_at', 'status', 'updated_at', 'url'];
const DELIVERY_KEYS = ['attempts', 'created_at', 'delivered_at', 'event_id', 'id', 'last_error', 'last_status_code', 'next_attempt_at', 'status', 'type'];

interface Created {
  id: string;
  secret: string;
  url: string;
  created_at: string;
}

async function createPartners(t: TestApp, ...codes: string[]): Promise<void> {
  for (const code of codes) await request(t.http).post('/admin/partners').set(admin).send({ code, name: code }).expect(201);
}

async function create(t: TestApp, body: Record<string, unknown>, code = 'ACME'): Promise<Created> {
  const res = await request(t.http).post(`/admin/partners/${code}/webhooks`).set(admin).send(body);
  if (res.status !== 201) throw new Error(`create → ${res.status} ${res.text}`);
  return res.body as Created;
}

/** the stored row, read straight from the database */
async function storedRow(t: TestApp, id: string): Promise<{ secret: string; previous_secret: string | null } | undefined> {
  return t.app
    .get(DataSource)
    .createQueryBuilder()
    .select('e.secret', 'secret')
    .addSelect('e.previous_secret', 'previous_secret')
    .from('webhook_endpoints', 'e')
    .where('e.id = :id', { id })
    .getRawOne();
}

async function countDeliveries(t: TestApp, endpointId: string, status?: string): Promise<number> {
  const q = t.app
    .get(DataSource)
    .createQueryBuilder()
    .select('COUNT(*)', 'n')
    .from('webhook_deliveries', 'd')
    .where('d.endpoint_id = :endpointId', { endpointId });
  if (status) q.andWhere('d.status = :status', { status });
  return Number((await q.getRawOne<{ n: string | number }>())?.n ?? 0);
}

describe('admin: webhook endpoints (e2e)', () => {
  let t: TestApp;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startTestApp({ appEncryptionKey: ENC_KEY, webhookAllowHttp: false, webhookAllowPrivateNetworks: false }, clock);
    await createPartners(t, 'ACME', 'OTHER', 'LIMITED');
  });
  afterAll(async () => t.close());
  afterEach(() => clock.release());

  it('POST creates an endpoint: 201 with a whsec_ secret shown once, stored only sealed', async () => {
    const res = await request(t.http)
      .post('/admin/partners/ACME/webhooks')
      .set(admin)
      .send({ url: 'HTTPS://93.184.216.34:443/hooks/../offers?tenant=7', events: ['booking.created', 'booking.cancelled'], description: 'back office' })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: 'https://93.184.216.34/offers?tenant=7',
      events: ['booking.created', 'booking.cancelled'],
      description: 'back office',
      format: 'standard',
      status: 'enabled',
      disabled_reason: null,
      previous_secret_expires_at: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(Buffer.from(res.body.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);

    const row = await storedRow(t, res.body.id);
    expect(row?.secret).toMatch(/^v1\./);
    expect(row?.secret).not.toContain(res.body.secret);
    expect(row?.secret).not.toContain(res.body.secret.slice('whsec_'.length, 30));
    expect(row?.previous_secret).toBeNull();

    const xcover = await create(t, { url: PUBLIC_URL, events: ['booking.updated'], format: 'xcover' });
    expect(xcover).toMatchObject({ format: 'xcover', description: null });
    expect(xcover.secret).not.toBe(res.body.secret);
  });

  it('the secret is never returned again: GET list, GET one, PATCH', async () => {
    const created = await create(t, { url: PUBLIC_URL, events: ['booking.created'] });
    const list = await request(t.http).get('/admin/partners/ACME/webhooks').set(admin).expect(200);
    const one = await request(t.http).get(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).expect(200);
    const patched = await request(t.http).patch(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).send({ description: 'renamed' }).expect(200);
    for (const text of [list.text, one.text, patched.text]) {
      expect(text).not.toContain(created.secret);
      expect(text).not.toContain('whsec_');
      expect(text).not.toMatch(/"(secret|previous_secret)"/);
      expect(text).not.toContain('v1.');
    }
    expect(Array.isArray(list.body)).toBe(true);
    for (const e of list.body) expect(Object.keys(e).sort()).toEqual(ENDPOINT_KEYS);
    expect(Object.keys(one.body).sort()).toEqual(ENDPOINT_KEYS);
    const { secret: _secret, ...view } = created;
    expect(one.body).toEqual({ ...view, updated_at: one.body.updated_at });
    expect(patched.body).toMatchObject({ id: created.id, description: 'renamed' });
  });

  it('GET lists oldest first', async () => {
    await createPartners(t, 'ORDERED');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create(t, { url: `${PUBLIC_URL}/${i}`, events: ['booking.created'] }, 'ORDERED')).id);
    const list = await request(t.http).get('/admin/partners/ORDERED/webhooks').set(admin).expect(200);
    expect(list.body.map((e: { id: string }) => e.id)).toEqual(ids);
  });

  it.each([
    ['http (not https)', 'http://93.184.216.34/hook'],
    ['loopback 127.0.0.1', 'https://127.0.0.1/hook'],
    ['localhost', 'https://localhost/hook'],
    ['a localhost subdomain', 'https://api.localhost:8443/hook'],
    ['IPv6 loopback [::1]', 'https://[::1]/hook'],
    ['private 10.x', 'https://10.0.0.5/hook'],
    ['private 192.168.x', 'https://192.168.1.1/hook'],
    ['link-local cloud metadata 169.254.169.254', 'https://169.254.169.254/latest/meta-data'],
    ['a private literal in decimal form (10.0.0.1)', 'https://167772161/hook'],
    ['loopback in decimal form (127.0.0.1)', 'https://2130706433/hook'],
    ['loopback in hex form', 'https://0x7f000001/hook'],
    ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hook'],
    ['unspecified 0.0.0.0', 'https://0.0.0.0/hook'],
    ['another scheme', 'ftp://93.184.216.34/hook'],
    ['credentials', 'https://user:pw@93.184.216.34/hook'],
    ['not a URL', 'hooks.example.com'],
    ['an empty URL', ''],
  ])('POST refuses %s → 422 webhook_url_invalid, without echoing the query string', async (_what, url) => {
    const withQuery = url.includes('/') && !url.startsWith('ftp') ? `${url}?token=t0ps3cret` : url;
    const res = await request(t.http)
      .post('/admin/partners/ACME/webhooks')
      .set(admin)
      .send({ url: withQuery, events: ['booking.created'] })
      .expect(422);
    expect(res.body.code).toBe('webhook_url_invalid');
    expect(res.body.errors).toEqual({ url: [res.body.message] });
    expect(res.text).not.toContain('t0ps3cret');
  });

  it('a URL refusal names the reason', async () => {
    const res = await request(t.http)
      .post('/admin/partners/ACME/webhooks')
      .set(admin)
      .send({ url: 'https://167772161/', events: ['booking.created'] })
      .expect(422);
    expect(res.body.message).toBe('The URL host 10.0.0.1 is a private address.');
    const http = await request(t.http)
      .post('/admin/partners/ACME/webhooks')
      .set(admin)
      .send({ url: 'http://93.184.216.34/', events: ['booking.created'] })
      .expect(422);
    expect(http.body.message).toMatch(/https/);
  });

  it.each([
    ['no events', { url: PUBLIC_URL }, 'events'],
    ['empty events', { url: PUBLIC_URL, events: [] }, 'events'],
    ['an unknown event', { url: PUBLIC_URL, events: ['booking.created', 'booking.deleted'] }, 'events'],
    ['webhook.test as a subscription', { url: PUBLIC_URL, events: ['webhook.test'] }, 'events'],
    ['a repeated event', { url: PUBLIC_URL, events: ['booking.created', 'booking.created'] }, 'events'],
    ['events not an array', { url: PUBLIC_URL, events: 'booking.created' }, 'events'],
    ['no url', { events: ['booking.created'] }, 'url'],
    ['a non-string url', { url: 42, events: ['booking.created'] }, 'url'],
    ['an unknown format', { url: PUBLIC_URL, events: ['booking.created'], format: 'json' }, 'format'],
    ['a null format', { url: PUBLIC_URL, events: ['booking.created'], format: null }, 'format'],
    ['a too long description', { url: PUBLIC_URL, events: ['booking.created'], description: 'x'.repeat(501) }, 'description'],
    ['an unknown field', { url: PUBLIC_URL, events: ['booking.created'], secret: 'whsec_mine' }, 'secret'],
  ])('POST with %s → 422 validation_error with its path', async (_what, body, path) => {
    const res = await request(t.http).post('/admin/partners/ACME/webhooks').set(admin).send(body).expect(422);
    expect(res.body.code).toBe('validation_error');
    expect(Object.keys(res.body.errors)).toContain(path);
  });

  it('at most 20 endpoints per partner → 422 webhook_limit_reached; deleting one makes room', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await create(t, { url: `${PUBLIC_URL}/${i}`, events: ['booking.created'] }, 'LIMITED')).id);
    const res = await request(t.http)
      .post('/admin/partners/LIMITED/webhooks')
      .set(admin)
      .send({ url: PUBLIC_URL, events: ['booking.created'] })
      .expect(422);
    expect(res.body.code).toBe('webhook_limit_reached');
    const list = await request(t.http).get('/admin/partners/LIMITED/webhooks').set(admin).expect(200);
    expect(list.body).toHaveLength(20);
    await request(t.http).delete(`/admin/partners/LIMITED/webhooks/${ids[0]}`).set(admin).expect(204);
    await create(t, { url: PUBLIC_URL, events: ['booking.created'] }, 'LIMITED');
  });

  it('PATCH changes url (re-checked), events, description and status; enabling clears disabled_reason', async () => {
    clock.pin('2026-05-01T10:00:00.000Z');
    const created = await create(t, { url: PUBLIC_URL, events: ['booking.created'], description: 'before' });
    clock.pin('2026-05-01T11:00:00.000Z');
    const res = await request(t.http)
      .patch(`/admin/partners/ACME/webhooks/${created.id}`)
      .set(admin)
      .send({ url: 'https://93.184.216.34/v2', events: ['booking.cancelled', 'offer.opted_out'], description: null, status: 'disabled' })
      .expect(200);
    expect(res.body).toMatchObject({
      id: created.id,
      url: 'https://93.184.216.34/v2',
      events: ['booking.cancelled', 'offer.opted_out'],
      description: null,
      format: 'standard',
      status: 'disabled',
      disabled_reason: null,
      created_at: '2026-05-01T10:00:00.000Z',
      updated_at: '2026-05-01T11:00:00.000Z',
    });

    const bad = await request(t.http).patch(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).send({ url: 'https://10.1.1.1/x' }).expect(422);
    expect(bad.body.code).toBe('webhook_url_invalid');
    for (const [body, path] of [
      [{ events: [] }, 'events'],
      [{ events: ['nope'] }, 'events'],
      [{ status: 'paused' }, 'status'],
      [{ status: null }, 'status'],
      [{ format: 'xcover' }, 'format'],
    ] as const) {
      const r = await request(t.http).patch(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).send(body).expect(422);
      expect(r.body.code).toBe('validation_error');
      expect(Object.keys(r.body.errors)).toContain(path);
    }

    // the dispatcher disables it (a 410 Gone); enabling by hand clears the reason
    await request(t.http).patch(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).send({ status: 'enabled' }).expect(200);
    expect(await t.app.get(WebhookEndpointsService).disable(created.id, 'the receiver answered 410 Gone', clock.now())).toBe(true);
    const disabled = await request(t.http).get(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).expect(200);
    expect(disabled.body).toMatchObject({ status: 'disabled', disabled_reason: 'the receiver answered 410 Gone' });
    const enabled = await request(t.http).patch(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).send({ status: 'enabled' }).expect(200);
    expect(enabled.body).toMatchObject({ status: 'enabled', disabled_reason: null, url: 'https://93.184.216.34/v2' });
  });

  it('DELETE → 204 and removes the endpoint with its deliveries', async () => {
    const created = await create(t, { url: PUBLIC_URL, events: ['booking.created'] });
    const keep = await create(t, { url: PUBLIC_URL, events: ['booking.created'] });
    for (let i = 0; i < 2; i++) await request(t.http).post(`/admin/partners/ACME/webhooks/${created.id}/test`).set(admin).expect(202);
    await request(t.http).post(`/admin/partners/ACME/webhooks/${keep.id}/test`).set(admin).expect(202);
    expect(await countDeliveries(t, created.id, 'pending')).toBe(2);

    const del = await request(t.http).delete(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).expect(204);
    expect(del.text).toBe('');
    expect(await countDeliveries(t, created.id)).toBe(0);
    expect(await countDeliveries(t, keep.id)).toBe(1);
    const gone = await request(t.http).get(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).expect(404);
    expect(gone.body.code).toBe('webhook_not_found');
    await request(t.http).delete(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).expect(404);
  });

  it('rotate-secret → 200 a new secret once; the previous one signs for 24 h', async () => {
    const created = await create(t, { url: PUBLIC_URL, events: ['booking.created'] });
    const before = await storedRow(t, created.id);
    clock.pin('2026-06-01T08:30:00.000Z');
    const res = await request(t.http).post(`/admin/partners/ACME/webhooks/${created.id}/rotate-secret`).set(admin).expect(200);
    expect(res.body).toEqual({
      id: created.id,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      previous_secret_expires_at: new Date(Date.parse('2026-06-01T08:30:00.000Z') + 24 * HOUR_MS).toISOString(),
    });
    expect(res.body.secret).not.toBe(created.secret);

    const after = await storedRow(t, created.id);
    expect(after?.previous_secret).toBe(before?.secret); // the old envelope, kept as it was
    expect(after?.secret).not.toBe(before?.secret);
    expect(after?.secret).not.toContain(res.body.secret);

    const one = await request(t.http).get(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).expect(200);
    expect(one.body.previous_secret_expires_at).toBe('2026-06-02T08:30:00.000Z');
    expect(one.text).not.toContain(res.body.secret);

    // what the dispatcher signs with: both, newest first, until the expiry
    const row = await t.app.get(DataSource).getRepository(WebhookEndpointEntity).findOneByOrFail({ id: created.id });
    const service = t.app.get(WebhookEndpointsService);
    expect(service.openSecrets(row, new Date('2026-06-02T08:29:59.999Z'))).toEqual([res.body.secret, created.secret]);
    expect(service.openSecrets(row, new Date('2026-06-02T08:30:00.000Z'))).toEqual([res.body.secret]);
  });

  it('deliveries: test events listed newest first, paged with absolute links, filtered, redelivered', async () => {
    const created = await create(t, { url: PUBLIC_URL, events: ['booking.created'] });
    clock.pin('2026-07-01T00:00:00.000Z');
    const tests: Array<{ delivery_id: string; event_id: string }> = [];
    for (let i = 0; i < 3; i++) {
      const r = await request(t.http).post(`/admin/partners/ACME/webhooks/${created.id}/test`).set(admin).expect(202);
      expect(r.body).toEqual({ delivery_id: expect.any(String), event_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      tests.push(r.body);
      clock.advance(60_000);
    }
    const base = `/admin/partners/ACME/webhooks/${created.id}/deliveries`;
    const first = await request(t.http).get(`${base}?limit=2`).set(admin).expect(200);
    expect(first.body.count).toBe(3);
    expect(first.body.previous).toBeNull();
    expect(first.body.next).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${base}\\?limit=2&offset=2$`));
    expect(first.body.results.map((d: { id: string }) => d.id)).toEqual([tests[2].delivery_id, tests[1].delivery_id]);
    for (const d of first.body.results) expect(Object.keys(d).sort()).toEqual(DELIVERY_KEYS);
    expect(first.body.results[0]).toEqual({
      id: tests[2].delivery_id,
      event_id: tests[2].event_id,
      type: 'webhook.test',
      status: 'pending',
      attempts: 0,
      last_status_code: null,
      last_error: null,
      next_attempt_at: '2026-07-01T00:02:00.000Z',
      delivered_at: null,
      created_at: '2026-07-01T00:02:00.000Z',
    });
    const second = await request(t.http)
      .get(new URL(first.body.next).pathname + new URL(first.body.next).search)
      .set(admin)
      .expect(200);
    expect(second.body.results.map((d: { id: string }) => d.id)).toEqual([tests[0].delivery_id]);
    expect(second.body.next).toBeNull();
    expect(second.body.previous).toMatch(/\?limit=2&offset=0$/);

    // a failed delivery (as the dispatcher leaves it), redelivered: due now again, its history kept
    await t.app
      .get(DataSource)
      .getRepository(WebhookDeliveryEntity)
      .update({ id: tests[0].delivery_id }, { status: 'failed', attempts: 12, lastStatusCode: 503, lastError: 'the receiver answered 503' });
    const failed = await request(t.http).get(`${base}?status=failed`).set(admin).expect(200);
    expect(failed.body).toMatchObject({ count: 1, next: null, previous: null });
    expect(failed.body.results[0]).toMatchObject({ id: tests[0].delivery_id, status: 'failed', attempts: 12, last_status_code: 503, next_attempt_at: null });

    clock.pin('2026-07-02T09:00:00.000Z');
    const redo = await request(t.http).post(`${base}/${tests[0].delivery_id}/redeliver`).set(admin).expect(202);
    expect(redo.body).toEqual({ id: tests[0].delivery_id, status: 'pending' });
    const pending = await request(t.http).get(`${base}?status=pending&limit=10`).set(admin).expect(200);
    expect(pending.body.count).toBe(3);
    expect(pending.body.results.find((d: { id: string }) => d.id === tests[0].delivery_id)).toMatchObject({
      status: 'pending',
      attempts: 12,
      next_attempt_at: '2026-07-02T09:00:00.000Z',
    });
    expect((await request(t.http).get(`${base}?status=failed`).set(admin).expect(200)).body.count).toBe(0);

    const missing = await request(t.http).post(`${base}/00000000-0000-0000-0000-000000000000/redeliver`).set(admin).expect(404);
    expect(missing.body.code).toBe('webhook_delivery_not_found');

    for (const q of ['status=done', 'limit=0', 'limit=101', 'offset=-1', 'limit=x', 'limit=1&limit=2']) {
      const r = await request(t.http).get(`${base}?${q}`).set(admin).expect(422);
      expect(r.body.code).toBe('validation_error');
    }
  });

  it('test → 422 webhook_disabled on a disabled endpoint', async () => {
    const created = await create(t, { url: PUBLIC_URL, events: ['booking.created'] });
    await request(t.http).patch(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).send({ status: 'disabled' }).expect(200);
    const res = await request(t.http).post(`/admin/partners/ACME/webhooks/${created.id}/test`).set(admin).expect(422);
    expect(res.body.code).toBe('webhook_disabled');
    expect(await countDeliveries(t, created.id)).toBe(0);
  });

  it("another partner's endpoint (or an unknown id) → 404 webhook_not_found on every route", async () => {
    const theirs = await create(t, { url: PUBLIC_URL, events: ['booking.created'] }, 'OTHER');
    const test = await request(t.http).post(`/admin/partners/OTHER/webhooks/${theirs.id}/test`).set(admin).expect(202);
    const unknown = '00000000-0000-0000-0000-000000000000';
    for (const id of [theirs.id, unknown]) {
      const base = `/admin/partners/ACME/webhooks/${id}`;
      const calls = [
        request(t.http).get(base).set(admin),
        request(t.http).patch(base).set(admin).send({ description: 'mine' }),
        request(t.http).delete(base).set(admin),
        request(t.http).post(`${base}/rotate-secret`).set(admin),
        request(t.http).get(`${base}/deliveries`).set(admin),
        request(t.http).post(`${base}/deliveries/${test.body.delivery_id}/redeliver`).set(admin),
        request(t.http).post(`${base}/test`).set(admin),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('webhook_not_found');
      }
    }
    // a delivery of another endpoint through this one's route
    const mine = await create(t, { url: PUBLIC_URL, events: ['booking.created'] });
    const cross = await request(t.http).post(`/admin/partners/ACME/webhooks/${mine.id}/deliveries/${test.body.delivery_id}/redeliver`).set(admin).expect(404);
    expect(cross.body.code).toBe('webhook_delivery_not_found');

    const still = await request(t.http).get(`/admin/partners/OTHER/webhooks/${theirs.id}`).set(admin).expect(200);
    expect(still.body.description).toBeNull();
    const nope = await request(t.http).get('/admin/partners/NOPE/webhooks').set(admin).expect(404);
    expect(nope.body.code).toBe('partner_not_found');
  });

  it('401 without an admin key, or with a wrong one', async () => {
    const created = await create(t, { url: PUBLIC_URL, events: ['booking.created'] });
    const calls = [
      request(t.http)
        .post('/admin/partners/ACME/webhooks')
        .send({ url: PUBLIC_URL, events: ['booking.created'] }),
      request(t.http).get('/admin/partners/ACME/webhooks'),
      request(t.http).get(`/admin/partners/ACME/webhooks/${created.id}`).set('X-Admin-Key', 'wrong-key-0123456789abcdef0123'),
      request(t.http).patch(`/admin/partners/ACME/webhooks/${created.id}`).send({ status: 'disabled' }),
      request(t.http).delete(`/admin/partners/ACME/webhooks/${created.id}`),
      request(t.http).post(`/admin/partners/ACME/webhooks/${created.id}/rotate-secret`),
      request(t.http).get(`/admin/partners/ACME/webhooks/${created.id}/deliveries`),
      request(t.http).post(`/admin/partners/ACME/webhooks/${created.id}/test`),
    ];
    for (const res of await Promise.all(calls)) expect(res.status).toBe(401);
    expect((await request(t.http).get(`/admin/partners/ACME/webhooks/${created.id}`).set(admin).expect(200)).body.status).toBe('enabled');
  });

  it('every change is audited with the partner and endpoint id, never a secret', async () => {
    await createPartners(t, 'AUDITED');
    const created = await create(t, { url: 'https://93.184.216.34/in?token=querytok', events: ['booking.created'] }, 'AUDITED');
    const base = `/admin/partners/AUDITED/webhooks/${created.id}`;
    const rotated = await request(t.http).post(`${base}/rotate-secret`).set(admin).expect(200);
    await request(t.http).patch(base).set(admin).send({ description: 'changed' }).expect(200);
    const test = await request(t.http).post(`${base}/test`).set(admin).expect(202);
    await request(t.http).post(`${base}/deliveries/${test.body.delivery_id}/redeliver`).set(admin).expect(202);
    await request(t.http).delete(base).set(admin).expect(204);

    const res = await request(t.http).get('/admin/audit?partner_code=AUDITED').set(admin).expect(200);
    const actions = res.body.items.map((e: { action: string }) => e.action).reverse();
    expect(actions).toEqual([
      'partner.create',
      'webhook.create',
      'webhook.rotate_secret',
      'webhook.update',
      'webhook.test',
      'webhook.redeliver',
      'webhook.delete',
    ]);
    for (const e of res.body.items.filter((i: { action: string }) => i.action.startsWith('webhook.'))) {
      expect(e).toMatchObject({ partner_code: 'AUDITED', target_type: 'webhook_endpoint', target_id: created.id, actor: 'bootstrap' });
    }
    const createEntry = res.body.items.find((e: { action: string }) => e.action === 'webhook.create');
    expect(createEntry.after).toEqual({
      id: created.id,
      url: 'https://93.184.216.34/in?…',
      events: ['booking.created'],
      description: null,
      format: 'standard',
      status: 'enabled',
      disabled_reason: null,
    });
    for (const secret of [created.secret, rotated.body.secret]) {
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toContain(secret.slice('whsec_'.length, 30));
    }
    expect(res.text).not.toContain('whsec_');
    expect(res.text).not.toContain('v1.');
    expect(res.text).not.toContain('querytok');
  });
});

describe('admin: webhook endpoints with private targets allowed (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ appEncryptionKey: ENC_KEY, webhookAllowHttp: true, webhookAllowPrivateNetworks: true });
    await createPartners(t, 'ACME');
  });
  afterAll(async () => t.close());

  it.each([
    'http://127.0.0.1:4567/hook',
    'http://localhost:4567/hook',
    'http://[::1]:4567/hook',
    'https://10.0.0.5/hook',
    'http://169.254.169.254/x',
    'http://2130706433:4567/',
  ])('accepts %s', async (url) => {
    const created = await create(t, { url, events: ['booking.created'] });
    expect(created.url).toBe(new URL(url).href);
  });

  it('still refuses unspecified addresses and other schemes', async () => {
    for (const url of ['http://0.0.0.0/', 'ftp://127.0.0.1/']) {
      const res = await request(t.http)
        .post('/admin/partners/ACME/webhooks')
        .set(admin)
        .send({ url, events: ['booking.created'] })
        .expect(422);
      expect(res.body.code).toBe('webhook_url_invalid');
    }
  });
});

describe('admin: webhook endpoints without APP_ENCRYPTION_KEY (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ appEncryptionKey: undefined, appEncryptionKeysOld: [] });
    await createPartners(t, 'ACME');
  });
  afterAll(async () => t.close());

  it('create → 422 encryption_key_missing, nothing stored; the list still answers', async () => {
    const res = await request(t.http)
      .post('/admin/partners/ACME/webhooks')
      .set(admin)
      .send({ url: PUBLIC_URL, events: ['booking.created'] })
      .expect(422);
    expect(res.body.code).toBe('encryption_key_missing');
    expect((await request(t.http).get('/admin/partners/ACME/webhooks').set(admin).expect(200)).body).toEqual([]);
  });
});
