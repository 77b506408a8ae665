/**
 * Admin preview: the offer a Create Offer request would get, with a trace of every
 * decision, nothing stored; optionally against a candidate bundle.
 */
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app';
import { partnerSchemaCompileCount } from '@app/schemas';
import { bodySchema, createKey, GOLD_SCHEMA, goldBundle, goldRequest, MAIN_PRODUCT, price, putBundle, UUID } from '../support/offer-bundles';

describe('POST /admin/partners/{code}/offers/preview (e2e)', () => {
  let t: TestApp;
  let key: string;

  const preview = (code: string, body: Record<string, unknown>, query = '') =>
    request(t.http)
      .post(`/admin/partners/${code}/offers/preview${query ? `?${query}` : ''}`)
      .set('X-Admin-Key', TEST_ADMIN_KEY)
      .send(body);
  const offerCount = async (): Promise<number> => Number((await t.app.get(DataSource).query<Array<{ n: unknown }>>('SELECT COUNT(*) AS n FROM offers'))[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    const bundle = goldBundle('PRV');
    bundle.offer_configs.push({
      id: 'gold-draft',
      name: 'Draft',
      schema: 'gold:v1',
      status: 'draft',
      priority: 99,
      products: [{ code: 'D', name: 'D', pricing: { premium: '3.0' } }],
    });
    await putBundle(t.http, bundle);
    key = (await createKey(t.http, 'PRV', 'live')).key;
  });
  afterAll(async () => t.close());

  it('200 { status: 200, offer, trace, bundle_version }: every config with its when/access, every product with inputs and price; nothing stored', async () => {
    const before = await offerCount();
    const res = await preview(
      'PRV',
      { request: goldRequest({ kind: 'rich', premium: 50, tax_rate: 0.1, destination: 'Oslo', flag: false }) },
      'extra_fields=tax',
    );
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['bundle_version', 'offer', 'status', 'trace']);
    expect(res.body.status).toBe(200);
    expect(res.body.bundle_version).toBe(1);
    const offer = res.body.offer;
    expect(offer).toEqual(
      expect.objectContaining({
        id: expect.stringMatching(UUID),
        offer_config_id: 'gold-rich',
        errors: { ADDON: { code: 'offer_quote_pricing_error', message: expect.stringMatching(/^when: /) } },
      }),
    );
    expect(offer.products).toHaveLength(1);
    expect(offer.products[0].details.finance).toEqual({ price: price(55, '$55.00', 50, '$50.00'), tax: { total_amount: 5, total_amount_formatted: '$5.00' } });

    const when = (expression: string, result: boolean) => ({ expression, result });
    const entry = (config_id: string, priority: number, extra: Record<string, unknown>) => ({
      config_id,
      priority,
      schema_match: true,
      status: 'active',
      status_ok: true,
      excluded: false,
      when: null,
      access: null,
      selected: false,
      ...extra,
    });
    expect(res.body.trace).toEqual({
      schema: 'gold:v1',
      configs: [
        // a live key does not see drafts
        entry('gold-draft', 99, { status: 'draft', status_ok: false }),
        entry('gold-main', 10, { when: when("context.kind == 'main'", false) }),
        entry('gold-rich', 10, { when: when("context.kind == 'rich'", true), access: { admitted: true }, selected: true }),
        entry('gold-arith', 0, { when: when("context.kind == 'arith'", false) }),
        entry('gold-when-error', 0, { when: when("context.kind == 'when-error' && context.optional_field > 1.0", false) }),
      ],
      experiments: [],
      products: [
        {
          code: 'MAIN',
          ok: true,
          inputs: { premium: '50', min_premium: '5', max_premium: '2000', surcharge: '0', tax_rate: '0.1', commission_rate: '0' },
          price: 55,
          amounts: { premium: 50, surcharge: 0, tax: 5, total: 55, total_without_tax: 50, commission: 0 },
        },
        { code: 'ADDON', ok: false, error: { code: 'offer_quote_pricing_error', message: expect.stringMatching(/^when: /) } },
      ],
      content_language: 'en',
    });

    expect(await offerCount()).toBe(before);
    const stored = await request(t.http).get(`/x/partners/PRV/offers/${offer.id}/`).set('X-Api-Key', key);
    expect(stored.status).toBe(404);
    expect(stored.body.code).toBe('offer_not_found');
  });

  it('key_mode test sees draft configs; exclude_offer_ids is honoured', async () => {
    const test = await preview('PRV', { request: goldRequest(), key_mode: 'test' });
    expect(test.body.offer.offer_config_id).toBe('gold-draft');
    const excluded = await preview('PRV', { request: goldRequest(), key_mode: 'test' }, 'exclude_offer_ids=gold-draft');
    expect(excluded.body.offer.offer_config_id).toBe('gold-main');
    expect(excluded.body.trace.configs[0]).toEqual(expect.objectContaining({ config_id: 'gold-draft', status_ok: true, excluded: true, when: null }));
  });

  it('a failing request: { status: 404, error: { code: offer_not_found_no_match_context … }, trace }', async () => {
    const res = await preview('PRV', { request: goldRequest({ kind: 'nomatch' }) }).expect(200);
    expect(res.body).toEqual({
      status: 404,
      error: { code: 'offer_not_found_no_match_context', message: expect.any(String) },
      trace: expect.objectContaining({ schema: 'gold:v1', products: [], content_language: null }),
      bundle_version: 1,
    });
    expect(res.body.trace.configs.map((c: { config_id: string; when: unknown }) => [c.config_id, c.when])).toEqual([
      ['gold-draft', null],
      ['gold-main', { expression: "context.kind == 'main'", result: false }],
      ['gold-rich', { expression: "context.kind == 'rich'", result: false }],
      ['gold-arith', { expression: "context.kind == 'arith'", result: false }],
      ['gold-when-error', { expression: "context.kind == 'when-error' && context.optional_field > 1.0", result: false }],
    ]);
  });

  it('other failures keep their status, code and details: 422 validation (with errors), 422 expression error', async () => {
    const invalid = await preview('PRV', { request: { schema: 'gold:v1', customer: { currency: 'AUD' }, context: {} } }).expect(200);
    expect(invalid.body).toEqual({
      status: 422,
      error: { code: 'offer_validation_error', message: 'Request validation failed', errors: { '/context/premium': ['is required'] } },
      trace: expect.any(Object),
      bundle_version: 1,
    });
    const expr = await preview('PRV', { request: goldRequest({ kind: 'when-error' }) }).expect(200);
    expect(expr.body.status).toBe(422);
    expect(expr.body.error).toEqual(
      expect.objectContaining({ code: 'offer_expression_error', offer_config_id: 'gold-when-error', expression: expect.any(String) }),
    );
    const entry = expr.body.trace.configs.find((c: { config_id: string }) => c.config_id === 'gold-when-error');
    expect(entry.when).toEqual({ expression: "context.kind == 'when-error' && context.optional_field > 1.0", error: expect.stringMatching(/optional_field/) });
  });

  it('a candidate bundle is used instead of the one in force (bundle_version "candidate"), and applies nothing', async () => {
    const candidate = goldBundle('PRV');
    candidate.offer_configs[0].products = [{ ...MAIN_PRODUCT, pricing: { ...MAIN_PRODUCT.pricing, premium: 'context.premium * 2.0' } }];
    const res = await preview('PRV', { request: goldRequest({ premium: 50 }), bundle: candidate }).expect(200);
    expect(res.body.status).toBe(200);
    expect(res.body.bundle_version).toBe('candidate');
    expect(res.body.offer.products.map((p: { code: string }) => p.code)).toEqual(['MAIN']);
    expect(res.body.offer.products[0].details.finance.price.total_amount).toBe(100);

    // the bundle in force is unchanged
    const live = await preview('PRV', { request: goldRequest({ premium: 50 }) }).expect(200);
    expect(live.body.bundle_version).toBe(1);
    expect(live.body.offer.products[0].details.finance.price.total_amount).toBe(50);
    const versions = await request(t.http).get('/admin/partners/PRV/bundle/versions').set('X-Admin-Key', TEST_ADMIN_KEY).expect(200);
    expect(versions.body).toHaveLength(1);
  });

  it('a candidate bundle costs no schema compile while only its configs change; a changed schema is compiled once, and used', async () => {
    const edited = (premium: string) => {
      const candidate = goldBundle('PRV');
      candidate.offer_configs[0].products = [{ ...MAIN_PRODUCT, pricing: { ...MAIN_PRODUCT.pricing, premium } }];
      return candidate;
    };
    const before = partnerSchemaCompileCount();
    // an operator editing pricing: the schema is the one in force, compiled when it was written
    for (const [premium, total] of [
      ['context.premium * 2.0', 100],
      ['context.premium * 3.0', 150],
    ] as const) {
      const res = await preview('PRV', { request: goldRequest({ premium: 50 }), bundle: edited(premium) }).expect(200);
      expect(res.body.offer.products[0].details.finance.price.total_amount).toBe(total);
    }
    expect(partnerSchemaCompileCount() - before).toBe(0);

    // a schema that now requires `destination`: checked, compiled once, and the preview validates with it
    const changed = edited('context.premium * 2.0');
    changed.schemas[0].json_schema = bodySchema((GOLD_SCHEMA.properties as { context: { properties: Record<string, unknown> } }).context.properties, [
      'premium',
      'destination',
    ]);
    for (let i = 0; i < 2; i++) {
      const res = await preview('PRV', { request: goldRequest({ premium: 50 }), bundle: changed }).expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          status: 422,
          error: expect.objectContaining({ code: 'offer_validation_error', errors: { '/context/destination': ['is required'] } }),
        }),
      );
    }
    expect(partnerSchemaCompileCount() - before).toBe(1);
    // the schema in force still validates as before
    const live = await preview('PRV', { request: goldRequest({ premium: 50 }) }).expect(200);
    expect(live.body.status).toBe(200);
  });

  it('a candidate bundle for a partner that does not exist yet can be previewed', async () => {
    const res = await preview('NEWP', { request: goldRequest({ premium: 20 }), bundle: goldBundle('NEWP') }).expect(200);
    expect(res.body).toEqual(expect.objectContaining({ status: 200, bundle_version: 'candidate' }));
    expect((await request(t.http).get('/admin/partners/NEWP').set('X-Admin-Key', TEST_ADMIN_KEY)).status).toBe(404);
  });

  it('an invalid candidate bundle → 422 bundle_invalid listing its problems', async () => {
    const bad = goldBundle('PRV');
    bad.offer_configs[0].products[0] = { ...MAIN_PRODUCT, pricing: { premium: 'context.premium * 5' } };
    const res = await preview('PRV', { request: goldRequest(), bundle: bad });
    expect(res.status).toBe(422);
    expect(res.body).toEqual(
      expect.objectContaining({
        type: 'validation_error',
        code: 'bundle_invalid',
        errors: expect.objectContaining({ 'offer_configs[0].products[0].pricing.premium': [expect.stringMatching(/double/)] }),
      }),
    );
    const otherCode = await preview('PRV', { request: goldRequest(), bundle: goldBundle('ELSE') });
    expect(otherCode.status).toBe(422);
    expect(otherCode.body.code).toBe('bundle_invalid');
  });

  it('unknown partner without a candidate → 404; a partner key → 403; the body is validated (422)', async () => {
    expect((await preview('NOPE', { request: goldRequest() })).status).toBe(404);
    const partnerKey = await request(t.http).post('/admin/partners/PRV/offers/preview').set('X-Admin-Key', key).send({ request: goldRequest() });
    expect([401, 403]).toContain(partnerKey.status);
    const asPartner = await request(t.http).post('/admin/partners/PRV/offers/preview').set('X-Api-Key', key).send({ request: goldRequest() });
    expect([401, 403]).toContain(asPartner.status);
    const noRequest = await preview('PRV', { nope: 1 });
    expect(noRequest.status).toBe(422);
    const badMode = await preview('PRV', { request: goldRequest(), key_mode: 'root' });
    expect(badMode.status).toBe(422);
  });
});
