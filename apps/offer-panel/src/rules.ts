/**
 * Product rules as the customer selects: pure functions over plain data, no DOM.
 *
 * - A model is built once per offer from its selectable quote ids (in the offer's order) and its
 *   `product_rules`. Without rules every product is independent (selectable on its own, no bounds).
 * - Each group starts in its `initial_state`. Only groups in state `show` can be selected from;
 *   a group that leaves `show` (hidden or disabled by an event) loses its selected products.
 * - A group with `max_select` 1 is a single choice (selecting one replaces the other); a larger
 *   `max_select` caps how many of its products can be selected together.
 * - Selecting or deselecting a product runs the events listening for it (`on: select|deselect`),
 *   each setting its target group's state. A product dropped because its group left `show` counts
 *   as deselected, so its own events run too.
 * - `min_select` is required of every group currently in state `show`; hidden and disabled groups
 *   ask for nothing.
 */
import type { GroupState, ProductRule, ProductRuleEvent } from './offer.types';

const GROUP_STATES: readonly GroupState[] = ['show', 'hide', 'disable'];

/** A group of the offer, limited to products that can be selected. */
export interface RuleGroup {
  slug: string;
  productIds: readonly string[];
  initialState: GroupState;
  minSelect: number;
  maxSelect: number;
}

export interface RulesModel {
  /** selectable quote ids, in the offer's order */
  productIds: readonly string[];
  groups: readonly RuleGroup[];
  /** each product's group (the first one naming it); products of no group are absent */
  groupOfProduct: ReadonlyMap<string, RuleGroup>;
  events: readonly ProductRuleEvent[];
}

export interface SelectionState {
  /** state of each group by slug */
  groupStates: Readonly<Record<string, GroupState>>;
  /** selected quote ids, in the offer's order */
  selected: readonly string[];
}

/** A group in state `show` that has fewer products selected than its `min_select`. */
export interface GroupShortfall {
  slug: string;
  minSelect: number;
  selected: number;
}

function asGroupState(value: unknown, fallback: GroupState): GroupState {
  return GROUP_STATES.includes(value as GroupState) ? (value as GroupState) : fallback;
}

function wholeNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.floor(value)) : fallback;
}

/**
 * Builds the model of an offer. Quote ids the rules name that are not selectable products (failed
 * or unknown) are left out of their group, a group left empty is dropped, and so is an event about
 * an unknown product or aimed at a dropped group.
 */
export function createRulesModel(productIds: readonly string[], rules: readonly ProductRule[] | undefined): RulesModel {
  const known = new Set(productIds);
  const groups: RuleGroup[] = [];
  const groupOfProduct = new Map<string, RuleGroup>();
  for (const rule of rules ?? []) {
    if (groups.some((g) => g.slug === rule.slug)) continue;
    const ids = productIds.filter((id) => (rule.product_ids ?? []).includes(id));
    if (ids.length === 0) continue;
    const maxSelect = Math.max(1, wholeNumber(rule.max_select, ids.length));
    const group: RuleGroup = {
      slug: rule.slug,
      productIds: ids,
      initialState: asGroupState(rule.initial_state, 'show'),
      minSelect: Math.min(wholeNumber(rule.min_select, 0), ids.length, maxSelect),
      maxSelect,
    };
    groups.push(group);
    for (const id of ids) if (!groupOfProduct.has(id)) groupOfProduct.set(id, group);
  }
  const slugs = new Set(groups.map((g) => g.slug));
  const events: ProductRuleEvent[] = [];
  for (const rule of rules ?? []) {
    for (const event of rule.events ?? []) {
      if (!known.has(event.product_id) || !slugs.has(event.target)) continue;
      if (event.on !== 'select' && event.on !== 'deselect') continue;
      if (!GROUP_STATES.includes(event.set_state)) continue;
      events.push(event);
    }
  }
  return { productIds: [...productIds], groups, groupOfProduct, events };
}

/** Every group in its `initial_state`, nothing selected. */
export function initialSelectionState(model: RulesModel): SelectionState {
  const groupStates: Record<string, GroupState> = {};
  for (const group of model.groups) groupStates[group.slug] = group.initialState;
  return { groupStates, selected: [] };
}

/** The state of a product's group; a product of no group is always shown. */
export function productState(model: RulesModel, state: SelectionState, productId: string): GroupState {
  const group = model.groupOfProduct.get(productId);
  return group ? (state.groupStates[group.slug] ?? group.initialState) : 'show';
}

/** Single choice: the product's group has `max_select` 1 (its control is a radio button). */
export function isSingleChoice(model: RulesModel, productId: string): boolean {
  return model.groupOfProduct.get(productId)?.maxSelect === 1;
}

/**
 * Whether selecting the product now would be accepted: it is a known product, its group is shown,
 * and its group is a single choice or still below its `max_select`. A selected product can always
 * be deselected.
 */
export function canSelect(model: RulesModel, state: SelectionState, productId: string): boolean {
  if (!model.productIds.includes(productId)) return false;
  if (state.selected.includes(productId)) return true;
  if (productState(model, state, productId) !== 'show') return false;
  const group = model.groupOfProduct.get(productId);
  if (!group || group.maxSelect === 1) return true;
  return countSelected(group, state.selected) < group.maxSelect;
}

function countSelected(group: RuleGroup, selected: readonly string[]): number {
  return group.productIds.filter((id) => selected.includes(id)).length;
}

/**
 * Selects (`selected` true) or deselects one product and applies the consequences: the single
 * choice of its group, the events that listen for it, and the products dropped from groups that
 * leave `show`. A refused selection (see canSelect) or a change to nothing returns `state` itself.
 */
export function setProductSelected(model: RulesModel, state: SelectionState, productId: string, selected: boolean): SelectionState {
  const isSelected = state.selected.includes(productId);
  if (selected === isSelected) return state;
  if (selected && !canSelect(model, state, productId)) return state;

  const groupStates: Record<string, GroupState> = { ...state.groupStates };
  const chosen = new Set(state.selected);
  const changes: Array<{ productId: string; on: 'select' | 'deselect' }> = [];

  const deselect = (id: string): void => {
    if (chosen.delete(id)) changes.push({ productId: id, on: 'deselect' });
  };

  if (selected) {
    const group = model.groupOfProduct.get(productId);
    if (group?.maxSelect === 1) for (const other of group.productIds) if (other !== productId) deselect(other);
    chosen.add(productId);
    changes.push({ productId, on: 'select' });
  } else {
    deselect(productId);
  }

  // The selection only shrinks while the queue is worked through, so this ends.
  for (let next = changes.shift(); next; next = changes.shift()) {
    const { productId: changed, on } = next;
    for (const event of model.events) {
      if (event.product_id !== changed || event.on !== on) continue;
      groupStates[event.target] = event.set_state;
      if (event.set_state === 'show') continue;
      const target = model.groups.find((g) => g.slug === event.target);
      for (const id of target?.productIds ?? []) deselect(id);
    }
  }

  return { groupStates, selected: model.productIds.filter((id) => chosen.has(id)) };
}

/** Shown groups with fewer products selected than their `min_select`, in the offer's group order. */
export function groupShortfalls(model: RulesModel, state: SelectionState): GroupShortfall[] {
  const shortfalls: GroupShortfall[] = [];
  for (const group of model.groups) {
    if ((state.groupStates[group.slug] ?? group.initialState) !== 'show') continue;
    const count = countSelected(group, state.selected);
    if (count < group.minSelect) shortfalls.push({ slug: group.slug, minSelect: group.minSelect, selected: count });
  }
  return shortfalls;
}

/** The selection satisfies every shown group's `min_select`. */
export function isSelectionValid(model: RulesModel, state: SelectionState): boolean {
  return groupShortfalls(model, state).length === 0;
}

/** The selected quotes as Confirm Offer takes them: `[{ id }]`, in the offer's order. */
export function selectedQuotes(state: SelectionState): Array<{ id: string }> {
  return state.selected.map((id) => ({ id }));
}
