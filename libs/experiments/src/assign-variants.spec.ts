import type { Experiment } from '@app/core';
import { assignVariants, bucketOf, pickByWeight, unitEvaluator, unitValueToString } from './assign-variants';
import type { CelVars, Evaluate } from './experiments.types';

const split = (key: string, a: number, b: number): Experiment => ({
  key,
  unit: 'partner.customer_id',
  variants: [
    { name: 'a', weight: a },
    { name: 'b', weight: b, overrides: { P1: { pricing: { premium: '2.0' } } } },
  ],
});

function share(exp: Experiment, n: number, unitOf: (i: number) => string | null, offerOf = (i: number) => `offer-${i}`): number {
  let a = 0;
  for (let i = 0; i < n; i++) {
    const [assignment] = assignVariants([exp], () => unitOf(i), offerOf(i));
    if (assignment.variant === 'a') a++;
  }
  return a / n;
}

describe('bucketOf / pickByWeight', () => {
  it('is deterministic and in [0, 1)', () => {
    const u = bucketOf('price-test', 'cust-7');
    expect(u).toBe(bucketOf('price-test', 'cust-7'));
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
    expect(bucketOf('other-test', 'cust-7')).not.toBe(u);
  });

  it('walks cumulative weights', () => {
    expect(pickByWeight([80, 20], 0)).toBe(0);
    expect(pickByWeight([80, 20], 0.7999)).toBe(0);
    expect(pickByWeight([80, 20], 0.8)).toBe(1);
    expect(pickByWeight([1, 1, 2], 0.49)).toBe(1);
    expect(pickByWeight([1, 1, 2], 0.99999)).toBe(2);
    expect(pickByWeight([0.5, 0.25], 0.7)).toBe(1);
    expect(pickByWeight([], 0.5)).toBe(-1);
  });
});

describe('assignVariants', () => {
  it('the same unit always lands in the same variant', () => {
    const exp = split('price-test', 50, 50);
    for (let i = 0; i < 200; i++) {
      const first = assignVariants([exp], () => `cust-${i}`, `offer-a-${i}`)[0].variant;
      for (let j = 0; j < 3; j++) {
        expect(assignVariants([exp], () => `cust-${i}`, `offer-b-${i}-${j}`)[0].variant).toBe(first);
      }
    }
  });

  it('respects 80/20 weights within ±2 points over 10k units', () => {
    expect(Math.abs(share(split('warranty-price', 80, 20), 10_000, (i) => `cust-${i}`) - 0.8)).toBeLessThanOrEqual(0.02);
  });

  it('respects 50/50 weights within ±2 points over 10k units', () => {
    expect(Math.abs(share(split('price-test', 50, 50), 10_000, (i) => `c${i}@example.com`) - 0.5)).toBeLessThanOrEqual(0.02);
  });

  it('falls back to the offer id when the unit is missing, so offers spread over variants', () => {
    const exp = split('price-test', 50, 50);
    const fromOfferIds = share(exp, 10_000, () => null);
    expect(Math.abs(fromOfferIds - 0.5)).toBeLessThanOrEqual(0.02);
    const [a] = assignVariants([exp], () => null, 'offer-1');
    expect(a.unit).toBe('offer-1');
    const [b] = assignVariants([exp], () => '', 'offer-1');
    expect(b.unit).toBe('offer-1');
    expect(b.variant).toBe(a.variant);
    const noUnit: Experiment = { key: 'x', variants: exp.variants };
    let called = false;
    expect(assignVariants([noUnit], () => ((called = true), 'u'), 'offer-9')[0].unit).toBe('offer-9');
    expect(called).toBe(false);
  });

  it("returns the variant's overrides and every product code the experiment touches", () => {
    const exp = split('price-test', 50, 50);
    const results = new Map<string, unknown>();
    for (let i = 0; i < 50; i++) {
      const [r] = assignVariants([exp], () => `u${i}`, 'o');
      results.set(r.variant, r.overrides);
      expect(r.productCodes).toEqual(['P1']);
      expect(r.key).toBe('price-test');
    }
    expect(results.get('a')).toEqual({});
    expect(results.get('b')).toEqual({ P1: { pricing: { premium: '2.0' } } });
  });

  it('assigns each experiment independently, in order', () => {
    const r = assignVariants([split('one', 50, 50), split('two', 1, 0.0001)], () => 'u', 'o');
    expect(r.map((x) => x.key)).toEqual(['one', 'two']);
    expect(assignVariants(undefined, () => null, 'o')).toEqual([]);
  });
});

describe('unitEvaluator', () => {
  const vars: CelVars = { customer: {}, context: {}, partner: { customer_id: 'cust-7' }, now: new Date(0) };
  const evaluate: Evaluate = (expr, v) => {
    if (expr === 'partner.customer_id') return v.partner.customer_id;
    if (expr === 'context.n') return 42n;
    throw new Error('No such key');
  };

  it('evaluates the unit and stringifies it; errors fall back to null', () => {
    const unitOf = unitEvaluator(evaluate, vars);
    expect(unitOf({ key: 'k', unit: 'partner.customer_id', variants: [] })).toBe('cust-7');
    expect(unitOf({ key: 'k', unit: 'context.n', variants: [] })).toBe('42');
    expect(unitOf({ key: 'k', unit: 'partner.nope', variants: [] })).toBeNull();
    expect(unitOf({ key: 'k', variants: [] })).toBeNull();
  });

  it('unitValueToString', () => {
    expect(unitValueToString(1.5)).toBe('1.5');
    expect(unitValueToString(true)).toBe('true');
    expect(unitValueToString(new Date('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00.000Z');
    expect(unitValueToString(null)).toBeNull();
    expect(unitValueToString([1])).toBeNull();
  });
});
