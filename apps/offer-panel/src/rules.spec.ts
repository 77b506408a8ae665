import { describe, expect, it } from '@jest/globals';
import type { ProductRule } from './offer.types';
import {
  canSelect,
  createRulesModel,
  groupShortfalls,
  initialSelectionState,
  isSelectionValid,
  isSingleChoice,
  productState,
  selectedQuotes,
  setProductSelected,
  type RulesModel,
  type SelectionState,
} from './rules';

/** Applies (id, selected) steps in turn from the initial state. */
function run(model: RulesModel, steps: Array<[string, boolean]>): SelectionState {
  return steps.reduce((state, [id, selected]) => setProductSelected(model, state, id, selected), initialSelectionState(model));
}

/** The retail example: a warranty whose selection reveals shipping protection. */
const RETAIL_RULES: ProductRule[] = [
  {
    slug: 'warranty',
    product_ids: ['q-warranty'],
    initial_state: 'show',
    min_select: 0,
    max_select: 1,
    events: [{ on: 'select', product_id: 'q-warranty', target: 'shipping', set_state: 'show' }],
  },
  { slug: 'shipping', product_ids: ['q-shipping'], initial_state: 'hide', min_select: 0, max_select: 1, events: [] },
];

describe('without product rules', () => {
  const model = createRulesModel(['a', 'b', 'c'], undefined);

  it('every product is shown, independent and selectable', () => {
    const state = initialSelectionState(model);
    expect(state).toEqual({ groupStates: {}, selected: [] });
    for (const id of ['a', 'b', 'c']) {
      expect(productState(model, state, id)).toBe('show');
      expect(isSingleChoice(model, id)).toBe(false);
      expect(canSelect(model, state, id)).toBe(true);
    }
  });

  it('selects several, keeps the offer order, deselects', () => {
    const state = run(model, [
      ['c', true],
      ['a', true],
      ['b', true],
      ['b', false],
    ]);
    expect(state.selected).toEqual(['a', 'c']);
    expect(selectedQuotes(state)).toEqual([{ id: 'a' }, { id: 'c' }]);
    expect(isSelectionValid(model, state)).toBe(true);
  });

  it('an empty selection is valid; an empty rules list behaves the same', () => {
    expect(isSelectionValid(model, initialSelectionState(model))).toBe(true);
    const empty = createRulesModel(['a'], []);
    expect(empty.groups).toEqual([]);
    expect(canSelect(empty, initialSelectionState(empty), 'a')).toBe(true);
  });

  it('refuses unknown products and leaves the state untouched for no-op changes', () => {
    const state = initialSelectionState(model);
    expect(canSelect(model, state, 'zzz')).toBe(false);
    expect(setProductSelected(model, state, 'zzz', true)).toBe(state);
    expect(setProductSelected(model, state, 'a', false)).toBe(state);
    const selected = setProductSelected(model, state, 'a', true);
    expect(setProductSelected(model, selected, 'a', true)).toBe(selected);
  });
});

describe('initial group states', () => {
  it('each group starts in its initial_state', () => {
    const model = createRulesModel(
      ['a', 'b', 'c'],
      [
        { slug: 'one', product_ids: ['a'], initial_state: 'show', min_select: 0, max_select: 1 },
        { slug: 'two', product_ids: ['b'], initial_state: 'hide', min_select: 0, max_select: 1 },
        { slug: 'three', product_ids: ['c'], initial_state: 'disable', min_select: 0, max_select: 1 },
      ],
    );
    const state = initialSelectionState(model);
    expect(state.groupStates).toEqual({ one: 'show', two: 'hide', three: 'disable' });
    expect(productState(model, state, 'a')).toBe('show');
    expect(productState(model, state, 'b')).toBe('hide');
    expect(productState(model, state, 'c')).toBe('disable');
  });

  it('an unknown initial_state counts as show', () => {
    const rules = [{ slug: 'odd', product_ids: ['a'], initial_state: 'blink', min_select: 0, max_select: 1 }] as unknown as ProductRule[];
    const model = createRulesModel(['a'], rules);
    expect(initialSelectionState(model).groupStates).toEqual({ odd: 'show' });
  });
});

describe('building the model', () => {
  it('leaves out products that are not selectable, drops empty groups and events about them', () => {
    const model = createRulesModel(
      ['a', 'c'],
      [
        {
          slug: 'main',
          product_ids: ['b', 'a', 'missing'],
          initial_state: 'show',
          min_select: 2,
          max_select: 2,
          events: [
            { on: 'select', product_id: 'a', target: 'gone', set_state: 'show' },
            { on: 'select', product_id: 'missing', target: 'side', set_state: 'show' },
            { on: 'select', product_id: 'a', target: 'side', set_state: 'show' },
          ],
        },
        { slug: 'gone', product_ids: ['b'], initial_state: 'hide', min_select: 0, max_select: 1 },
        { slug: 'side', product_ids: ['c'], initial_state: 'hide', min_select: 0, max_select: 1 },
      ],
    );
    expect(model.groups.map((g) => [g.slug, g.productIds, g.minSelect, g.maxSelect])).toEqual([
      ['main', ['a'], 1, 2],
      ['side', ['c'], 0, 1],
    ]);
    expect(model.events).toEqual([{ on: 'select', product_id: 'a', target: 'side', set_state: 'show' }]);
  });

  it('orders group products as the offer does and puts a product in the first group naming it', () => {
    const model = createRulesModel(
      ['a', 'b'],
      [
        { slug: 'first', product_ids: ['b', 'a'], initial_state: 'show', min_select: 0, max_select: 2 },
        { slug: 'second', product_ids: ['a'], initial_state: 'show', min_select: 0, max_select: 1 },
      ],
    );
    expect(model.groups[0].productIds).toEqual(['a', 'b']);
    expect(model.groupOfProduct.get('a')?.slug).toBe('first');
    expect(isSingleChoice(model, 'a')).toBe(false);
  });

  it('keeps the first of two groups with the same slug', () => {
    const model = createRulesModel(
      ['a', 'b'],
      [
        { slug: 'dup', product_ids: ['a'], initial_state: 'show', min_select: 0, max_select: 1 },
        { slug: 'dup', product_ids: ['b'], initial_state: 'hide', min_select: 0, max_select: 1 },
      ],
    );
    expect(model.groups.map((g) => g.productIds)).toEqual([['a']]);
    // b belongs to no group: independent
    expect(productState(model, initialSelectionState(model), 'b')).toBe('show');
  });
});

describe('single choice (max_select 1)', () => {
  const model = createRulesModel(
    ['basic', 'plus', 'premium'],
    [{ slug: 'cover', product_ids: ['basic', 'plus', 'premium'], initial_state: 'show', min_select: 1, max_select: 1 }],
  );

  it('is a single choice', () => {
    expect(isSingleChoice(model, 'basic')).toBe(true);
  });

  it('selecting another product replaces the chosen one', () => {
    expect(run(model, [['basic', true]]).selected).toEqual(['basic']);
    expect(
      run(model, [
        ['basic', true],
        ['premium', true],
      ]).selected,
    ).toEqual(['premium']);
  });

  it('min_select 1 is unmet until one is chosen, and again once it is deselected', () => {
    const start = initialSelectionState(model);
    expect(isSelectionValid(model, start)).toBe(false);
    expect(groupShortfalls(model, start)).toEqual([{ slug: 'cover', minSelect: 1, selected: 0 }]);
    const chosen = setProductSelected(model, start, 'plus', true);
    expect(isSelectionValid(model, chosen)).toBe(true);
    expect(groupShortfalls(model, chosen)).toEqual([]);
    expect(isSelectionValid(model, setProductSelected(model, chosen, 'plus', false))).toBe(false);
  });
});

describe('several choices (max_select > 1)', () => {
  const model = createRulesModel(
    ['a', 'b', 'c', 'd'],
    [{ slug: 'addons', product_ids: ['a', 'b', 'c', 'd'], initial_state: 'show', min_select: 2, max_select: 3 }],
  );

  it('uses checkboxes and caps the selection at max_select', () => {
    expect(isSingleChoice(model, 'a')).toBe(false);
    const three = run(model, [
      ['a', true],
      ['b', true],
      ['c', true],
    ]);
    expect(three.selected).toEqual(['a', 'b', 'c']);
    expect(canSelect(model, three, 'd')).toBe(false);
    expect(canSelect(model, three, 'a')).toBe(true);
    expect(setProductSelected(model, three, 'd', true)).toBe(three);
    const freed = setProductSelected(model, three, 'b', false);
    expect(canSelect(model, freed, 'd')).toBe(true);
    expect(setProductSelected(model, freed, 'd', true).selected).toEqual(['a', 'c', 'd']);
  });

  it('asks for min_select products', () => {
    const one = run(model, [['a', true]]);
    expect(groupShortfalls(model, one)).toEqual([{ slug: 'addons', minSelect: 2, selected: 1 }]);
    expect(isSelectionValid(model, setProductSelected(model, one, 'd', true))).toBe(true);
  });

  it('a min_select above max_select is lowered to max_select so the group can be satisfied', () => {
    const odd = createRulesModel(['a', 'b'], [{ slug: 'g', product_ids: ['a', 'b'], initial_state: 'show', min_select: 5, max_select: 2 }]);
    expect(odd.groups[0].minSelect).toBe(2);
  });
});

describe('events', () => {
  const model = createRulesModel(['q-warranty', 'q-shipping'], RETAIL_RULES);

  it('selecting the warranty shows the shipping group', () => {
    const start = initialSelectionState(model);
    expect(productState(model, start, 'q-shipping')).toBe('hide');
    expect(canSelect(model, start, 'q-shipping')).toBe(false);
    expect(setProductSelected(model, start, 'q-shipping', true)).toBe(start);
    const withWarranty = setProductSelected(model, start, 'q-warranty', true);
    expect(withWarranty.groupStates).toEqual({ warranty: 'show', shipping: 'show' });
    expect(canSelect(model, withWarranty, 'q-shipping')).toBe(true);
    const both = setProductSelected(model, withWarranty, 'q-shipping', true);
    expect(selectedQuotes(both)).toEqual([{ id: 'q-warranty' }, { id: 'q-shipping' }]);
  });

  it('without a deselect event a revealed group stays shown', () => {
    const state = run(model, [
      ['q-warranty', true],
      ['q-shipping', true],
      ['q-warranty', false],
    ]);
    expect(state.groupStates.shipping).toBe('show');
    expect(state.selected).toEqual(['q-shipping']);
  });

  const toggled = createRulesModel(
    ['w', 's', 'x'],
    [
      {
        slug: 'warranty',
        product_ids: ['w'],
        initial_state: 'show',
        min_select: 0,
        max_select: 1,
        events: [
          { on: 'select', product_id: 'w', target: 'shipping', set_state: 'show' },
          { on: 'deselect', product_id: 'w', target: 'shipping', set_state: 'hide' },
        ],
      },
      {
        slug: 'shipping',
        product_ids: ['s'],
        initial_state: 'hide',
        min_select: 1,
        max_select: 1,
        events: [
          { on: 'select', product_id: 's', target: 'extras', set_state: 'show' },
          { on: 'deselect', product_id: 's', target: 'extras', set_state: 'disable' },
        ],
      },
      { slug: 'extras', product_ids: ['x'], initial_state: 'hide', min_select: 0, max_select: 1 },
    ],
  );

  it('hiding a group drops its selected products, and their deselect events run in turn', () => {
    const all = run(toggled, [
      ['w', true],
      ['s', true],
      ['x', true],
    ]);
    expect(all.selected).toEqual(['w', 's', 'x']);
    expect(all.groupStates).toEqual({ warranty: 'show', shipping: 'show', extras: 'show' });
    const off = setProductSelected(toggled, all, 'w', false);
    // w deselected → shipping hidden → s dropped → extras disabled → x dropped
    expect(off.groupStates).toEqual({ warranty: 'show', shipping: 'hide', extras: 'disable' });
    expect(off.selected).toEqual([]);
    expect(canSelect(toggled, off, 'x')).toBe(false);
  });

  it('min_select applies only to shown groups', () => {
    const start = initialSelectionState(toggled);
    // shipping asks for 1 but is hidden
    expect(isSelectionValid(toggled, start)).toBe(true);
    const revealed = setProductSelected(toggled, start, 'w', true);
    expect(groupShortfalls(toggled, revealed)).toEqual([{ slug: 'shipping', minSelect: 1, selected: 0 }]);
    expect(isSelectionValid(toggled, revealed)).toBe(false);
    expect(isSelectionValid(toggled, setProductSelected(toggled, revealed, 's', true))).toBe(true);
  });

  it('a disabled group cannot be selected from and asks for nothing', () => {
    const model2 = createRulesModel(['a'], [{ slug: 'locked', product_ids: ['a'], initial_state: 'disable', min_select: 1, max_select: 1 }]);
    const state = initialSelectionState(model2);
    expect(canSelect(model2, state, 'a')).toBe(false);
    expect(setProductSelected(model2, state, 'a', true)).toBe(state);
    expect(isSelectionValid(model2, state)).toBe(true);
  });

  it('replacing the choice in a single-choice group runs the deselect events before the select events', () => {
    const model3 = createRulesModel(
      ['a', 'b', 'z'],
      [
        {
          slug: 'pick',
          product_ids: ['a', 'b'],
          initial_state: 'show',
          min_select: 0,
          max_select: 1,
          events: [
            { on: 'deselect', product_id: 'a', target: 'more', set_state: 'hide' },
            { on: 'select', product_id: 'a', target: 'more', set_state: 'show' },
            { on: 'select', product_id: 'b', target: 'more', set_state: 'show' },
          ],
        },
        { slug: 'more', product_ids: ['z'], initial_state: 'hide', min_select: 0, max_select: 1 },
      ],
    );
    const state = run(model3, [
      ['a', true],
      ['z', true],
      ['b', true],
    ]);
    // a's deselect hid "more" (dropping z), then b's select showed it again
    expect(state.selected).toEqual(['b']);
    expect(state.groupStates.more).toBe('show');
  });

  it('events aimed at each other in a cycle still end', () => {
    const cyclic = createRulesModel(
      ['a', 'b'],
      [
        {
          slug: 'ga',
          product_ids: ['a'],
          initial_state: 'show',
          min_select: 0,
          max_select: 1,
          events: [{ on: 'deselect', product_id: 'a', target: 'gb', set_state: 'hide' }],
        },
        {
          slug: 'gb',
          product_ids: ['b'],
          initial_state: 'show',
          min_select: 0,
          max_select: 1,
          events: [{ on: 'deselect', product_id: 'b', target: 'ga', set_state: 'hide' }],
        },
      ],
    );
    const both = run(cyclic, [
      ['a', true],
      ['b', true],
    ]);
    const off = setProductSelected(cyclic, both, 'a', false);
    expect(off.selected).toEqual([]);
    expect(off.groupStates).toEqual({ ga: 'hide', gb: 'hide' });
  });

  it('products outside every group stay independent next to groups', () => {
    const model4 = createRulesModel(['q-warranty', 'q-shipping', 'free'], RETAIL_RULES);
    const state = run(model4, [['free', true]]);
    expect(productState(model4, state, 'free')).toBe('show');
    expect(state.selected).toEqual(['free']);
    expect(isSelectionValid(model4, state)).toBe(true);
  });

  it('does not change the state it was given', () => {
    const start = initialSelectionState(model);
    const snapshot = structuredClone(start);
    setProductSelected(model, start, 'q-warranty', true);
    expect(start).toEqual(snapshot);
  });
});
