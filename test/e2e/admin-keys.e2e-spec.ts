import request from 'supertest';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/app';

describe('admin authentication and admin keys (e2e)', () => {
  let t: TestApp;
  let partnerKey: string;

  beforeAll(async () => {
    // this suite fails authentication on purpose many times: keep the per-IP throttle out of the way
    t = await startTestApp({ authFailLimitPerMin: 1000 });
    await request(t.http).post('/admin/partners').set('X-Admin-Key', TEST_ADMIN_KEY).send({ code: 'ACME', name: 'Acme' }).expect(201);
    const k = await request(t.http).post('/admin/partners/ACME/api-keys').set('X-Admin-Key', TEST_ADMIN_KEY).send({ mode: 'live' }).expect(201);
    partnerKey = k.body.key;
  });
  afterAll(async () => t.close());

  const routes: Array<[string, string]> = [
    ['get', '/admin/partners'],
    ['post', '/admin/partners'],
    ['get', '/admin/partners/ACME'],
    ['patch', '/admin/partners/ACME'],
    ['get', '/admin/partners/ACME/api-keys'],
    ['post', '/admin/partners/ACME/api-keys'],
    ['delete', '/admin/partners/ACME/api-keys/x'],
    ['get', '/admin/admin-keys'],
    ['post', '/admin/admin-keys'],
    ['delete', '/admin/admin-keys/x'],
    ['get', '/admin/audit'],
  ];

  it.each(routes)('%s %s without a key → 401 admin_key_invalid with WWW-Authenticate', async (method, path) => {
    const res = await (request(t.http) as unknown as Record<string, (p: string) => request.Test>)[method](path);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(expect.objectContaining({ type: 'auth_error', code: 'admin_key_invalid' }));
    expect(res.headers['www-authenticate']).toBe('ApiKey');
  });

  it('a wrong admin key → 401', async () => {
    const res = await request(t.http).get('/admin/partners').set('X-Admin-Key', `${TEST_ADMIN_KEY}x`).expect(401);
    expect(res.body.code).toBe('admin_key_invalid');
  });

  it('a partner key on an admin route → 403 access_denied (in X-Api-Key or in X-Admin-Key)', async () => {
    const res = await request(t.http).get('/admin/partners').set('X-Api-Key', partnerKey).expect(403);
    expect(res.body).toEqual(expect.objectContaining({ type: 'auth_error', code: 'access_denied' }));
    await request(t.http).get('/admin/partners').set('X-Api-Key', partnerKey).set('X-Admin-Key', 'wrong').expect(403);
    await request(t.http).get('/admin/partners').set('X-Admin-Key', partnerKey).expect(401);
  });

  it('an admin key on a partner route is not a partner key → 401', async () => {
    await request(t.http).get('/x/partners/ACME/key').set('X-Admin-Key', TEST_ADMIN_KEY).expect(401);
  });

  it('creates an admin key once, lists it by prefix, uses it (actor recorded), revokes it', async () => {
    const created = await request(t.http).post('/admin/admin-keys').set('X-Admin-Key', TEST_ADMIN_KEY).send({ name: 'pipeline' }).expect(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      key: expect.stringMatching(/^ok_admin_[A-Za-z0-9_-]{43}$/),
      prefix: expect.stringMatching(/^ok_admin_.{4}$/),
      name: 'pipeline',
      created_at: expect.any(String),
    });
    const key = created.body.key as string;

    const list = await request(t.http).get('/admin/admin-keys').set('X-Admin-Key', key).expect(200);
    expect(list.body.items).toEqual([
      { id: created.body.id, name: 'pipeline', prefix: created.body.prefix, created_by: 'bootstrap', created_at: created.body.created_at, revoked_at: null },
    ]);
    expect(list.text).not.toContain(key);

    await request(t.http).patch('/admin/partners/ACME').set('X-Admin-Key', key).send({ name: 'Acme 2' }).expect(200);
    const audit = await request(t.http).get('/admin/audit?action=partner.update').set('X-Admin-Key', key).expect(200);
    expect(audit.body.items[0].actor).toBe(`admin-key:${created.body.prefix}`);

    await request(t.http).delete(`/admin/admin-keys/${created.body.id}`).set('X-Admin-Key', TEST_ADMIN_KEY).expect(204);
    await request(t.http).get('/admin/partners').set('X-Admin-Key', key).expect(401);
    await request(t.http).delete(`/admin/admin-keys/${created.body.id}`).set('X-Admin-Key', TEST_ADMIN_KEY).expect(204);
    const revokeAudit = await request(t.http).get('/admin/audit?action=admin_key.revoke').set('X-Admin-Key', TEST_ADMIN_KEY).expect(200);
    expect(revokeAudit.body.items).toHaveLength(1);
    expect(JSON.stringify(revokeAudit.body)).not.toContain(key);
  });

  it('unknown admin key id → 404; bad body → 422', async () => {
    const res = await request(t.http).delete('/admin/admin-keys/nope').set('X-Admin-Key', TEST_ADMIN_KEY).expect(404);
    expect(res.body.code).toBe('admin_key_not_found');
    await request(t.http).post('/admin/admin-keys').set('X-Admin-Key', TEST_ADMIN_KEY).send({}).expect(422);
    await request(t.http).post('/admin/admin-keys').set('X-Admin-Key', TEST_ADMIN_KEY).send({ name: 'x', scope: 'all' }).expect(422);
  });

  it('documents admin security in OpenAPI', async () => {
    const res = await request(t.http).get('/docs-json').expect(200);
    const op = res.body.paths['/admin/partners'].post;
    expect(op.security).toEqual([{ 'admin-key': [] }]);
    expect(op.responses['401'].content['application/json'].schema.$ref).toMatch(/ErrorEnvelopeDto$/);
    expect(op.responses['201']).toBeDefined();
  });
});

describe('admin API without ADMIN_API_KEY (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ adminApiKey: undefined });
  });
  afterAll(async () => t.close());

  it('is closed: every admin route answers 401, whatever key is sent', async () => {
    await request(t.http).get('/admin/partners').expect(401);
    await request(t.http).get('/admin/partners').set('X-Admin-Key', 'test-admin-key-0123456789abcdef').expect(401);
    await request(t.http).post('/admin/admin-keys').set('X-Admin-Key', '').send({ name: 'x' }).expect(401);
  });
});
