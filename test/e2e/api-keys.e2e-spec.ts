import request from 'supertest';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/app';

describe('admin: partner API keys (e2e)', () => {
  let t: TestApp;
  const admin = { 'X-Admin-Key': TEST_ADMIN_KEY };

  beforeAll(async () => {
    t = await startTestApp({ appEncryptionKey: undefined });
    for (const code of ['ACME', 'OTHER']) {
      await request(t.http).post('/admin/partners').set(admin).send({ code, name: code }).expect(201);
    }
  });
  afterAll(async () => t.close());

  it('POST creates a key and shows it once: 32 random bytes after a mode tag', async () => {
    const res = await request(t.http).post('/admin/partners/ACME/api-keys').set(admin).send({ mode: 'live', name: 'checkout' }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key: expect.stringMatching(/^ok_live_[A-Za-z0-9_-]{43}$/),
      prefix: expect.stringMatching(/^ok_live_.{4}$/),
      mode: 'live',
      name: 'checkout',
      created_at: expect.any(String),
    });
    expect(res.body.key.startsWith(res.body.prefix)).toBe(true);
    expect(Buffer.from(res.body.key.slice('ok_live_'.length), 'base64url')).toHaveLength(32);

    const test = await request(t.http).post('/admin/partners/ACME/api-keys').set(admin).send({ mode: 'test' }).expect(201);
    expect(test.body.key).toMatch(/^ok_test_/);
    expect(test.body.name).toBe('');
  });

  it('GET lists keys by prefix: never the key nor its hash', async () => {
    const created = await request(t.http).post('/admin/partners/ACME/api-keys').set(admin).send({ mode: 'live', name: 'listed' }).expect(201);
    const res = await request(t.http).get('/admin/partners/ACME/api-keys').set(admin).expect(200);
    const listed = res.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toEqual({
      id: created.body.id,
      name: 'listed',
      mode: 'live',
      prefix: created.body.prefix,
      signing: false,
      created_at: created.body.created_at,
      revoked_at: null,
    });
    expect(res.text).not.toContain(created.body.key);
    expect(res.text).not.toMatch(/[0-9a-f]{64}/);
    for (const k of res.body.items) expect(Object.keys(k).sort()).toEqual(['created_at', 'id', 'mode', 'name', 'prefix', 'revoked_at', 'signing']);
  });

  it('DELETE revokes (204), is idempotent, and the list shows revoked_at', async () => {
    const created = await request(t.http).post('/admin/partners/ACME/api-keys').set(admin).send({ mode: 'live' }).expect(201);
    await request(t.http).get('/x/partners/ACME/key').set('X-Api-Key', created.body.key).expect(200);
    const del = await request(t.http).delete(`/admin/partners/ACME/api-keys/${created.body.id}`).set(admin).expect(204);
    expect(del.text).toBe('');
    await request(t.http).get('/x/partners/ACME/key').set('X-Api-Key', created.body.key).expect(401);
    await request(t.http).delete(`/admin/partners/ACME/api-keys/${created.body.id}`).set(admin).expect(204);
    const list = await request(t.http).get('/admin/partners/ACME/api-keys').set(admin).expect(200);
    const k = list.body.items.find((i: { id: string }) => i.id === created.body.id);
    expect(k.revoked_at).toEqual(expect.any(String));
  });

  it("DELETE an unknown id or another partner's key → 404 api_key_not_found, and the key keeps working", async () => {
    const theirs = await request(t.http).post('/admin/partners/OTHER/api-keys').set(admin).send({ mode: 'live' }).expect(201);
    const res = await request(t.http).delete(`/admin/partners/ACME/api-keys/${theirs.body.id}`).set(admin).expect(404);
    expect(res.body.code).toBe('api_key_not_found');
    await request(t.http).delete('/admin/partners/ACME/api-keys/00000000-0000-0000-0000-000000000000').set(admin).expect(404);
    await request(t.http).get('/x/partners/OTHER/key').set('X-Api-Key', theirs.body.key).expect(200);
  });

  it('unknown partner → 404 partner_not_found on create, list and revoke', async () => {
    const a = await request(t.http).post('/admin/partners/NOPE/api-keys').set(admin).send({ mode: 'live' }).expect(404);
    expect(a.body.code).toBe('partner_not_found');
    await request(t.http).get('/admin/partners/NOPE/api-keys').set(admin).expect(404);
    await request(t.http).delete('/admin/partners/NOPE/api-keys/x').set(admin).expect(404);
  });

  it.each([
    ['no mode', {}],
    ['an unknown mode', { mode: 'prod' }],
    ['an unknown field', { mode: 'live', scope: 'all' }],
    ['a non-boolean signing', { mode: 'live', signing: 'yes' }],
  ])('POST with %s → 422 validation_error', async (_what, body) => {
    const res = await request(t.http).post('/admin/partners/ACME/api-keys').set(admin).send(body).expect(422);
    expect(res.body.code).toBe('validation_error');
  });

  it('without APP_ENCRYPTION_KEY signing keys are refused → 422 signing_unavailable, nothing created', async () => {
    const before = await request(t.http).get('/admin/partners/OTHER/api-keys').set(admin).expect(200);
    const res = await request(t.http).post('/admin/partners/OTHER/api-keys').set(admin).send({ mode: 'live', signing: true }).expect(422);
    expect(res.body.code).toBe('signing_unavailable');
    const after = await request(t.http).get('/admin/partners/OTHER/api-keys').set(admin).expect(200);
    expect(after.body.items).toHaveLength(before.body.items.length);
  });
});
