import type { Product } from '@app/core';
import { quoteProduct } from './quote-product';
import { toProductResponse, toQuoteVars } from './product-response';
import type { CelVars, Evaluate, PricedQuote, QuoteResult } from './quotes.types';

const NOW = new Date('2026-11-25T10:00:00Z');
const vars: CelVars = {
  customer: { country: 'AU', currency: 'AUD', language: 'en' },
  context: { trip_cost: 376, departure_date: '2026-12-01', return_date: '2026-12-15', travellers: 2 },
  partner: {},
  now: NOW,
};

/** A fake evaluator: the expression text names a fixed value or a function of the variables. */
function fake(table: Record<string, unknown>): Evaluate {
  return (expr, v) => {
    if (!(expr in table)) throw new Error(`No such key: ${expr}`);
    const entry = table[expr];
    return typeof entry === 'function' ? (entry as (v: CelVars) => unknown)(v) : entry;
  };
}

const literals = fake({
  '0': 0n,
  '0.0': 0,
  '0.10': 0.1,
  '0.30': 0.3,
  '0.045': 0.045,
  '5.0': 5,
  '2000.0': 2000,
  '50.0': 50,
  true: true,
  false: false,
  'context.trip_cost * 0.045': (v: CelVars) => (v.context.trip_cost as number) * 0.045,
  'context.trip_cost': (v: CelVars) => v.context.trip_cost,
  'context.travellers <= 9.0': (v: CelVars) => (v.context.travellers as number) <= 9,
  'timestamp(context.departure_date)': (v: CelVars) => new Date(`${v.context.departure_date as string}T00:00:00Z`),
  "timestamp(context.return_date + 'T23:59:59Z')": (v: CelVars) => new Date(`${v.context.return_date as string}T23:59:59Z`),
  '1299.0 * 0.015': 1299 * 0.015,
  '0.1 + 0.2': 0.1 + 0.2,
  null: null,
  nan: NaN,
  '-1.0': -1,
  "'12'": '12',
  big: 123456789012345678901234567890n,
  '1e308': 1e308,
  '1e15': 1e15,
  '100000000.0': 100_000_000,
  boom: () => {
    throw new Error('no such overload: double * int');
  },
});

const travelBasic: Product = {
  code: 'TRAVEL_BASIC',
  type: 'xcover-product',
  name: 'Travel Basic',
  when: 'context.travellers <= 9.0',
  pricing: {
    premium: 'context.trip_cost * 0.045',
    tax_rate: '0.10',
    surcharge: '0',
    commission_rate: '0.30',
    min_premium: '5.0',
    max_premium: '2000.0',
  },
  policy: { start: 'timestamp(context.departure_date)', end: "timestamp(context.return_date + 'T23:59:59Z')" },
  benefits: [{ description: 'Trip cancellation', limit: 'context.trip_cost' }],
  pds_url: 'https://example.com/pds/travel-basic.pdf',
  files: [{ name: 'Policy wording', url: 'https://example.com/w.pdf', type: 'pdf' }],
  extra_fields: { tax_rate: '0.10', start: 'timestamp(context.departure_date)', n: '0', flag: 'true' },
};

function quote(product: Product, opts: { currency?: string; locale?: string; v?: CelVars; evaluate?: Evaluate } = {}): QuoteResult {
  return quoteProduct(product, {
    vars: opts.v ?? vars,
    currency: opts.currency ?? 'AUD',
    locale: opts.locale ?? 'en',
    evaluate: opts.evaluate ?? literals,
  });
}

function ok(r: QuoteResult): PricedQuote {
  if (!r.ok) throw new Error(`expected a quote, got ${r.message}`);
  return r.quote;
}

const simple = (premium: string, extra: Partial<Product['pricing']> = {}): Product => ({
  code: 'P',
  name: 'P',
  pricing: { premium, ...extra },
});

describe('quoteProduct: the TRAVEL_BASIC example', () => {
  it('prices TRAVEL_BASIC: 376 × 0.045 = 16.92, tax 1.69, total 18.61, commission 5.08', () => {
    const q = ok(quote(travelBasic));
    expect(q).toMatchObject({
      premiumMinor: 1692,
      surchargeMinor: 0,
      taxMinor: 169,
      priceMinor: 1861,
      priceWithoutTaxMinor: 1692,
      commissionMinor: 508,
      policyStart: new Date('2026-12-01T00:00:00Z'),
      policyEnd: new Date('2026-12-15T23:59:59Z'),
      benefits: [{ description: 'Trip cancellation', limitMinor: 37600 }],
      inputs: { premium: '16.919999999999998', tax_rate: '0.1', surcharge: '0', commission_rate: '0.3', min_premium: '5', max_premium: '2000' },
    });
    const all = new Set(['tax', 'surcharge', 'commission', 'benefits', 'experiment', 'tax_rate', 'start', 'n']);
    expect(toProductResponse(q, { id: 'q-1', extraFields: all, experiment: { key: 'price-test', variant: 'b' } })).toEqual({
      id: 'q-1',
      type: 'xcover-product',
      code: 'TRAVEL_BASIC',
      name: 'Travel Basic',
      details: {
        finance: {
          price: {
            total_amount: 18.61,
            total_amount_formatted: 'A$18.61',
            total_amount_without_tax: 16.92,
            total_amount_without_tax_formatted: 'A$16.92',
          },
          tax: { total_amount: 1.69, total_amount_formatted: 'A$1.69' },
          surcharge: { total_amount: 0, total_amount_formatted: 'A$0.00' },
          commission: { total_amount: 5.08, total_amount_formatted: 'A$5.08' },
        },
        policy_start_date: '2026-12-01T00:00:00+00:00',
        policy_end_date: '2026-12-15T23:59:59+00:00',
        pds_url: 'https://example.com/pds/travel-basic.pdf',
        files: [{ name: 'Policy wording', url: 'https://example.com/w.pdf', type: 'pdf' }],
        benefits: [{ description: 'Trip cancellation', limit: 376, limit_formatted: 'A$376.00' }],
        extra_fields: { tax_rate: 0.1, start: '2026-12-01T00:00:00+00:00', n: 0 },
        experiment: { key: 'price-test', variant: 'b' },
      },
    });
  });

  it('leaves out optional blocks unless named in extra_fields', () => {
    const r = toProductResponse(ok(quote(travelBasic)), { id: 'q', extraFields: new Set(), experiment: { key: 'k', variant: 'v' } });
    expect(Object.keys(r.details.finance)).toEqual(['price']);
    expect(r.details).not.toHaveProperty('benefits');
    expect(r.details).not.toHaveProperty('extra_fields');
    expect(r.details).not.toHaveProperty('experiment');
  });

  it('extra_fields: only the configured names asked for; `extra_fields` itself asks for all', () => {
    const q = ok(quote(travelBasic));
    expect(toProductResponse(q, { id: 'q', extraFields: new Set(['flag', 'unknown']) }).details.extra_fields).toEqual({ flag: true });
    expect(toProductResponse(q, { id: 'q', extraFields: new Set(['extra_fields']) }).details.extra_fields).toEqual({
      tax_rate: 0.1,
      start: '2026-12-01T00:00:00+00:00',
      n: 0,
      flag: true,
    });
    const bare = ok(quote(simple('5.0')));
    expect(toProductResponse(bare, { id: 'q', extraFields: new Set(['extra_fields']) }).details.extra_fields).toEqual({});
    expect(toProductResponse(bare, { id: 'q', extraFields: new Set(['experiment']) }).details).not.toHaveProperty('experiment');
  });

  it('formats for the locale: en → A$, en-AU → $', () => {
    const q = ok(quote(simple('50.0', { tax_rate: '0.10' }), { locale: 'en-AU' }));
    expect(toProductResponse(q, { id: 'q', extraFields: new Set() }).details.finance.price).toEqual({
      total_amount: 55,
      total_amount_formatted: '$55.00',
      total_amount_without_tax: 50,
      total_amount_without_tax_formatted: '$50.00',
    });
    const en = ok(quote(simple('50.0', { tax_rate: '0.10' })));
    expect(toProductResponse(en, { id: 'q', extraFields: new Set() }).details.finance.price.total_amount_formatted).toBe('A$55.00');
  });

  it('defaults: no policy → start now, end null; no type → xcover-product; no pds/files', () => {
    const q = ok(quote(simple('5.0')));
    expect(q.policyStart).toEqual(NOW);
    expect(q.policyEnd).toBeNull();
    const r = toProductResponse(q, { id: 'q', extraFields: new Set(['benefits']) });
    expect(r.type).toBe('xcover-product');
    expect(r.details).toMatchObject({
      policy_start_date: '2026-11-25T10:00:00+00:00',
      policy_end_date: null,
      pds_url: null,
      files: [],
      benefits: [],
    });
  });
});

describe('quoteProduct: golden amounts', () => {
  it('1299 × 0.015 → 19.485 → 19.49 (shortest round-trip, then half-up)', () => {
    expect((1299 * 0.015).toFixed(2)).toBe('19.48'); // the binary double is 19.48499999999999943…
    expect(String(1299 * 0.015)).toBe('19.485');
    expect(ok(quote(simple('1299.0 * 0.015'))).premiumMinor).toBe(1949);
  });

  it('0.1 + 0.2 → 0.3, no float residue', () => {
    const q = ok(quote(simple('0.1 + 0.2')));
    expect(q.inputs.premium).toBe('0.30000000000000004'); // the trace shows the evaluated double as is
    expect(q.premiumMinor).toBe(30);
    expect(toProductResponse(q, { id: 'q', extraFields: new Set() }).details.finance.price.total_amount).toBe(0.3);
  });

  it('JPY has no minor digits, KWD three', () => {
    const jpy = ok(quote(simple('1299.0 * 0.015', { tax_rate: '0.10' }), { currency: 'JPY' }));
    expect(jpy).toMatchObject({ premiumMinor: 19, taxMinor: 2, priceMinor: 21 });
    expect(toProductResponse(jpy, { id: 'q', extraFields: new Set() }).details.finance.price.total_amount_formatted).toBe('¥21');
    const kwd = ok(quote(simple('1299.0 * 0.015', { tax_rate: '0.10' }), { currency: 'KWD' }));
    expect(kwd).toMatchObject({ premiumMinor: 19485, taxMinor: 1949, priceMinor: 21434 });
    expect(toProductResponse(kwd, { id: 'q', extraFields: new Set() }).details.finance.price.total_amount).toBe(21.434);
  });

  it('clamps to min_premium and max_premium', () => {
    expect(ok(quote(simple('0.1 + 0.2', { min_premium: '5.0' }))).premiumMinor).toBe(500);
    expect(ok(quote(simple('0.0', { min_premium: '5.0' }))).premiumMinor).toBe(500);
    expect(ok(quote(simple('context.trip_cost', { max_premium: '50.0' }))).premiumMinor).toBe(5000);
    expect(ok(quote(simple('50.0', { min_premium: '5.0', max_premium: '2000.0' }))).premiumMinor).toBe(5000);
  });

  it('takes CEL ints exactly and rounds tax from the rounded premium + surcharge', () => {
    const q = ok(quote(simple('1299.0 * 0.015', { surcharge: '0.1 + 0.2', tax_rate: '0.10', commission_rate: '0.30' })));
    // premium 19.49, surcharge 0.30, tax round(19.79 × 0.1 = 1.979) = 1.98, commission round(5.847) = 5.85
    expect(q).toMatchObject({ premiumMinor: 1949, surchargeMinor: 30, taxMinor: 198, priceMinor: 2177, priceWithoutTaxMinor: 1979, commissionMinor: 585 });
  });
});

describe('quoteProduct: failures name the field', () => {
  const fails = (r: QuoteResult, ...fragments: string[]) => {
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('offer_quote_pricing_error');
    for (const f of fragments) expect(r.message).toContain(f);
  };

  it('a false when: the product conditions are not met', () => {
    fails(quote({ ...simple('5.0'), when: 'false' }), 'when', 'conditions are not met');
    fails(quote({ ...simple('5.0'), when: 'context.travellers <= 9.0' }, { v: { ...vars, context: { travellers: 12 } } }), 'not met');
    fails(quote({ ...simple('5.0'), when: '5.0' }), 'when', 'bool');
    fails(quote({ ...simple('5.0'), when: 'boom' }), 'when', 'no such overload');
  });

  it('negative, null, NaN, non-number or failing premium', () => {
    fails(quote(simple('-1.0')), 'pricing.premium', 'non-negative', '-1');
    fails(quote(simple('null')), 'pricing.premium', 'got null');
    fails(quote(simple('nan')), 'pricing.premium', 'NaN');
    fails(quote(simple("'12'")), 'pricing.premium', 'string');
    fails(quote(simple('boom')), 'pricing.premium', 'boom', 'no such overload');
    fails(quote(simple('context.missing')), 'pricing.premium', 'No such key');
  });

  it('other pricing fields', () => {
    fails(quote(simple('5.0', { tax_rate: '-1.0' })), 'pricing.tax_rate');
    fails(quote(simple('5.0', { surcharge: 'null' })), 'pricing.surcharge');
    fails(quote(simple('5.0', { commission_rate: 'boom' })), 'pricing.commission_rate');
    fails(quote(simple('5.0', { min_premium: '50.0', max_premium: '5.0' })), 'pricing.min_premium', 'pricing.max_premium');
    fails(quote(simple('big')), 'pricing.premium', 'largest supported');
  });

  it('a tax or commission rate whose amount is past the largest supported, even past a safe integer or a double, fails the product', () => {
    // 5.00 × 1e308: Infinity as a number of minor units; 5.00 × 1e15: 5e17 minor units, not a safe integer
    fails(quote(simple('5.0', { tax_rate: '1e308' })), 'pricing.tax_rate', 'amount 5e+308 AUD exceeds the largest supported amount');
    fails(quote(simple('5.0', { tax_rate: '1e15' })), 'pricing.tax_rate', 'amount 5000000000000000 AUD exceeds the largest supported amount');
    fails(quote(simple('5.0', { commission_rate: '1e308' })), 'pricing.commission_rate', 'amount 5e+308 AUD exceeds');
    // past the limit but still a safe integer: the amount to the minor unit
    fails(quote(simple('5.0', { tax_rate: '100000000.0' })), 'pricing.tax_rate', 'amount 500000000.00 AUD exceeds');
  });

  it('policy dates', () => {
    fails(quote({ ...simple('5.0'), policy: { start: '5.0' } }), 'policy.start', 'timestamp');
    fails(quote({ ...simple('5.0'), policy: { start: 'boom' } }), 'policy.start');
    fails(quote({ ...simple('5.0'), policy: { end: 'boom' } }), 'policy.end');
    fails(
      quote({ ...simple('5.0'), policy: { start: "timestamp(context.return_date + 'T23:59:59Z')", end: 'timestamp(context.departure_date)' } }),
      'policy.end',
      'not after',
    );
    // end equal to start is not after it
    fails(quote({ ...simple('5.0'), policy: { start: 'timestamp(context.departure_date)', end: 'timestamp(context.departure_date)' } }), 'policy.end');
  });

  it('benefits and extra fields', () => {
    fails(quote({ ...simple('5.0'), benefits: [{ description: 'x' }, { description: 'y', limit: 'boom' }] }), 'benefits[1].limit');
    fails(quote({ ...simple('5.0'), benefits: [{ description: 'y', excess: '-1.0' }] }), 'benefits[0].excess');
    fails(quote({ ...simple('5.0'), extra_fields: { a: 'boom' } }), 'extra_fields.a');
    fails(quote({ ...simple('5.0'), extra_fields: { a: 'nan' } }), 'extra_fields.a');
  });

  it('an unusable currency fails the product instead of throwing', () => {
    fails(quote(simple('5.0'), { currency: 'not-a-currency' }), 'currency');
  });
});

describe('quoteProduct: CEL value shapes', () => {
  class UnsignedInt {
    constructor(private readonly v: bigint) {}
    valueOf(): bigint {
      return this.v;
    }
  }
  class Duration {
    toString(): string {
      return '3600s';
    }
  }
  const shapes = fake({
    uint: new UnsignedInt(12n),
    rfc3339: '2026-12-01T00:00:00+10:00',
    dateOnly: '2026-12-01',
    duration: new Duration(),
    list: [1n, 2.5, new Date('2026-01-01T00:00:00Z')],
    map: new Map<string, unknown>([['a', 1n]]),
    huge: 2n ** 60n,
    bytes: new Uint8Array([1]),
  });

  it('takes uints as numbers and RFC 3339 strings as policy dates', () => {
    const q = ok(quote({ ...simple('uint'), policy: { start: 'rfc3339' } }, { evaluate: shapes }));
    expect(q.premiumMinor).toBe(1200);
    expect(q.policyStart.toISOString()).toBe('2026-11-30T14:00:00.000Z');
    const bad = quote({ ...simple('uint'), policy: { start: 'dateOnly' } }, { evaluate: shapes });
    expect(!bad.ok && bad.message).toContain('policy.start');
  });

  it('makes extra fields JSON', () => {
    const q = ok(quote({ ...simple('uint'), extra_fields: { u: 'uint', d: 'duration', l: 'list', m: 'map', h: 'huge' } }, { evaluate: shapes }));
    expect(q.extraFields).toEqual({ u: 12, d: '3600s', l: [1, 2.5, '2026-01-01T00:00:00+00:00'], m: { a: 1 }, h: '1152921504606846976' });
    const bad = quote({ ...simple('uint'), extra_fields: { b: 'bytes' } }, { evaluate: shapes });
    expect(!bad.ok && bad.message).toContain('extra_fields.b');
  });
});

describe('toQuoteVars', () => {
  it('gives numbers, formatted strings, timestamps and benefits', () => {
    const q = ok(
      quote({
        ...travelBasic,
        benefits: [
          { description: 'Trip cancellation', limit: 'context.trip_cost' },
          { description: 'Damage', excess: '50.0' },
        ],
      }),
    );
    expect(toQuoteVars(q)).toEqual({
      code: 'TRAVEL_BASIC',
      name: 'Travel Basic',
      premium: 16.92,
      premium_formatted: 'A$16.92',
      price: 18.61,
      price_formatted: 'A$18.61',
      tax: 1.69,
      tax_formatted: 'A$1.69',
      surcharge: 0,
      surcharge_formatted: 'A$0.00',
      commission: 5.08,
      commission_formatted: 'A$5.08',
      policy_start_date: new Date('2026-12-01T00:00:00Z'),
      policy_end_date: new Date('2026-12-15T23:59:59Z'),
      benefits: [
        { description: 'Trip cancellation', limit: 376, limit_formatted: 'A$376.00' },
        { description: 'Damage', excess: 50, excess_formatted: 'A$50.00' },
      ],
    });
  });

  it('leaves out policy_end_date for an open-ended policy', () => {
    const v = toQuoteVars(ok(quote(simple('5.0'))));
    expect(v).not.toHaveProperty('policy_end_date');
    expect(v.policy_start_date).toEqual(NOW);
    expect(v.benefits).toEqual([]);
  });
});
