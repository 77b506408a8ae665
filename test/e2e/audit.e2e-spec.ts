import request from 'supertest';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/app';

describe('admin: audit log (e2e)', () => {
  let t: TestApp;
  const admin = { 'X-Admin-Key': TEST_ADMIN_KEY };
  let key: { id: string; key: string; prefix: string };
  let adminKey: string;

  beforeAll(async () => {
    t = await startTestApp();
    await request(t.http).post('/admin/partners').set(admin).set('X-Request-Id', 'req-create-acme').send({ code: 'ACME', name: 'Acme' }).expect(201);
    await request(t.http).post('/admin/partners').set(admin).send({ code: 'BETA', name: 'Beta' }).expect(201);
    const k = await request(t.http).post('/admin/partners/ACME/api-keys').set(admin).send({ mode: 'live', name: 'main' }).expect(201);
    key = k.body;
    await request(t.http).delete(`/admin/partners/ACME/api-keys/${key.id}`).set(admin).expect(204);
    adminKey = (await request(t.http).post('/admin/admin-keys').set(admin).send({ name: 'ops' }).expect(201)).body.key;
  });
  afterAll(async () => t.close());

  it('lists every change newest first, with who, what, request id and before/after', async () => {
    const res = await request(t.http).get('/admin/audit').set(admin).expect(200);
    expect(res.body.items.map((e: { action: string }) => e.action)).toEqual([
      'admin_key.create',
      'api_key.revoke',
      'api_key.create',
      'partner.create',
      'partner.create',
    ]);
    expect(res.body.next_before).toBeNull();
    const create = res.body.items[4];
    expect(create).toEqual({
      id: expect.any(String),
      actor: 'bootstrap',
      action: 'partner.create',
      partner_code: 'ACME',
      target_type: 'partner',
      target_id: expect.any(String),
      before: null,
      after: { code: 'ACME', name: 'Acme', status: 'active', default_schema: null, rate_limits: null, current_version: 0 },
      request_id: 'req-create-acme',
      created_at: expect.any(String),
    });
    const keyCreate = res.body.items[2];
    expect(keyCreate).toEqual(
      expect.objectContaining({
        partner_code: 'ACME',
        target_type: 'api_key',
        target_id: key.id,
        after: { id: key.id, prefix: key.prefix, mode: 'live', name: 'main' },
      }),
    );
    const revoke = res.body.items[1];
    expect(revoke.before.revoked_at).toBeNull();
    expect(revoke.after.revoked_at).toEqual(expect.any(String));
  });

  it('holds no key material at all', async () => {
    const res = await request(t.http).get('/admin/audit').set(admin).expect(200);
    expect(res.text).not.toContain(key.key);
    expect(res.text).not.toContain(adminKey);
    expect(res.text).not.toContain(TEST_ADMIN_KEY);
    expect(res.text).not.toMatch(/[0-9a-f]{64}/); // no hash
    expect(res.text).not.toMatch(/"(key|key_hash|secret|secret_enc)"/);
  });

  it('filters by partner, action and time', async () => {
    const beta = await request(t.http).get('/admin/audit?partner_code=BETA').set(admin).expect(200);
    expect(beta.body.items).toHaveLength(1);
    const revokes = await request(t.http).get('/admin/audit?action=api_key.revoke').set(admin).expect(200);
    expect(revokes.body.items.map((e: { target_id: string }) => e.target_id)).toEqual([key.id]);
    const future = await request(t.http)
      .get(`/admin/audit?from=${new Date(Date.now() + 60_000).toISOString()}`)
      .set(admin)
      .expect(200);
    expect(future.body.items).toEqual([]);
    const past = await request(t.http)
      .get(`/admin/audit?to=${new Date(Date.now() - 3_600_000).toISOString()}`)
      .set(admin)
      .expect(200);
    expect(past.body.items).toEqual([]);
    const all = await request(t.http)
      .get(`/admin/audit?from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`)
      .set(admin)
      .expect(200);
    expect(all.body.items).toHaveLength(5);
  });

  it('pages with limit and the before cursor, without gaps or repeats', async () => {
    const full = await request(t.http).get('/admin/audit').set(admin).expect(200);
    const ids: string[] = [];
    let before: string | null = null;
    do {
      const res: request.Response = await request(t.http)
        .get(`/admin/audit?limit=2${before ? `&before=${before}` : ''}`)
        .set(admin)
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      ids.push(...res.body.items.map((e: { id: string }) => e.id));
      before = res.body.next_before;
    } while (before);
    expect(ids).toEqual(full.body.items.map((e: { id: string }) => e.id));
  });

  it.each([['limit=0'], ['limit=501'], ['limit=abc'], ['from=yesterday'], ['colour=red'], ['before=00000000-0000-0000-0000-000000000000']])(
    'GET /admin/audit?%s → 422',
    async (q) => {
      const res = await request(t.http).get(`/admin/audit?${q}`).set(admin).expect(422);
      expect(res.body.type).toBe('validation_error');
    },
  );

  it('accepts the maximum limit of 500', async () => {
    await request(t.http).get('/admin/audit?limit=500').set(admin).expect(200);
  });
});
