import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are edited freely in tests
type Json = Record<string, any>;

/** the retail example bundle, kept in test/fixtures */
const RETAIL: Json = JSON.parse(readFileSync(join(__dirname, '../fixtures/retail-bundle.json'), 'utf8')) as Json;

function retail(): Json {
  return structuredClone(RETAIL);
}

/** The retail bundle as the API stores and exports it: the bundle schema's defaults filled in, nothing else. */
function retailWithDefaults(): Json {
  const b = retail();
  const [warranty, shippingOnly, draft] = b.offer_configs;
  // retail-warranty: WARRANTY_2Y has no `when`, SHIPPING no surcharge
  warranty.products[0].when = 'true';
  warranty.products[1].pricing.surcharge = '0.0';
  // retail-shipping-only: no offer_ttl, no product type/when, pricing has premium and min_premium only
  shippingOnly.offer_ttl = '72h';
  Object.assign(shippingOnly.products[0], { type: 'xcover-product', when: 'true' });
  Object.assign(shippingOnly.products[0].pricing, { tax_rate: '0.0', surcharge: '0.0', commission_rate: '0.0' });
  // retail-warranty-draft: no offer_ttl, no product type/when, pricing without tax_rate/surcharge
  draft.offer_ttl = '72h';
  Object.assign(draft.products[0], { type: 'xcover-product', when: 'true' });
  Object.assign(draft.products[0].pricing, { tax_rate: '0.0', surcharge: '0.0' });
  // the experiment override is NOT given defaults: it replaces only the premium
  return b;
}

/** A small bundle on the retail schema: one config, one product whose premium is `premium`. */
function oneProductBundle(code: string, premium: string): Json {
  const b = retail();
  b.partner = { code, name: `${code} shop`, default_schema: 'retail:v1' };
  b.offer_configs = [
    {
      id: 'warranty',
      name: 'Warranty',
      schema: 'retail:v1',
      products: [{ code: 'WARRANTY_2Y', name: '2 year warranty', pricing: { premium } }],
    },
  ];
  return b;
}

const RETAIL_REQUEST = {
  customer: { language: 'en-US', currency: 'USD', country: 'US', email: 'sam@example.com' },
  context: {
    purchase_date: '2026-11-25',
    item: { sku: 'LAP-1499', title: 'UltraBook 14', category: 'laptop', retail_value: 1299.0 },
    shipping: { carrier: 'UPS', declared_value: 1299.0 },
  },
  partner: { subsidiary: 'web', transaction_id: 'ORDER-1001', customer_id: 'cust-7' },
};

describe('admin: bundles (e2e)', () => {
  let t: TestApp;
  const admin = { 'X-Admin-Key': TEST_ADMIN_KEY };

  const put = (code: string, body: unknown) =>
    request(t.http)
      .put(`/admin/partners/${code}/bundle`)
      .set(admin)
      .send(body as object);
  const get = (path: string) => request(t.http).get(path).set(admin);

  beforeAll(async () => {
    // a bundle with a schema over 256 kB must reach the validator: lift the 100 kB default body limit;
    // the 401 checks below fail authentication more often than the per-IP limit (20/min) allows
    t = await startTestApp({ maxBodyBytes: 2 * 1024 * 1024, authFailLimitPerMin: 10_000 });
  });
  afterAll(async () => t.close());

  describe('PUT/GET bundle', () => {
    let applied: Json;

    beforeAll(async () => {
      applied = (await put('SHOPCO', retail()).expect(200)).body;
    });

    it('applies a valid bundle as version 1 and creates the partner', async () => {
      expect(applied).toEqual({ partner: 'SHOPCO', version: 1, applied_at: expect.any(String) });
      expect(new Date(applied.applied_at).toISOString()).toBe(applied.applied_at);
      expect(Math.abs(Date.now() - Date.parse(applied.applied_at))).toBeLessThan(60_000);
      const partner = await get('/admin/partners/SHOPCO').expect(200);
      expect(partner.body).toMatchObject({
        code: 'SHOPCO',
        name: 'Shop Co electronics',
        status: 'active',
        default_schema: 'retail:v1',
        rate_limits: { create: 50, confirm: 50, other: 20, test: 2 },
        current_version: 1,
      });
    });

    it('GET exports exactly what was PUT, with the schema defaults filled in, and names the version', async () => {
      const res = await get('/admin/partners/SHOPCO/bundle').expect(200);
      expect(res.headers['x-bundle-version']).toBe('1');
      expect(res.body).toEqual(retailWithDefaults());
    });

    it('the export can be PUT back unchanged (round trip) and exports the same again', async () => {
      const exported = (await get('/admin/partners/SHOPCO/bundle').expect(200)).body;
      const other = await put('ROUNDTRIP', { ...exported, partner: { ...exported.partner, code: 'ROUNDTRIP' } }).expect(200);
      expect(other.body.version).toBe(1);
      const again = (await get('/admin/partners/ROUNDTRIP/bundle').expect(200)).body;
      expect(again).toEqual({ ...exported, partner: { ...exported.partner, code: 'ROUNDTRIP' } });
    });

    it('GET a partner created without a bundle → version 0, an empty bundle', async () => {
      await request(t.http).post('/admin/partners').set(admin).send({ code: 'EMPTY', name: 'Empty' }).expect(201);
      const res = await get('/admin/partners/EMPTY/bundle').expect(200);
      expect(res.headers['x-bundle-version']).toBe('0');
      expect(res.body).toEqual({ partner: { code: 'EMPTY', name: 'Empty', status: 'active' }, schemas: [], offer_configs: [] });
      expect((await get('/admin/partners/EMPTY/bundle/versions').expect(200)).body).toEqual([]);
    });

    it('GET the bundle of an unknown partner → 404 partner_not_found', async () => {
      const res = await get('/admin/partners/NOPE/bundle').expect(404);
      expect(res.body).toMatchObject({ code: 'partner_not_found' });
      await get('/admin/partners/NOPE/bundle/versions').expect(404);
      await get('/admin/partners/NOPE/bundle/versions/1').expect(404);
      await request(t.http).post('/admin/partners/NOPE/bundle/versions/1/restore').set(admin).expect(404);
    });
  });

  describe('every rejection → 422 bundle_invalid with its path, and nothing applied', () => {
    const CODE = 'REJECT';
    let v1: Json;

    beforeAll(async () => {
      await put(CODE, { ...retail(), partner: { ...retail().partner, code: CODE } }).expect(200);
      v1 = (await get(`/admin/partners/${CODE}/bundle`).expect(200)).body;
    });

    function bundle(): Json {
      const b = retail();
      b.partner.code = CODE;
      return b;
    }

    async function expectRefused(body: unknown, path: string, message: string | RegExp, code = CODE): Promise<Json> {
      const res = await put(code, body).expect(422);
      expect(res.body).toMatchObject({ type: 'validation_error', code: 'bundle_invalid', message: expect.stringContaining('nothing was applied') });
      expect(res.body.errors).toHaveProperty([path]);
      const matcher = typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message);
      expect(res.body.errors[path]).toEqual(expect.arrayContaining([matcher]));
      // the previous version is still in force, untouched; no version was added
      const current = await get(`/admin/partners/${CODE}/bundle`).expect(200);
      expect(current.headers['x-bundle-version']).toBe('1');
      expect(current.body).toEqual(v1);
      const versions = await get(`/admin/partners/${CODE}/bundle/versions`).expect(200);
      expect(versions.body).toEqual([expect.objectContaining({ version: 1, current: true })]);
      await get(`/admin/partners/${CODE}/bundle/versions/2`).expect(404);
      return res.body.errors as Json;
    }

    it('structural: an unknown top-level field', async () => {
      await expectRefused({ ...bundle(), extra: true }, 'extra', 'is not an allowed property');
    });

    it('structural: an unknown field deep inside', async () => {
      const b = bundle();
      b.offer_configs[0].products[0].pricing.discount = '0.1';
      await expectRefused(b, 'offer_configs[0].products[0].pricing.discount', 'is not an allowed property');
    });

    it('structural: a config without products', async () => {
      const b = bundle();
      delete b.offer_configs[0].products;
      await expectRefused(b, 'offer_configs[0].products', 'is required');
    });

    it('structural: a body that is not a bundle at all', async () => {
      const res = await put(CODE, [1, 2]).expect(422);
      expect(res.body.code).toBe('bundle_invalid');
      expect(res.body.errors.bundle).toEqual([expect.any(String)]);
    });

    it('the bundle partner code differs from the path code', async () => {
      const b = bundle();
      b.partner.code = 'SOMEONE';
      await expectRefused(b, 'partner.code', 'must be "REJECT"');
    });

    it('a bundle PUT under another code neither creates that partner nor touches the bundle one', async () => {
      const res = await put('ELSEWHERE', bundle()).expect(422);
      expect(res.body.errors['partner.code']).toEqual(['must be "ELSEWHERE", the partner being written (got "REJECT")']);
      await get('/admin/partners/ELSEWHERE').expect(404);
      expect((await get(`/admin/partners/${CODE}/bundle`).expect(200)).body).toEqual(v1);
    });

    it('a schema that does not compile', async () => {
      const b = bundle();
      b.schemas[0].json_schema.properties.context.properties.item.properties.sku = { type: 'strung' };
      const errors = await expectRefused(b, 'schemas[0].json_schema', /does not compile|must be equal to one of|type/);
      expect(JSON.stringify(errors)).toMatch(/schemas\[0\]\.json_schema/);
    });

    it('a remote $ref', async () => {
      const b = bundle();
      b.schemas[0].json_schema.properties.customer.properties.postcode = { $ref: 'https://example.com/postcode.json' };
      await expectRefused(b, 'schemas[0].json_schema.properties.customer.properties.postcode.$ref', 'remote $ref');
    });

    it('a schema over 256 kB', async () => {
      const b = bundle();
      b.schemas[0].json_schema.description = 'x'.repeat(260 * 1024);
      await expectRefused(b, 'schemas[0].json_schema', 'over the 256 kB limit');
    });

    it('a pattern open to catastrophic backtracking (ReDoS)', async () => {
      const b = bundle();
      b.schemas[0].json_schema.properties.customer.properties.region = { type: 'string', pattern: '^(a+)+$' };
      await expectRefused(b, 'schemas[0].json_schema.properties.customer.properties.region.pattern', 'catastrophic backtracking');
    });

    it('a CEL syntax error', async () => {
      const b = bundle();
      b.offer_configs[0].products[0].pricing.premium = 'context.item.retail_value *';
      await expectRefused(b, 'offer_configs[0].products[0].pricing.premium', /./);
    });

    it('a CEL reference to a field the schema does not have', async () => {
      const b = bundle();
      b.offer_configs[0].products[1].pricing.premium = 'context.item.nope * 0.1';
      await expectRefused(b, 'offer_configs[0].products[1].pricing.premium', 'nope');
    });

    it('double * int, with the hint to write 5.0', async () => {
      const b = bundle();
      b.offer_configs[0].products[0].pricing.premium = 'context.item.retail_value * 5';
      const errors = await expectRefused(b, 'offer_configs[0].products[0].pricing.premium', 'write 5.0 instead of 5');
      expect(Object.keys(errors)).toEqual(['offer_configs[0].products[0].pricing.premium']);
      expect(errors['offer_configs[0].products[0].pricing.premium'][0]).toContain('double * int');
    });

    it('a `when` that is not a bool', async () => {
      const b = bundle();
      b.offer_configs[1].when = 'context.item.retail_value';
      await expectRefused(b, 'offer_configs[1].when', /bool/);
    });

    it('an unknown default_schema', async () => {
      const b = bundle();
      b.partner.default_schema = 'retail:v9';
      await expectRefused(b, 'partner.default_schema', 'names no schema of this bundle ("retail:v9")');
    });

    it('a config bound to an unknown schema', async () => {
      const b = bundle();
      b.offer_configs[2].schema = 'retail:v9';
      await expectRefused(b, 'offer_configs[2].schema', 'names no schema of this bundle ("retail:v9")');
    });

    it('a product rule naming an unknown product', async () => {
      const b = bundle();
      b.offer_configs[0].product_rules[1].products = ['SHIPPING_PLUS'];
      await expectRefused(b, 'offer_configs[0].product_rules[1].products[0]', 'names no product of this offer config ("SHIPPING_PLUS")');
    });

    it('an experiment override for an unknown product', async () => {
      const b = bundle();
      b.offer_configs[0].experiments[0].variants[1].overrides = { WARRANTY_3Y: { pricing: { premium: '1.0' } } };
      await expectRefused(b, 'offer_configs[0].experiments[0].variants[1].overrides.WARRANTY_3Y', 'names no product of this offer config ("WARRANTY_3Y")');
    });

    it('a variant weight of 0', async () => {
      const b = bundle();
      b.offer_configs[0].experiments[0].variants[0].weight = 0;
      await expectRefused(b, 'offer_configs[0].experiments[0].variants[0].weight', /> 0|greater than 0/);
    });

    it('duplicate offer config ids', async () => {
      const b = bundle();
      b.offer_configs[2].id = 'retail-warranty';
      await expectRefused(b, 'offer_configs[2].id', 'duplicate offer config id "retail-warranty" (also offer_configs[0])');
    });

    it('duplicate product codes in one config', async () => {
      const b = bundle();
      b.offer_configs[1].products.push(structuredClone(b.offer_configs[1].products[0]));
      await expectRefused(b, 'offer_configs[1].products[1].code', 'duplicate product code "SHIPPING" (also products[0])');
    });

    it('a bundle with several problems lists every one of them', async () => {
      const b = bundle();
      b.extra = 1;
      b.partner.default_schema = 'retail:v9';
      b.schemas[0].json_schema.properties.customer.properties.region = { type: 'string', pattern: '^(a+)+$' };
      b.offer_configs[0].products[0].pricing.premium = 'context.item.retail_value * 5';
      b.offer_configs[0].experiments[0].variants[0].weight = 0;
      b.offer_configs[1].when = 'context.item.retail_value';
      b.offer_configs[2].id = 'retail-warranty';
      b.offer_configs[2].products[0].pricing.premium = 'context.item.nope * 0.1';
      const errors = await expectRefused(b, 'partner.default_schema', 'retail:v9');
      expect(Object.keys(errors).sort()).toEqual(
        [
          'extra',
          'partner.default_schema',
          'schemas[0].json_schema.properties.customer.properties.region.pattern',
          'offer_configs[0].products[0].pricing.premium',
          'offer_configs[0].experiments[0].variants[0].weight',
          'offer_configs[1].when',
          'offer_configs[2].id',
          'offer_configs[2].products[0].pricing.premium',
        ].sort(),
      );
    });

    it('the refusals wrote no audit entry', async () => {
      const res = await get(`/admin/audit?partner_code=${CODE}`).expect(200);
      expect(res.body.items.map((e: Json) => e.action)).toEqual(['bundle.write']);
    });
  });

  describe('versions and restore', () => {
    const CODE = 'VERS';
    let v1: Json;
    let v2: Json;

    beforeAll(async () => {
      const b1 = oneProductBundle(CODE, 'context.item.retail_value * 0.08');
      await put(CODE, b1).expect(200);
      v1 = (await get(`/admin/partners/${CODE}/bundle`).expect(200)).body;
      const b2 = oneProductBundle(CODE, 'context.item.retail_value * 0.10');
      b2.partner.name = 'Renamed';
      expect((await put(CODE, b2).expect(200)).body.version).toBe(2);
      v2 = (await get(`/admin/partners/${CODE}/bundle`).expect(200)).body;
      expect(v2).not.toEqual(v1);
    });

    it('lists versions newest first, marking the one in force', async () => {
      const res = await get(`/admin/partners/${CODE}/bundle/versions`).expect(200);
      expect(res.body).toEqual([
        { version: 2, source: 'bundle.write', created_by: 'bootstrap', created_at: expect.any(String), current: true },
        { version: 1, source: 'bundle.write', created_by: 'bootstrap', created_at: expect.any(String), current: false },
      ]);
    });

    it('GET one version returns its content and version header', async () => {
      const res = await get(`/admin/partners/${CODE}/bundle/versions/1`).expect(200);
      expect(res.headers['x-bundle-version']).toBe('1');
      expect(res.body).toEqual(v1);
      await get(`/admin/partners/${CODE}/bundle/versions/9`)
        .expect(404)
        .expect((r) => expect(r.body.code).toBe('bundle_version_not_found'));
    });

    it('restoring v1 writes v3 whose content equals v1', async () => {
      const res = await request(t.http).post(`/admin/partners/${CODE}/bundle/versions/1/restore`).set(admin).expect(200);
      expect(res.body).toEqual({ partner: CODE, version: 3, applied_at: expect.any(String) });
      const current = await get(`/admin/partners/${CODE}/bundle`).expect(200);
      expect(current.headers['x-bundle-version']).toBe('3');
      expect(current.body).toEqual(v1);
      expect((await get(`/admin/partners/${CODE}/bundle/versions/3`).expect(200)).body).toEqual(v1);
      expect((await get(`/admin/partners/${CODE}`).expect(200)).body).toMatchObject({ name: `${CODE} shop`, current_version: 3 });
      const versions = (await get(`/admin/partners/${CODE}/bundle/versions`).expect(200)).body;
      expect(versions.map((v: Json) => [v.version, v.source, v.current])).toEqual([
        [3, 'bundle.restore:1', true],
        [2, 'bundle.write', false],
        [1, 'bundle.write', false],
      ]);
    });

    it('restoring an unknown version → 404 bundle_version_not_found, nothing written', async () => {
      const res = await request(t.http).post(`/admin/partners/${CODE}/bundle/versions/7/restore`).set(admin).expect(404);
      expect(res.body).toMatchObject({ code: 'bundle_version_not_found' });
      expect((await get(`/admin/partners/${CODE}/bundle/versions`).expect(200)).body).toHaveLength(3);
    });

    it.each(['abc', '0', '-1', '1.5', '99999999999'])('a version %s that is not a positive integer → 422 validation_error', async (v) => {
      const res = await get(`/admin/partners/${CODE}/bundle/versions/${v}`).expect(422);
      expect(res.body).toMatchObject({ type: 'validation_error', code: 'validation_error', errors: { version: ['must be a positive integer'] } });
      await request(t.http).post(`/admin/partners/${CODE}/bundle/versions/${v}/restore`).set(admin).expect(422);
    });

    it('audits bundle.write and bundle.restore:1 with actor and before/after versions, never key material', async () => {
      const res = await get(`/admin/audit?partner_code=${CODE}`).expect(200);
      const items = res.body.items as Json[];
      expect(items.map((e) => e.action)).toEqual(['bundle.restore:1', 'bundle.write', 'bundle.write']);
      const [restore, second, first] = items;
      for (const e of items) {
        expect(e).toMatchObject({ actor: 'bootstrap', partner_code: CODE, target_type: 'bundle' });
      }
      expect(first.before).toBeNull();
      expect(first.after).toMatchObject({ version: 1 });
      expect(first.after.bundle.offer_configs[0].products[0].pricing.premium).toBe('context.item.retail_value * 0.08');
      expect(second.before).toMatchObject({ version: 1 });
      expect(second.after).toMatchObject({ version: 2 });
      expect(second.after.bundle.offer_configs[0].products[0].pricing.premium).toBe('context.item.retail_value * 0.10');
      expect(restore.target_id).toBe(`${CODE}@3`);
      expect(restore.before).toMatchObject({ version: 2 });
      expect(restore.after).toMatchObject({ version: 3 });
      expect(restore.after.bundle.offer_configs).toEqual(v1.offer_configs);
      expect(res.text).not.toContain(TEST_ADMIN_KEY);
      expect(res.text).not.toMatch(/"(key|key_hash|secret|secret_enc)"/);
    });

    it('a bundle with thousands of configs is written (more rows than one SQLite statement can bind)', async () => {
      const b = oneProductBundle('MANY', '1.0');
      b.offer_configs = Array.from({ length: 3700 }, (_, i) => ({ ...b.offer_configs[0], id: `c${i}` }));
      const started = Date.now();
      expect((await put('MANY', b).expect(200)).body.version).toBe(1);
      const elapsed = Date.now() - started;
      const configs = (await get('/admin/partners/MANY/offer-configs').expect(200)).body as Json[];
      expect(configs).toHaveLength(3700);
      expect(elapsed).toBeLessThan(15_000);
    }, 30_000);

    it('concurrent writes get distinct consecutive versions (or a 409 conflict), never a 500', async () => {
      const results = await Promise.all([0.11, 0.12, 0.13, 0.14].map((r) => put(CODE, oneProductBundle(CODE, `context.item.retail_value * ${r}`))));
      for (const r of results) expect([200, 409]).toContain(r.status);
      const ok = results.filter((r) => r.status === 200).map((r) => r.body.version as number);
      expect(ok.length).toBeGreaterThan(0);
      expect(new Set(ok).size).toBe(ok.length);
      const versions = (await get(`/admin/partners/${CODE}/bundle/versions`).expect(200)).body as Json[];
      expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 3 + ok.length }, (_, i) => 3 + ok.length - i));
      expect(versions[0].current).toBe(true);
      expect(versions.filter((v) => v.current)).toHaveLength(1);
    });
  });

  describe('granular schema and offer-config routes', () => {
    const CODE = 'GRAN';
    const SCHEMA = retail().schemas[0].json_schema as Json;
    const CONFIG = (premium = 'context.item.retail_value * 0.08'): Json => ({
      name: 'Warranty',
      schema: 'retail:v1',
      products: [{ code: 'WARRANTY_2Y', name: '2 year warranty', pricing: { premium } }],
    });

    beforeAll(async () => {
      await request(t.http).post('/admin/partners').set(admin).send({ code: CODE, name: 'Granular' }).expect(201);
    });

    const versions = async (): Promise<number[]> =>
      ((await get(`/admin/partners/${CODE}/bundle/versions`).expect(200)).body as Json[]).map((v) => v.version as number);

    it('PUT a schema on a partner without a bundle creates version 1', async () => {
      const res = await request(t.http)
        .put(`/admin/partners/${CODE}/schemas/retail:v1`)
        .set(admin)
        .send({ description: 'Retail', json_schema: SCHEMA })
        .expect(200);
      expect(res.body).toEqual({ partner: CODE, version: 1, applied_at: expect.any(String) });
      const schema = await get(`/admin/partners/${CODE}/schemas/retail:v1`).expect(200);
      expect(schema.body).toEqual({ id: 'retail:v1', description: 'Retail', json_schema: SCHEMA });
      const bundle = await get(`/admin/partners/${CODE}/bundle`).expect(200);
      expect(bundle.headers['x-bundle-version']).toBe('1');
      expect(bundle.body).toEqual({
        partner: { code: CODE, name: 'Granular', status: 'active' },
        schemas: [{ id: 'retail:v1', description: 'Retail', json_schema: SCHEMA }],
        offer_configs: [],
      });
      expect((await get(`/admin/partners/${CODE}/schemas`).expect(200)).body).toEqual([{ id: 'retail:v1', description: 'Retail', json_schema: SCHEMA }]);
    });

    it('PUT a schema body with an unknown field → 422 validation_error (whitelist), nothing applied', async () => {
      const res = await request(t.http).put(`/admin/partners/${CODE}/schemas/retail:v2`).set(admin).send({ json_schema: SCHEMA, version: 2 }).expect(422);
      expect(res.body).toMatchObject({ type: 'validation_error', code: 'validation_error', errors: { version: [expect.any(String)] } });
      expect(await versions()).toEqual([1]);
    });

    it('PUT a schema without json_schema → 422', async () => {
      const res = await request(t.http).put(`/admin/partners/${CODE}/schemas/retail:v2`).set(admin).send({ description: 'x' }).expect(422);
      expect(res.body.errors).toHaveProperty(['json_schema']);
      expect(await versions()).toEqual([1]);
    });

    it('PUT a schema that is invalid → 422 bundle_invalid at its path', async () => {
      const res = await request(t.http)
        .put(`/admin/partners/${CODE}/schemas/retail:v2`)
        .set(admin)
        .send({ json_schema: { type: 'object', properties: { a: { type: 'string', pattern: '^(a+)+$' } } } })
        .expect(422);
      expect(res.body.code).toBe('bundle_invalid');
      expect(res.body.errors).toHaveProperty(['schemas[1].json_schema.properties.a.pattern']);
      expect(await versions()).toEqual([1]);
    });

    it('PUT an offer config referencing an unknown schema → 422, nothing applied', async () => {
      const res = await request(t.http)
        .put(`/admin/partners/${CODE}/offer-configs/warranty`)
        .set(admin)
        .send({ ...CONFIG(), schema: 'retail:v9' })
        .expect(422);
      expect(res.body).toMatchObject({ code: 'bundle_invalid', errors: { 'offer_configs[0].schema': [expect.stringContaining('retail:v9')] } });
      expect(await versions()).toEqual([1]);
      await get(`/admin/partners/${CODE}/offer-configs/warranty`).expect(404);
    });

    it('PUT an offer config creates version 2 and GET returns it with defaults; the path id wins', async () => {
      const res = await request(t.http)
        .put(`/admin/partners/${CODE}/offer-configs/warranty`)
        .set(admin)
        .send({ ...CONFIG(), id: 'ignored' })
        .expect(200);
      expect(res.body.version).toBe(2);
      const config = await get(`/admin/partners/${CODE}/offer-configs/warranty`).expect(200);
      expect(config.body).toEqual({
        id: 'warranty',
        name: 'Warranty',
        schema: 'retail:v1',
        status: 'active',
        priority: 0,
        when: 'true',
        offer_ttl: '72h',
        products: [
          {
            code: 'WARRANTY_2Y',
            name: '2 year warranty',
            type: 'xcover-product',
            when: 'true',
            pricing: { premium: 'context.item.retail_value * 0.08', tax_rate: '0.0', surcharge: '0.0', commission_rate: '0.0' },
          },
        ],
      });
      expect((await get(`/admin/partners/${CODE}/offer-configs`).expect(200)).body).toEqual([config.body]);
      await get(`/admin/partners/${CODE}/offer-configs/ignored`).expect(404);
    });

    it('PUT an offer config with a bad expression → 422 at the config path', async () => {
      const res = await request(t.http)
        .put(`/admin/partners/${CODE}/offer-configs/warranty`)
        .set(admin)
        .send(CONFIG('context.item.retail_value * 8'))
        .expect(422);
      expect(res.body.errors['offer_configs[0].products[0].pricing.premium']).toEqual([expect.stringContaining('8.0')]);
      expect(await versions()).toEqual([2, 1]);
    });

    it('DELETE a schema a config uses → 422, nothing applied', async () => {
      const res = await request(t.http).delete(`/admin/partners/${CODE}/schemas/retail:v1`).set(admin).expect(422);
      expect(res.body).toMatchObject({ code: 'bundle_invalid', errors: { 'offer_configs[0].schema': [expect.stringContaining('retail:v1')] } });
      expect(await versions()).toEqual([2, 1]);
      await get(`/admin/partners/${CODE}/schemas/retail:v1`).expect(200);
    });

    it('GET/DELETE unknown ids → 404 schema_not_found / offer_config_not_found', async () => {
      expect((await get(`/admin/partners/${CODE}/schemas/nope`).expect(404)).body).toMatchObject({ code: 'schema_not_found' });
      expect((await get(`/admin/partners/${CODE}/offer-configs/nope`).expect(404)).body).toMatchObject({ code: 'offer_config_not_found' });
      expect((await request(t.http).delete(`/admin/partners/${CODE}/schemas/nope`).set(admin).expect(404)).body).toMatchObject({ code: 'schema_not_found' });
      expect((await request(t.http).delete(`/admin/partners/${CODE}/offer-configs/nope`).set(admin).expect(404)).body).toMatchObject({
        code: 'offer_config_not_found',
      });
      expect(await versions()).toEqual([2, 1]);
    });

    it('an unknown partner → 404 partner_not_found on every granular route', async () => {
      const calls = [
        get('/admin/partners/NOPE/schemas'),
        get('/admin/partners/NOPE/schemas/retail:v1'),
        request(t.http).put('/admin/partners/NOPE/schemas/retail:v1').set(admin).send({ json_schema: SCHEMA }),
        request(t.http).delete('/admin/partners/NOPE/schemas/retail:v1').set(admin),
        get('/admin/partners/NOPE/offer-configs'),
        get('/admin/partners/NOPE/offer-configs/warranty'),
        request(t.http).put('/admin/partners/NOPE/offer-configs/warranty').set(admin).send(CONFIG()),
        request(t.http).delete('/admin/partners/NOPE/offer-configs/warranty').set(admin),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ code: 'partner_not_found' });
      }
      await get('/admin/partners/NOPE').expect(404);
    });

    it('DELETE the config, then the schema: each a new version', async () => {
      expect((await request(t.http).delete(`/admin/partners/${CODE}/offer-configs/warranty`).set(admin).expect(200)).body.version).toBe(3);
      expect((await request(t.http).delete(`/admin/partners/${CODE}/schemas/retail:v1`).set(admin).expect(200)).body.version).toBe(4);
      const bundle = await get(`/admin/partners/${CODE}/bundle`).expect(200);
      expect(bundle.headers['x-bundle-version']).toBe('4');
      expect(bundle.body).toEqual({ partner: { code: CODE, name: 'Granular', status: 'active' }, schemas: [], offer_configs: [] });
      const sources = ((await get(`/admin/partners/${CODE}/bundle/versions`).expect(200)).body as Json[]).map((v) => v.source);
      expect(sources).toEqual(['schema.delete', 'offer_config.delete', 'offer_config.put', 'schema.put']);
    });

    it('a default_schema that a schema delete would orphan is refused', async () => {
      const b = oneProductBundle(CODE, '1.0');
      b.partner.name = 'Granular';
      b.offer_configs = [];
      await put(CODE, b).expect(200);
      const res = await request(t.http).delete(`/admin/partners/${CODE}/schemas/retail:v1`).set(admin).expect(422);
      expect(res.body.errors).toHaveProperty(['partner.default_schema']);
    });
  });

  describe('a config written through the admin API is used by the very next Create Offer', () => {
    const CODE = 'LIVECFG';
    let key: string;

    beforeAll(async () => {
      await put(CODE, oneProductBundle(CODE, 'context.item.retail_value * 0.08')).expect(200);
      key = (await request(t.http).post(`/admin/partners/${CODE}/api-keys`).set(admin).send({ mode: 'live', name: 'main' }).expect(201)).body.key;
    });

    const createOffer = () => request(t.http).post(`/x/partners/${CODE}/offers`).set('X-Api-Key', key).send(RETAIL_REQUEST);

    it('prices with v1, then with v2 immediately after it is written', async () => {
      const first = await createOffer().expect(200);
      expect(first.body.offer_config_id).toBe('warranty');
      expect(first.body.products[0].details.finance.price.total_amount).toBe(103.92); // 1299 × 0.08

      await put(CODE, oneProductBundle(CODE, 'context.item.retail_value * 0.10')).expect(200);
      const second = await createOffer().expect(200);
      expect(second.body.products[0].details.finance.price.total_amount).toBe(129.9); // 1299 × 0.10

      await request(t.http).post(`/admin/partners/${CODE}/bundle/versions/1/restore`).set(admin).expect(200);
      const third = await createOffer().expect(200);
      expect(third.body.products[0].details.finance.price.total_amount).toBe(103.92);

      await request(t.http)
        .put(`/admin/partners/${CODE}/offer-configs/warranty`)
        .set(admin)
        .send({ name: 'Warranty', schema: 'retail:v1', products: [{ code: 'WARRANTY_2Y', name: '2 year warranty', pricing: { premium: '42.0' } }] })
        .expect(200);
      const fourth = await createOffer().expect(200);
      expect(fourth.body.products[0].details.finance.price.total_amount).toBe(42);
    });

    it('a config deleted through the admin API is gone for the next request', async () => {
      await request(t.http).delete(`/admin/partners/${CODE}/offer-configs/warranty`).set(admin).expect(200);
      const res = await createOffer().expect(404);
      expect(res.body.code).toBe('offer_not_found');
    });

    it('the audit log holds no key material', async () => {
      const res = await get(`/admin/audit?partner_code=${CODE}`).expect(200);
      expect(res.body.items.map((e: Json) => e.action)).toEqual(
        expect.arrayContaining(['bundle.write', 'bundle.restore:1', 'offer_config.put', 'offer_config.delete', 'api_key.create']),
      );
      expect(res.text).not.toContain(key);
      expect(res.text).not.toContain(TEST_ADMIN_KEY);
    });
  });

  describe('admin authentication and body validation', () => {
    const routes: Array<[string, string]> = [
      ['put', '/admin/partners/SHOPCO/bundle'],
      ['get', '/admin/partners/SHOPCO/bundle'],
      ['get', '/admin/partners/SHOPCO/bundle/versions'],
      ['get', '/admin/partners/SHOPCO/bundle/versions/1'],
      ['post', '/admin/partners/SHOPCO/bundle/versions/1/restore'],
      ['get', '/admin/partners/SHOPCO/schemas'],
      ['put', '/admin/partners/SHOPCO/schemas/retail:v1'],
      ['get', '/admin/partners/SHOPCO/schemas/retail:v1'],
      ['delete', '/admin/partners/SHOPCO/schemas/retail:v1'],
      ['get', '/admin/partners/SHOPCO/offer-configs'],
      ['put', '/admin/partners/SHOPCO/offer-configs/retail-warranty'],
      ['get', '/admin/partners/SHOPCO/offer-configs/retail-warranty'],
      ['delete', '/admin/partners/SHOPCO/offer-configs/retail-warranty'],
    ];

    it.each(routes)('%s %s without an admin key → 401', async (method, path) => {
      const req = (request(t.http) as unknown as Record<string, (p: string) => request.Test>)[method](path);
      const res = await (method === 'put' ? req.send(retail()) : req);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ type: 'auth_error' });
    });

    it.each(routes)('%s %s with a wrong admin key → 401', async (method, path) => {
      const req = (request(t.http) as unknown as Record<string, (p: string) => request.Test>)[method](path).set('X-Admin-Key', 'nope-' + TEST_ADMIN_KEY);
      const res = await (method === 'put' ? req.send(retail()) : req);
      expect(res.status).toBe(401);
    });

    it('a partner key on a bundle route → 403 access_denied', async () => {
      const partnerKey = (await request(t.http).post('/admin/partners/SHOPCO/api-keys').set(admin).send({ mode: 'live', name: 'k' }).expect(201)).body.key;
      const res = await request(t.http).get('/admin/partners/SHOPCO/bundle').set('X-Api-Key', partnerKey).expect(403);
      expect(res.body).toMatchObject({ type: 'auth_error', code: 'access_denied' });
      await request(t.http).put('/admin/partners/SHOPCO/bundle').set('X-Api-Key', partnerKey).send(retail()).expect(403);
      // a partner key is no admin key, whatever header carries it
      await request(t.http).put('/admin/partners/SHOPCO/bundle').set('X-Admin-Key', partnerKey).send(retail()).expect(401);
    });

    it('a write with a created admin key is attributed to that key', async () => {
      const created = (await request(t.http).post('/admin/admin-keys').set(admin).send({ name: 'ci' }).expect(201)).body;
      const b = oneProductBundle('ACTOR', '1.0');
      await request(t.http).put('/admin/partners/ACTOR/bundle').set('X-Admin-Key', created.key).send(b).expect(200);
      const versions = (await get('/admin/partners/ACTOR/bundle/versions').expect(200)).body as Json[];
      expect(versions[0].created_by).toMatch(/^admin-key:/);
      expect(versions[0].created_by).toContain(created.prefix);
      expect(versions[0].created_by).not.toContain(created.key);
      const audit = await get('/admin/audit?partner_code=ACTOR').expect(200);
      expect(audit.body.items[0]).toMatchObject({ action: 'bundle.write', actor: versions[0].created_by });
      expect(audit.text).not.toContain(created.key);
    });

    it('nothing changed through the refused calls', async () => {
      const res = await get('/admin/partners/SHOPCO/bundle/versions').expect(200);
      expect(res.body).toHaveLength(1);
    });
  });
});
