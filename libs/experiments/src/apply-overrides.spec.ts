import type { Product } from '@app/core';
import { applyOverrides } from './apply-overrides';
import type { VariantAssignment } from './experiments.types';

const products: Product[] = [
  { code: 'P1', name: 'One', pricing: { premium: 'context.v * 0.1', tax_rate: '0.1', min_premium: '5.0' } },
  { code: 'P2', name: 'Two', pricing: { premium: '3.0' } },
];

const assignment = (over: Partial<VariantAssignment>): VariantAssignment => ({
  key: 'price-test',
  variant: 'b',
  overrides: {},
  productCodes: [],
  unit: 'u',
  ...over,
});

describe('applyOverrides', () => {
  it('replaces name and merges pricing field by field, without mutating inputs', () => {
    const before = JSON.stringify(products);
    const { products: out, experimentByCode } = applyOverrides(products, [
      assignment({ overrides: { P1: { name: 'One (promo)', pricing: { premium: 'context.v * 0.07' } } }, productCodes: ['P1'] }),
    ]);
    expect(out[0]).toEqual({
      code: 'P1',
      name: 'One (promo)',
      pricing: { premium: 'context.v * 0.07', tax_rate: '0.1', min_premium: '5.0' },
    });
    expect(out[1]).toBe(products[1]);
    expect(JSON.stringify(products)).toBe(before);
    expect([...experimentByCode]).toEqual([['P1', { key: 'price-test', variant: 'b' }]]);
  });

  it('records the experiment for a control variant too (any variant names the product)', () => {
    const { products: out, experimentByCode } = applyOverrides(products, [assignment({ variant: 'a', productCodes: ['P2'] })]);
    expect(out).toEqual(products);
    expect(experimentByCode.get('P2')).toEqual({ key: 'price-test', variant: 'a' });
    expect(experimentByCode.has('P1')).toBe(false);
  });

  it('an experiment that names no product covers every product', () => {
    const { experimentByCode } = applyOverrides(products, [assignment({ key: 'aa', variant: 'x' })]);
    expect(experimentByCode.get('P1')).toEqual({ key: 'aa', variant: 'x' });
    expect(experimentByCode.get('P2')).toEqual({ key: 'aa', variant: 'x' });
  });

  it('later experiments win on fields both set, and are the ones recorded', () => {
    const { products: out, experimentByCode } = applyOverrides(products, [
      assignment({ key: 'e1', variant: 'v1', overrides: { P1: { pricing: { premium: '1.0', surcharge: '2.0' } } }, productCodes: ['P1'] }),
      assignment({ key: 'e2', variant: 'v2', overrides: { P1: { pricing: { premium: '9.0' } } }, productCodes: ['P1'] }),
    ]);
    expect(out[0].pricing).toEqual({ premium: '9.0', surcharge: '2.0', tax_rate: '0.1', min_premium: '5.0' });
    expect(experimentByCode.get('P1')).toEqual({ key: 'e2', variant: 'v2' });
  });
});
