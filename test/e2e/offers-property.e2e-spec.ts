/**
 * Property-based Create Offer tests through HTTP (fast-check):
 * (a) for random valid contexts, price = premium + surcharge + tax to the minor unit, each amount
 *     as an exact decimal oracle computes it, and nothing negative;
 * (b) for random JSON bodies and query strings the endpoint never answers 5xx.
 */
import Decimal from 'decimal.js';
import fc from 'fast-check';
import request from 'supertest';
import type { Bundle } from '@app/core';
import { startTestApp, type TestApp } from '../support/app';
import { bodySchema, createKey, createOffer, GENEROUS_LIMITS, goldBundle, putBundle } from '../support/offer-bundles';

const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });
const DIGITS: Record<string, number> = { AUD: 2, EUR: 2, JPY: 0, KWD: 3, BHD: 3 };

const TRAVEL: Bundle = {
  partner: { code: 'PROP', name: 'Property', status: 'active', default_schema: 'trip:v1', rate_limits: GENEROUS_LIMITS },
  schemas: [
    {
      id: 'trip:v1',
      json_schema: bodySchema(
        {
          trip_cost: { type: 'number', minimum: 0, maximum: 100000 },
          travellers: { type: 'integer', minimum: 1, maximum: 20 },
        },
        ['trip_cost', 'travellers'],
      ),
    },
  ],
  offer_configs: [
    {
      id: 'trip',
      name: 'Trip',
      schema: 'trip:v1',
      status: 'active',
      products: [
        {
          code: 'TRIP',
          name: 'Trip',
          pricing: {
            premium: 'context.trip_cost * 0.045',
            surcharge: 'context.travellers * 1.255',
            tax_rate: '0.1',
            commission_rate: '0.3',
            min_premium: '5.0',
            max_premium: '2000.0',
          },
        },
      ],
    },
  ],
};

/** Minor units of a JSON amount (exact: the amount has at most `digits` decimals). */
const minor = (amount: number, digits: number) => {
  const m = new D(String(amount)).times(new D(10).pow(digits));
  expect(m.isInteger()).toBe(true);
  return m.toNumber();
};

/** the pricing oracle: double results through String(x), then decimal, half-up at each step */
function expected(tripCost: number, travellers: number, digits: number) {
  const round = (d: Decimal) => d.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP);
  let premium = new D(String(tripCost * 0.045));
  if (premium.lessThan(5)) premium = new D(5);
  if (premium.greaterThan(2000)) premium = new D(2000);
  const p = round(premium);
  const s = round(new D(String(travellers * 1.255)));
  const tax = round(p.plus(s).times('0.1'));
  const commission = round(p.times('0.3'));
  const scale = new D(10).pow(digits);
  return {
    premium: p.times(scale).toNumber(),
    surcharge: s.times(scale).toNumber(),
    tax: tax.times(scale).toNumber(),
    total: p.plus(s).plus(tax).times(scale).toNumber(),
    commission: commission.times(scale).toNumber(),
  };
}

describe('Create Offer properties (e2e)', () => {
  let t: TestApp;
  let key: string;
  let goldKey: string;

  beforeAll(async () => {
    t = await startTestApp();
    await putBundle(t.http, TRAVEL);
    await putBundle(t.http, goldBundle('GOLD'));
    key = (await createKey(t.http, 'PROP', 'live')).key;
    goldKey = (await createKey(t.http, 'GOLD', 'live')).key;
  });
  afterAll(async () => t.close());

  it('price = premium + surcharge + tax to the minor unit, every amount as the decimal oracle says, none negative', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.double({ min: 0, max: 100000, noNaN: true }),
          fc.integer({ min: 0, max: 100000 }),
          fc.constantFrom(0, 0.1, 0.2, 0.3, 111.11, 1299, 44444.44),
        ),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom('AUD', 'EUR', 'JPY', 'KWD', 'BHD'),
        async (tripCost, travellers, currency) => {
          const res = await createOffer(
            t.http,
            'PROP',
            key,
            { customer: { language: 'en', currency, country: 'AU' }, context: { trip_cost: tripCost, travellers } },
            'extra_fields=tax,surcharge,commission',
          );
          expect(res.status).toBe(200);
          const digits = DIGITS[currency];
          const f = res.body.products[0].details.finance;
          const total = minor(f.price.total_amount, digits);
          const withoutTax = minor(f.price.total_amount_without_tax, digits);
          const tax = minor(f.tax.total_amount, digits);
          const surcharge = minor(f.surcharge.total_amount, digits);
          const commission = minor(f.commission.total_amount, digits);
          expect(withoutTax + tax).toBe(total);
          for (const v of [total, withoutTax, tax, surcharge, commission]) expect(v).toBeGreaterThanOrEqual(0);
          const e = expected(JSON.parse(JSON.stringify(tripCost)) as number, travellers, digits);
          expect({ premium: withoutTax - surcharge, surcharge, tax, total, commission }).toEqual(e);
        },
      ),
      { numRuns: 120 },
    );
  });

  const jsonish = fc.jsonValue({ maxDepth: 3 });
  const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('', '__proto__', 'constructor', 'toString'));
  const num = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, 1e308, -1e308, 5e-324, 0.1, 2 ** 53 + 1));
  const anything = fc.oneof(jsonish, text, num, fc.constant(null), fc.boolean());

  const customer = fc.oneof(
    anything,
    fc.record(
      {
        currency: fc.oneof(fc.constantFrom('AUD', 'JPY', 'KWD', 'XXX', 'XXY', 'aud', ''), anything),
        language: fc.oneof(fc.constantFrom('en', 'fr-CA', 'fr', 'zz-ZZ', 'en_US', '', 'x'.repeat(10)), anything),
        country: fc.oneof(fc.constantFrom('AU', 'US', 'JP', 'ZZ', 'au'), anything),
        email: anything,
      },
      { requiredKeys: [] },
    ),
  );
  const context = fc.oneof(
    anything,
    fc.dictionary(text, anything, { maxKeys: 4 }),
    fc.record(
      {
        kind: fc.oneof(fc.constantFrom('main', 'rich', 'arith', 'nomatch', 'when-error'), anything),
        premium: fc.oneof(num, anything),
        tax_rate: num,
        surcharge: num,
        commission_rate: num,
        a: num,
        b: num,
        flag: fc.oneof(fc.boolean(), anything),
        optional_field: num,
        destination: fc.oneof(text, anything),
        constructor: anything,
      },
      { requiredKeys: [] },
    ),
  );
  const partner = fc.oneof(
    anything,
    fc.record(
      { subsidiary: fc.oneof(text, anything), transaction_id: fc.oneof(text, anything), customer_id: fc.oneof(text, anything), metadata: anything },
      { requiredKeys: [] },
    ),
  );
  /** nearly valid: the right shape, random values in and out of range, some random extras */
  const nearlyValid = fc.record({
    schema: fc.constantFrom('gold:v1', undefined),
    customer: fc.record({
      currency: fc.constantFrom('AUD', 'JPY', 'KWD', 'EUR'),
      language: fc.constantFrom('en', 'fr-CA', 'fr', 'de', 'zz-ZZ', 'en-US'),
      country: fc.constantFrom('AU', 'US', 'JP', 'CA', 'ZZ'),
    }),
    context: fc.record(
      {
        kind: fc.constantFrom('main', 'rich', 'arith', 'nomatch', 'when-error'),
        premium: fc.oneof(fc.double({ min: -1000, max: 1000000, noNaN: true }), fc.integer({ min: -10, max: 5000 })),
        tax_rate: fc.double({ min: 0, max: 1, noNaN: true }),
        surcharge: fc.double({ min: 0, max: 1e6, noNaN: true }),
        commission_rate: fc.double({ min: 0, max: 1, noNaN: true }),
        a: fc.double({ noNaN: true, noDefaultInfinity: true }),
        b: fc.double({ noNaN: true, noDefaultInfinity: true }),
        flag: fc.boolean(),
        optional_field: fc.double({ noNaN: true, noDefaultInfinity: true }),
        destination: text,
        [String('__proto__')]: anything,
      },
      { requiredKeys: ['premium', 'kind'] },
    ),
    partner: fc.record(
      { subsidiary: text, transaction_id: text, customer_id: text, metadata: fc.dictionary(text, jsonish, { maxKeys: 3 }) },
      { requiredKeys: [] },
    ),
  });
  const body = fc.oneof(
    { weight: 1, arbitrary: anything },
    { weight: 3, arbitrary: nearlyValid },
    {
      weight: 4,
      arbitrary: fc.record(
        { schema: fc.oneof(fc.constantFrom('gold:v1', 'nope:v1', ''), anything), customer, context, partner, extra: anything },
        { requiredKeys: [] },
      ),
    },
  );
  const query = fc.array(
    fc.tuple(
      fc.constantFrom('include_content', 'extra_fields', 'exclude_offer_ids', 'active_only', 'x'),
      fc.oneof(fc.constantFrom('true', 'false', 'tax,benefits', 'extra_fields,experiment', 'gold-main', ''), fc.string({ maxLength: 8 })),
    ),
    { maxLength: 3 },
  );

  it('random JSON bodies and queries never get a 5xx', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, query, async (b, q) => {
        const qs = q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const res = await request(t.http)
          .post(`/x/partners/GOLD/offers/${qs ? `?${qs}` : ''}`)
          .set('X-Api-Key', goldKey)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(b) ?? 'null');
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status).toBeLessThan(500);
        if (res.status === 200) {
          expect(res.body.offer_schema).toBe('gold:v1');
          expect(res.body.errors).toBeDefined();
        } else {
          expect(res.body).toEqual(expect.objectContaining({ type: expect.any(String), code: expect.any(String), error_id: expect.any(String) }));
        }
      }),
      { numRuns: 300 },
    );
    // the generator reaches past validation: some offers were made
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  });
});
