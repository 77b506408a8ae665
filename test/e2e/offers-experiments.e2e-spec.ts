/**
 * Experiments in Create Offer: stable assignment per unit, spread over the weights,
 * reported in `metadata.experiments` and (when asked) `details.experiment`, overrides priced.
 */
import request from 'supertest';
import type { Bundle } from '@app/core';
import { startTestApp, type TestApp } from '../support/app';
import { bodySchema, createKey, createOffer, GENEROUS_LIMITS, money, price, putBundle } from '../support/offer-bundles';

const EXP_BUNDLE: Bundle = {
  partner: { code: 'EXP', name: 'Experiments', status: 'active', default_schema: 'exp:v1', rate_limits: GENEROUS_LIMITS },
  schemas: [{ id: 'exp:v1', json_schema: bodySchema({ premium: { type: 'number', default: 100 }, two: { type: 'boolean', default: false } }) }],
  offer_configs: [
    {
      id: 'exp-one',
      name: 'One experiment',
      schema: 'exp:v1',
      status: 'active',
      when: '!context.two',
      products: [
        { code: 'MAIN', name: 'Main', pricing: { premium: 'context.premium', tax_rate: '0.1' } },
        { code: 'OTHER', name: 'Other', pricing: { premium: '1.0' } },
      ],
      experiments: [
        {
          key: 'price-test',
          unit: 'partner.customer_id',
          variants: [
            { name: 'a', weight: 70 },
            { name: 'b', weight: 30, overrides: { MAIN: { name: 'Main (half price)', pricing: { premium: 'context.premium * 0.5' } } } },
          ],
        },
      ],
    },
    {
      id: 'exp-two',
      name: 'Two experiments',
      schema: 'exp:v1',
      status: 'active',
      when: 'context.two',
      products: [{ code: 'MAIN', name: 'Main', pricing: { premium: 'context.premium' } }],
      experiments: [
        {
          key: 'first',
          unit: 'partner.customer_id',
          variants: [
            { name: 'p', weight: 1 },
            { name: 'q', weight: 1 },
          ],
        },
        {
          key: 'second',
          unit: 'customer.email',
          variants: [
            { name: 'x', weight: 1 },
            { name: 'y', weight: 1 },
          ],
        },
      ],
    },
  ],
};

const req = (customerId: string | undefined, context: Record<string, unknown> = {}) => ({
  customer: { language: 'en', currency: 'AUD', country: 'AU', email: 'e@example.com' },
  context,
  ...(customerId !== undefined ? { partner: { customer_id: customerId } } : {}),
});

describe('Create Offer experiments (e2e)', () => {
  let t: TestApp;
  let key: string;
  const create = (body: unknown, query = '') => createOffer(t.http, 'EXP', key, body, query);
  const variantOf = (res: request.Response): string => res.body.metadata.experiments[0].variant;

  beforeAll(async () => {
    t = await startTestApp();
    await putBundle(t.http, EXP_BUNDLE);
    key = (await createKey(t.http, 'EXP', 'live')).key;
  });
  afterAll(async () => t.close());

  it('the same partner.customer_id gets the same variant (and price) across 20 requests', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await create(req('customer-stable')).expect(200);
      seen.add(JSON.stringify([variantOf(res), res.body.products[0].details.finance.price]));
    }
    expect(seen.size).toBe(1);
  });

  it('different customers spread over the variants by weight (70/30, loosely)', async () => {
    const counts: Record<string, number> = { a: 0, b: 0 };
    for (let i = 0; i < 200; i++) {
      const res = await create(req(`customer-${i}`)).expect(200);
      counts[variantOf(res)]++;
    }
    expect(counts.a + counts.b).toBe(200);
    expect(counts.a).toBeGreaterThanOrEqual(115);
    expect(counts.a).toBeLessThanOrEqual(165);
  });

  it("metadata.experiments always; details.experiment only when asked, only on covered products; the variant's override changes the price", async () => {
    // find one customer in each variant
    const byVariant = new Map<string, request.Response>();
    for (let i = 0; byVariant.size < 2 && i < 100; i++) {
      const res = await create(req(`probe-${i}`), 'extra_fields=experiment,tax');
      if (!byVariant.has(variantOf(res))) byVariant.set(variantOf(res), res);
    }
    const a = byVariant.get('a')!;
    const b = byVariant.get('b')!;
    expect(a.body.metadata).toEqual({ experiments: [{ key: 'price-test', variant: 'a' }] });
    expect(b.body.metadata).toEqual({ experiments: [{ key: 'price-test', variant: 'b' }] });

    expect(a.body.products[0]).toEqual(
      expect.objectContaining({
        code: 'MAIN',
        name: 'Main',
        details: expect.objectContaining({
          finance: { price: price(110, '$110.00', 100, '$100.00'), tax: money(10, '$10.00') },
          experiment: { key: 'price-test', variant: 'a' },
        }),
      }),
    );
    expect(b.body.products[0]).toEqual(
      expect.objectContaining({
        code: 'MAIN',
        name: 'Main (half price)',
        details: expect.objectContaining({
          finance: { price: price(55, '$55.00', 50, '$50.00'), tax: money(5, '$5.00') },
          experiment: { key: 'price-test', variant: 'b' },
        }),
      }),
    );
    // OTHER is named by no variant: not subject to the experiment, same price in both
    for (const r of [a, b]) {
      expect(r.body.products[1].code).toBe('OTHER');
      expect(r.body.products[1].details).not.toHaveProperty('experiment');
      expect(r.body.products[1].details.finance.price.total_amount).toBe(1);
    }

    // not asked: no details.experiment, metadata still there
    const plain = await create(req('probe-0')).expect(200);
    expect(plain.body.products[0].details).not.toHaveProperty('experiment');
    expect(plain.body.metadata.experiments).toHaveLength(1);

    // stored with the offer
    const stored = await request(t.http).get(`/x/partners/EXP/offers/${b.body.id}/`).set('X-Api-Key', key).expect(200);
    expect(stored.body.metadata).toEqual({ experiments: [{ key: 'price-test', variant: 'b' }] });
  });

  it('without the unit value the offer id is the unit: variants vary between offers', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 2; i++) seen.add(variantOf(await create(req(undefined)).expect(200)));
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('several experiments are all listed in order, each with its own unit', async () => {
    const firsts = new Set<string>();
    const seconds = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const res = await create(req(`multi-${i}`, { two: true })).expect(200);
      expect(res.body.offer_config_id).toBe('exp-two');
      const [first, second] = res.body.metadata.experiments;
      expect(res.body.metadata.experiments).toHaveLength(2);
      expect(first).toEqual({ key: 'first', variant: expect.stringMatching(/^[pq]$/) });
      expect(second).toEqual({ key: 'second', variant: expect.stringMatching(/^[xy]$/) });
      firsts.add(first.variant);
      seconds.add(second.variant);
    }
    // `first` follows the customer id (varies), `second` the email (the same for all)
    expect(firsts.size).toBe(2);
    expect(seconds.size).toBe(1);
  });
});
