import type { ProductRule } from '@app/core';
import { checkSelection, groupStatesAfter, resolveProductRules } from './product-rules';

const rules: ProductRule[] = [
  {
    slug: 'warranty',
    products: ['WARRANTY_2Y', 'WARRANTY_3Y'],
    initial_state: 'show',
    min_select: 1,
    max_select: 1,
    events: [
      { on: 'select', product: 'WARRANTY_2Y', target: 'shipping', set_state: 'show' },
      { on: 'deselect', product: 'WARRANTY_3Y', target: 'shipping', set_state: 'hide' },
    ],
  },
  { slug: 'shipping', products: ['SHIPPING'], initial_state: 'hide', min_select: 0, max_select: 1, events: [] },
  { slug: 'extras', products: ['A', 'B'], initial_state: 'disable', min_select: 2, max_select: 2 },
];

describe('resolveProductRules', () => {
  it('rewrites codes to quote ids and keeps the group settings', () => {
    const ids = new Map([
      ['WARRANTY_2Y', 'q1'],
      ['WARRANTY_3Y', 'q2'],
      ['SHIPPING', 'q3'],
      ['A', 'q4'],
      ['B', 'q5'],
    ]);
    expect(resolveProductRules(rules, ids)).toEqual([
      {
        slug: 'warranty',
        product_ids: ['q1', 'q2'],
        initial_state: 'show',
        min_select: 1,
        max_select: 1,
        events: [
          { on: 'select', product_id: 'q1', target: 'shipping', set_state: 'show' },
          { on: 'deselect', product_id: 'q2', target: 'shipping', set_state: 'hide' },
        ],
      },
      { slug: 'shipping', product_ids: ['q3'], initial_state: 'hide', min_select: 0, max_select: 1, events: [] },
      { slug: 'extras', product_ids: ['q4', 'q5'], initial_state: 'disable', min_select: 2, max_select: 2, events: [] },
    ]);
  });

  it('drops failed products, empty groups, and events about failed products or dropped groups', () => {
    const ids = new Map([
      ['WARRANTY_3Y', 'q2'],
      ['A', 'q4'],
    ]);
    expect(resolveProductRules(rules, ids)).toEqual([
      { slug: 'warranty', product_ids: ['q2'], initial_state: 'show', min_select: 1, max_select: 1, events: [] },
      // min_select lowered to the products left, so the group can still be satisfied
      { slug: 'extras', product_ids: ['q4'], initial_state: 'disable', min_select: 1, max_select: 2, events: [] },
    ]);
  });

  it('no rules → []', () => {
    expect(resolveProductRules(undefined, new Map())).toEqual([]);
    expect(resolveProductRules(rules, new Map())).toEqual([]);
  });
});

describe('checkSelection', () => {
  const resolved = resolveProductRules(
    rules,
    new Map([
      ['WARRANTY_2Y', 'q1'],
      ['WARRANTY_3Y', 'q2'],
      ['SHIPPING', 'q3'],
      ['A', 'q4'],
      ['B', 'q5'],
    ]),
  );

  it('accepts a selection within every group bound', () => {
    expect(checkSelection(resolved, ['q1', 'q4', 'q5'])).toEqual([]);
    expect(checkSelection(resolved, ['q2', 'q3', 'q4', 'q5', 'unknown'])).toEqual([]);
  });

  it('reports too few in a required group and too many in another', () => {
    const v = checkSelection(
      resolved,
      ['q3', 'q4', 'q5', 'q1', 'q2'].filter((id) => id !== 'q1' && id !== 'q2'),
    );
    expect(v).toEqual([{ slug: 'warranty', selected: 0, min_select: 1, max_select: 1, message: expect.stringContaining('at least 1') }]);
    const v2 = checkSelection(resolved, ['q1', 'q2', 'q4', 'q5']);
    expect(v2).toEqual([{ slug: 'warranty', selected: 2, min_select: 1, max_select: 1, message: expect.stringContaining('at most 1') }]);
  });

  it('a required group asks for nothing while it is hidden or disabled, and for its minimum once an event shows it', () => {
    const gated = resolveProductRules(
      [
        {
          slug: 'warranty',
          products: ['WARRANTY_2Y', 'WARRANTY_3Y'],
          initial_state: 'show',
          min_select: 0,
          max_select: 1,
          events: [{ on: 'select', product: 'WARRANTY_2Y', target: 'shipping', set_state: 'show' }],
        },
        { slug: 'shipping', products: ['SHIPPING'], initial_state: 'hide', min_select: 1, max_select: 1, events: [] },
        { slug: 'extras', products: ['A'], initial_state: 'disable', min_select: 1, max_select: 1 },
      ],
      new Map([
        ['WARRANTY_2Y', 'q1'],
        ['WARRANTY_3Y', 'q2'],
        ['SHIPPING', 'q3'],
        ['A', 'q4'],
      ]),
    );
    // nothing shows shipping: hidden, so its min_select 1 is not asked; extras stays disabled
    expect(checkSelection(gated, [])).toEqual([]);
    expect(checkSelection(gated, ['q2'])).toEqual([]);
    // selecting WARRANTY_2Y shows shipping: now one of it is required
    expect(groupStatesAfter(gated, new Set(['q1'])).get('shipping')).toBe('show');
    expect(checkSelection(gated, ['q1'])).toEqual([
      { slug: 'shipping', selected: 0, min_select: 1, max_select: 1, message: expect.stringContaining('at least 1') },
    ]);
    expect(checkSelection(gated, ['q1', 'q3'])).toEqual([]);
    // max_select holds whatever the state
    expect(checkSelection(gated, ['q1', 'q2', 'q3'])).toEqual([
      { slug: 'warranty', selected: 2, min_select: 0, max_select: 1, message: expect.stringContaining('at most 1') },
    ]);
  });

  it('optional groups (min_select 0) may be left empty; no rules → no violations', () => {
    expect(checkSelection(resolved, ['q1', 'q4', 'q5']).some((v) => v.slug === 'shipping')).toBe(false);
    expect(checkSelection(undefined, ['x'])).toEqual([]);
  });
});
