import request from 'supertest';
import { TransactionRunner } from '@app/database';
import { PartnersService } from '@app/partners';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/app';

describe('admin: partners (e2e)', () => {
  let t: TestApp;
  const admin = () => ({ 'X-Admin-Key': TEST_ADMIN_KEY });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('POST creates a partner → 201 with defaults', async () => {
    const res = await request(t.http).post('/admin/partners').set(admin()).send({ code: 'DEMO', name: 'Demo Travel' }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      code: 'DEMO',
      name: 'Demo Travel',
      status: 'active',
      default_schema: null,
      rate_limits: null,
      current_version: 0,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
  });

  it('POST with every field', async () => {
    const res = await request(t.http)
      .post('/admin/partners')
      .set(admin())
      .send({ code: 'FULL_1', name: 'Full', status: 'suspended', default_schema: 'travel:v1', rate_limits: { create: 10, test: 1 } })
      .expect(201);
    expect(res.body).toEqual(expect.objectContaining({ status: 'suspended', default_schema: 'travel:v1', rate_limits: { create: 10, test: 1 } }));
  });

  it('POST a taken code → 409 partner_exists', async () => {
    const res = await request(t.http).post('/admin/partners').set(admin()).send({ code: 'DEMO', name: 'Again' }).expect(409);
    expect(res.body).toEqual(expect.objectContaining({ code: 'partner_exists', type: 'api_error', error_id: expect.any(String) }));
  });

  it.each([
    ['an unknown field', { code: 'NEW1', name: 'n', colour: 'red' }, 'colour'],
    ['a lowercase code', { code: 'demo', name: 'n' }, 'code'],
    ['a one-letter code', { code: 'D', name: 'n' }, 'code'],
    ['a 33-character code', { code: 'A'.repeat(33), name: 'n' }, 'code'],
    ['a missing name', { code: 'NEW2' }, 'name'],
    ['an unknown status', { code: 'NEW3', name: 'n', status: 'closed' }, 'status'],
    ['a zero rate limit', { code: 'NEW4', name: 'n', rate_limits: { create: 0 } }, 'rate_limits.create'],
    ['an unknown rate limit', { code: 'NEW5', name: 'n', rate_limits: { burst: 5 } }, 'rate_limits.burst'],
  ])('POST with %s → 422 validation_error', async (_what, body, path) => {
    const res = await request(t.http).post('/admin/partners').set(admin()).send(body).expect(422);
    expect(res.body).toEqual(expect.objectContaining({ type: 'validation_error', code: 'validation_error' }));
    expect(Object.keys(res.body.errors)).toContain(path);
  });

  it('nothing of a refused POST is stored', async () => {
    await request(t.http).get('/admin/partners/NEW1').set(admin()).expect(404);
  });

  it('GET one and GET the list', async () => {
    const one = await request(t.http).get('/admin/partners/DEMO').set(admin()).expect(200);
    expect(one.body.code).toBe('DEMO');
    const list = await request(t.http).get('/admin/partners').set(admin()).expect(200);
    expect(list.body.items.map((p: { code: string }) => p.code)).toEqual(['DEMO', 'FULL_1']);
  });

  it('GET an unknown partner → 404 partner_not_found', async () => {
    const res = await request(t.http).get('/admin/partners/NOPE').set(admin()).expect(404);
    expect(res.body.code).toBe('partner_not_found');
  });

  it('PATCH changes name, status and rate limits; null clears the limits', async () => {
    const res = await request(t.http)
      .patch('/admin/partners/DEMO')
      .set(admin())
      .send({ name: 'Demo Travel Co', status: 'suspended', rate_limits: { create: 5 } })
      .expect(200);
    expect(res.body).toEqual(expect.objectContaining({ code: 'DEMO', name: 'Demo Travel Co', status: 'suspended', rate_limits: { create: 5 } }));
    const stored = await request(t.http).get('/admin/partners/DEMO').set(admin()).expect(200);
    expect(stored.body).toEqual(res.body);

    const cleared = await request(t.http).patch('/admin/partners/DEMO').set(admin()).send({ rate_limits: null, status: 'active' }).expect(200);
    expect(cleared.body).toEqual(expect.objectContaining({ rate_limits: null, status: 'active', name: 'Demo Travel Co' }));
  });

  it.each([
    ['the code', { code: 'OTHER' }],
    ['default_schema', { default_schema: 'x' }],
    ['a null name', { name: null }],
    ['a null status', { status: null }],
    ['an unknown status', { status: 'deleted' }],
  ])('PATCH with %s → 422', async (_what, body) => {
    await request(t.http).patch('/admin/partners/DEMO').set(admin()).send(body).expect(422);
  });

  it('PATCH an unknown partner → 404', async () => {
    await request(t.http).patch('/admin/partners/NOPE').set(admin()).send({ name: 'x' }).expect(404);
  });

  it('audits create and update with before and after', async () => {
    const res = await request(t.http).get('/admin/audit?partner_code=DEMO').set(admin()).expect(200);
    const actions = res.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['partner.update', 'partner.update', 'partner.create']);
    const [last, , first] = res.body.items;
    expect(first).toEqual(expect.objectContaining({ actor: 'bootstrap', target_type: 'partner', before: null }));
    expect(first.after).toEqual(expect.objectContaining({ code: 'DEMO', name: 'Demo Travel', status: 'active' }));
    expect(last.before).toEqual(expect.objectContaining({ status: 'suspended', rate_limits: { create: 5 } }));
    expect(last.after).toEqual(expect.objectContaining({ status: 'active', rate_limits: null }));
  });

  it('a PATCH that changes nothing writes no audit entry', async () => {
    await request(t.http).patch('/admin/partners/DEMO').set(admin()).send({ status: 'active' }).expect(200);
    const res = await request(t.http).get('/admin/audit?partner_code=DEMO').set(admin()).expect(200);
    expect(res.body.items).toHaveLength(3);
  });

  describe("upsertFromBundle (the bundle writer's path)", () => {
    it("creates the partner when absent, then updates it from the bundle, inside the caller's transaction", async () => {
      const partners = t.app.get(PartnersService);
      const tx = t.app.get(TransactionRunner);
      const created = await tx.run((m) => partners.upsertFromBundle({ code: 'BUNDLED', name: 'Bundled', rate_limits: { create: 7 } }, m));
      expect(created).toEqual(expect.objectContaining({ created: true, before: null }));
      expect(created.after).toEqual(expect.objectContaining({ code: 'BUNDLED', status: 'active', rateLimits: { create: 7 }, currentVersion: 0 }));

      const updated = await tx.run(async (m) => {
        const up = await partners.upsertFromBundle({ code: 'BUNDLED', name: 'Bundled 2', status: 'suspended', default_schema: 'travel:v1' }, m);
        await partners.setCurrentVersion(up.id, 3, m);
        return up;
      });
      expect(updated.id).toBe(created.id);
      expect(updated.created).toBe(false);
      expect(updated.before).toEqual(expect.objectContaining({ name: 'Bundled', status: 'active' }));
      expect(updated.after).toEqual(expect.objectContaining({ name: 'Bundled 2', status: 'suspended', defaultSchema: 'travel:v1', rateLimits: null }));

      const res = await request(t.http).get('/admin/partners/BUNDLED').set(admin()).expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({ name: 'Bundled 2', status: 'suspended', default_schema: 'travel:v1', rate_limits: null, current_version: 3 }),
      );
      expect((await partners.getById(created.id)).currentVersion).toBe(3);
    });

    it("rolls back with the caller's transaction", async () => {
      const partners = t.app.get(PartnersService);
      const tx = t.app.get(TransactionRunner);
      await expect(
        tx.run(async (m) => {
          await partners.upsertFromBundle({ code: 'GHOST', name: 'Ghost' }, m);
          throw new Error('bundle invalid after all');
        }),
      ).rejects.toThrow('bundle invalid after all');
      await request(t.http).get('/admin/partners/GHOST').set(admin()).expect(404);
    });
  });
});
