/**
 * Configuration on the request path: a bundle written through the admin API is used by the very
 * next request, and no request compiles a schema or parses an expression.
 */
import { CelEnvironment } from '@app/core';
import { SchemaValidatorCache } from '@app/schemas';
import request from 'supertest';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app';
import { createKey, createOffer, goldBundle, goldRequest, MAIN_PRODUCT, putBundle } from '../support/offer-bundles';
import type { Bundle } from '@app/core';

/** gold bundle whose MAIN premium is a constant (so the price tells which version answered) */
function pricedBundle(code: string, premium: string): Bundle {
  const b = goldBundle(code);
  for (const c of b.offer_configs)
    c.products = c.products.map((p) => (p.code === 'MAIN' ? { ...MAIN_PRODUCT, pricing: { ...MAIN_PRODUCT.pricing, premium } } : p));
  return b;
}

describe('configuration on the request path (e2e)', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    await putBundle(t.http, pricedBundle('CFG', '50.0'));
    key = (await createKey(t.http, 'CFG', 'live')).key;
  });
  afterAll(async () => t.close());

  const mainPrice = async (): Promise<number> => {
    const res = await createOffer(t.http, 'CFG', key, goldRequest({ tax_rate: 0.1 })).expect(200);
    return res.body.products[0].details.finance.price.total_amount as number;
  };

  it('a bundle written through the admin API is used by the very next request, every time', async () => {
    expect(await mainPrice()).toBe(55);
    for (let i = 1; i <= 10; i++) {
      const premium = 50 + i;
      await putBundle(t.http, pricedBundle('CFG', `${premium}.0`));
      // premium + 10 % tax, from the version just written
      expect(await mainPrice()).toBeCloseTo(premium * 1.1, 10);
    }
  });

  it('a granular offer-config write is used by the next request too', async () => {
    const bundle = pricedBundle('CFG', '70.0');
    await putBundle(t.http, bundle);
    expect(await mainPrice()).toBe(77);
    const main = {
      ...bundle.offer_configs[0],
      products: bundle.offer_configs[0].products.map((p) => (p.code === 'MAIN' ? { ...p, pricing: { ...p.pricing, premium: '80.0' } } : p)),
    };
    const { id: _id, ...body } = main;
    const res = await request(t.http)
      .put('/admin/partners/CFG/offer-configs/gold-main')
      .set('X-Admin-Key', TEST_ADMIN_KEY)
      .send({ id: 'gold-main', ...body });
    expect(res.status).toBe(200);
    expect(await mainPrice()).toBe(88);
  });

  it('after a bundle write, create-offer requests compile no schema and parse no expression (not even the first)', async () => {
    const validators = t.app.get(SchemaValidatorCache);
    await putBundle(t.http, pricedBundle('CFG', '90.0'));
    const counts = () => ({
      parse: CelEnvironment.parseCount,
      compile: CelEnvironment.compileCount,
      check: CelEnvironment.checkCount,
      environments: CelEnvironment.environmentCount,
      ajv: validators.compileCount,
    });
    const before = counts();
    // every config of the bundle: main (with extra fields), rich (content placeholders, product rules), arith
    const bodies: Array<[unknown, string]> = [
      [goldRequest({ tax_rate: 0.1 }), ''],
      [goldRequest({ tax_rate: 0.1 }), 'extra_fields=tax,surcharge,commission,benefits,extra_fields,experiment'],
      [goldRequest({ kind: 'rich', destination: 'Rome' }), ''],
      [goldRequest({ kind: 'rich', destination: 'Rome' }, { language: 'fr-CA' }), ''],
      [goldRequest({ kind: 'arith', a: 0.1, b: 0.2 }), ''],
      [goldRequest({ kind: 'nomatch' }), ''],
      [goldRequest({ flag: false, premium: -1 }), ''],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [b, q] of bodies) {
        const res = await createOffer(t.http, 'CFG', key, b, q);
        expect(res.status).toBeLessThan(500);
      }
    }
    expect(counts()).toEqual(before);
  });

  it('the demo bundle seeded at start is warm for its first request too', async () => {
    const d = await startTestApp({ seedDemo: true });
    try {
      const demoKey = (await createKey(d.http, 'DEMO', 'live')).key;
      const validators = d.app.get(SchemaValidatorCache);
      // the seed wrote the bundle before the app started listening; any load after it warmed
      const before = { parse: CelEnvironment.parseCount, ajv: validators.compileCount };
      const { DEMO_TRAVEL_REQUEST } = await import('../../apps/api/src/seed/demo-bundle');
      await createOffer(d.http, 'DEMO', demoKey, DEMO_TRAVEL_REQUEST).expect(200);
      await createOffer(d.http, 'DEMO', demoKey, DEMO_TRAVEL_REQUEST).expect(200);
      expect({ parse: CelEnvironment.parseCount, ajv: validators.compileCount }).toEqual(before);
    } finally {
      await d.close();
    }
  });
});
