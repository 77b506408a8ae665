import request from 'supertest';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/app';

type Http = TestApp['http'];

async function createPartner(http: Http, code: string, extra: Record<string, unknown> = {}): Promise<void> {
  await request(http)
    .post('/admin/partners')
    .set('X-Admin-Key', TEST_ADMIN_KEY)
    .send({ code, name: `${code} Ltd`, ...extra })
    .expect(201);
}

async function createKey(http: Http, code: string, mode: 'live' | 'test' = 'live'): Promise<{ id: string; key: string }> {
  const res = await request(http).post(`/admin/partners/${code}/api-keys`).set('X-Admin-Key', TEST_ADMIN_KEY).send({ mode }).expect(201);
  return { id: res.body.id as string, key: res.body.key as string };
}

const withoutErrorId = (body: Record<string, unknown>): Record<string, unknown> => {
  const { error_id: _ignored, ...rest } = body;
  return rest;
};

describe('partner API authentication (e2e)', () => {
  let t: TestApp;
  let acme: { id: string; key: string };
  let other: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp();
    await createPartner(t.http, 'ACME');
    await createPartner(t.http, 'OTHER');
    acme = await createKey(t.http, 'ACME');
    other = await createKey(t.http, 'OTHER', 'test');
  });
  afterAll(async () => t.close());

  it('a valid key reaches the route under every prefix, with or without a trailing slash', async () => {
    for (const path of ['/x/partners/ACME/key', '/xcover/partners/ACME/key', '/x/partners/ACME/key/']) {
      const res = await request(t.http).get(path).set('X-Api-Key', acme.key).expect(200);
      expect(res.body).toEqual({ partner_code: 'ACME', key_id: acme.id, mode: 'live' });
    }
    const test = await request(t.http).get('/x/partners/OTHER/key').set('X-Api-Key', other.key).expect(200);
    expect(test.body.mode).toBe('test');
  });

  it('missing, unknown and revoked keys get one identical 401 body, each with WWW-Authenticate', async () => {
    const doomed = await createKey(t.http, 'ACME');
    await request(t.http).get('/x/partners/ACME/key').set('X-Api-Key', doomed.key).expect(200);
    await request(t.http).delete(`/admin/partners/ACME/api-keys/${doomed.id}`).set('X-Admin-Key', TEST_ADMIN_KEY).expect(204);

    const missing = await request(t.http).get('/x/partners/ACME/key');
    const unknown = await request(t.http)
      .get('/x/partners/ACME/key')
      .set('X-Api-Key', `${acme.key.slice(0, -4)}AAAA`);
    const revoked = await request(t.http).get('/x/partners/ACME/key').set('X-Api-Key', doomed.key);
    for (const res of [missing, unknown, revoked]) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('ApiKey');
      expect(res.body.error_id).toBe(res.headers['x-request-id']);
    }
    expect(withoutErrorId(missing.body)).toEqual({ type: 'auth_error', code: 'api_key_invalid', message: expect.any(String) });
    expect(JSON.stringify(withoutErrorId(unknown.body))).toBe(JSON.stringify(withoutErrorId(missing.body)));
    expect(JSON.stringify(withoutErrorId(revoked.body))).toBe(JSON.stringify(withoutErrorId(missing.body)));
  });

  it('a revoked key fails on the very next request, even right after it was used (cached)', async () => {
    const k = await createKey(t.http, 'ACME');
    await request(t.http).get('/x/partners/ACME/key').set('X-Api-Key', k.key).expect(200);
    await request(t.http).get('/x/partners/ACME/key').set('X-Api-Key', k.key).expect(200);
    await request(t.http).delete(`/admin/partners/ACME/api-keys/${k.id}`).set('X-Admin-Key', TEST_ADMIN_KEY).expect(204);
    await request(t.http).get('/x/partners/ACME/key').set('X-Api-Key', k.key).expect(401);
  });

  it('never accepts a key from the query string', async () => {
    for (const q of [`api_key=${acme.key}`, `apiKey=${acme.key}`, `x-api-key=${acme.key}`, `key=${acme.key}`]) {
      const res = await request(t.http).get(`/x/partners/ACME/key?${q}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('api_key_invalid');
    }
  });

  it('a valid key on an unknown partner → 404 partner_not_found', async () => {
    const res = await request(t.http).get('/x/partners/NOPE/key').set('X-Api-Key', acme.key).expect(404);
    expect(res.body).toEqual(expect.objectContaining({ code: 'partner_not_found', type: 'api_error' }));
  });

  it("a valid key on another partner's path → 403 access_denied", async () => {
    const res = await request(t.http).get('/x/partners/OTHER/key').set('X-Api-Key', acme.key).expect(403);
    expect(res.body).toEqual(expect.objectContaining({ code: 'access_denied', type: 'auth_error' }));
  });

  it('a suspended partner → 403 from the next request, and back once reactivated', async () => {
    await createPartner(t.http, 'SUSP');
    const k = await createKey(t.http, 'SUSP');
    await request(t.http).get('/x/partners/SUSP/key').set('X-Api-Key', k.key).expect(200);
    await request(t.http).patch('/admin/partners/SUSP').set('X-Admin-Key', TEST_ADMIN_KEY).send({ status: 'suspended' }).expect(200);
    const res = await request(t.http).get('/x/partners/SUSP/key').set('X-Api-Key', k.key).expect(403);
    expect(res.body).toEqual(expect.objectContaining({ code: 'access_denied', type: 'auth_error' }));
    await request(t.http).patch('/admin/partners/SUSP').set('X-Admin-Key', TEST_ADMIN_KEY).send({ status: 'active' }).expect(200);
    await request(t.http).get('/x/partners/SUSP/key').set('X-Api-Key', k.key).expect(200);
  });

  it('a partner created suspended is refused from the start', async () => {
    await createPartner(t.http, 'SLEEPY', { status: 'suspended' });
    const k = await createKey(t.http, 'SLEEPY');
    await request(t.http).get('/x/partners/SLEEPY/key').set('X-Api-Key', k.key).expect(403);
  });

  it('documents the partner route and its key security in OpenAPI', async () => {
    const res = await request(t.http).get('/docs-json').expect(200);
    const op = res.body.paths['/x/partners/{partner_code}/key']?.get;
    expect(op).toBeDefined();
    expect(op.security).toEqual([{ 'partner-key': [] }]);
    expect(op.responses['401']).toBeDefined();
  });
});

describe('failed-authentication throttling (e2e)', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ authFailLimitPerMin: 3 });
    await createPartner(t.http, 'ACME');
    key = (await createKey(t.http, 'ACME')).key;
  });
  afterAll(async () => t.close());

  it('after the limit of failures, the IP gets 429 with Retry-After, even with a valid key, on partner and admin routes', async () => {
    for (let i = 0; i < 3; i++) {
      await request(t.http).get('/x/partners/ACME/key').set('X-Api-Key', `ok_live_guess${i}`).expect(401);
    }
    const limited = await request(t.http).get('/x/partners/ACME/key').set('X-Api-Key', key);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(expect.objectContaining({ type: 'rate_limit_error', code: 'rate_limited' }));
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    const admin = await request(t.http).get('/admin/partners').set('X-Admin-Key', TEST_ADMIN_KEY);
    expect(admin.status).toBe(429);
    expect(admin.headers['retry-after']).toBeDefined();
  });

  it('a spoofed X-Forwarded-For does not escape the limit without TRUST_PROXY', async () => {
    const spoofed = await request(t.http).get('/x/partners/ACME/key').set('X-Api-Key', key).set('X-Forwarded-For', '203.0.113.7');
    expect(spoofed.status).toBe(429);
  });
});

describe('failed-authentication throttling behind a trusted proxy (e2e)', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ authFailLimitPerMin: 2, trustProxy: 'loopback' });
    await createPartner(t.http, 'ACME');
    key = (await createKey(t.http, 'ACME')).key;
  });
  afterAll(async () => t.close());

  it('counts per client IP from X-Forwarded-For', async () => {
    const from = (ip: string) => request(t.http).get('/x/partners/ACME/key').set('X-Forwarded-For', ip);
    await from('198.51.100.1').set('X-Api-Key', 'nope').expect(401);
    await from('198.51.100.1').expect(401);
    await from('198.51.100.1').set('X-Api-Key', key).expect(429);
    await from('198.51.100.2').set('X-Api-Key', key).expect(200);
  });
});
