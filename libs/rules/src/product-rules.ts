import type { GroupState, ProductRule } from '@app/core';
import type { ProductRuleEventResponse, ProductRuleResponse, ProductRuleViolation } from './rules.types';

/**
 * Product rules: config groups (by product code) → response groups (by quote id). Products that failed to
 * quote (absent from `quoteIdsByCode`) leave their group; a group left empty is dropped; an event
 * about a failed product, or aimed at a dropped group, is dropped. `min_select` is lowered to the
 * number of products left so that a group stays satisfiable; `max_select` is kept.
 */
export function resolveProductRules(rules: readonly ProductRule[] | undefined, quoteIdsByCode: ReadonlyMap<string, string>): ProductRuleResponse[] {
  if (!rules) return [];
  const kept: ProductRuleResponse[] = [];
  const pending: Array<{ rule: ProductRule; out: ProductRuleResponse }> = [];
  for (const rule of rules) {
    const productIds: string[] = [];
    for (const code of rule.products) {
      const id = quoteIdsByCode.get(code);
      if (id !== undefined && !productIds.includes(id)) productIds.push(id);
    }
    if (productIds.length === 0) continue;
    const out: ProductRuleResponse = {
      slug: rule.slug,
      product_ids: productIds,
      initial_state: rule.initial_state,
      min_select: Math.min(rule.min_select, productIds.length),
      max_select: rule.max_select,
      events: [],
    };
    kept.push(out);
    pending.push({ rule, out });
  }
  const slugs = new Set(kept.map((g) => g.slug));
  for (const { rule, out } of pending) {
    for (const event of rule.events ?? []) {
      const productId = quoteIdsByCode.get(event.product);
      if (productId === undefined || !slugs.has(event.target)) continue;
      const e: ProductRuleEventResponse = {
        on: event.on,
        product_id: productId,
        target: event.target,
        set_state: event.set_state,
      };
      out.events.push(e);
    }
  }
  return kept;
}

/**
 * The state of each group once `selected` is chosen: its `initial_state`, then, in the rules'
 * order, the `select` events of the selected quotes. (A `deselect` event undoes a selection made
 * on the way; a quote not selected in the end has left its group's state as it started.) This is
 * what a checkout page following the rules shows when the customer is done.
 */
export function groupStatesAfter(rules: readonly ProductRuleResponse[], selected: ReadonlySet<string>): Map<string, GroupState> {
  const states = new Map(rules.map((rule) => [rule.slug, rule.initial_state]));
  for (const rule of rules) {
    for (const event of rule.events) {
      if (event.on === 'select' && selected.has(event.product_id) && states.has(event.target)) states.set(event.target, event.set_state);
    }
  }
  return states;
}

/**
 * Confirm: in every group, the number of selected quotes must lie in [min_select, max_select].
 * min_select 0 makes a group optional; ≥ 1 requires that many of a group that is shown once the
 * selection is made (groupStatesAfter): a hidden or disabled group asks for nothing, as the
 * customer cannot choose from it. Selected quotes that belong to no group are unconstrained.
 */
export function checkSelection(rules: readonly ProductRuleResponse[] | undefined, selectedQuoteIds: Iterable<string>): ProductRuleViolation[] {
  if (!rules) return [];
  const selected = new Set(selectedQuoteIds);
  const states = groupStatesAfter(rules, selected);
  const violations: ProductRuleViolation[] = [];
  for (const rule of rules) {
    const count = rule.product_ids.filter((id) => selected.has(id)).length;
    const base = { slug: rule.slug, selected: count, min_select: rule.min_select, max_select: rule.max_select };
    if (count < rule.min_select && states.get(rule.slug) === 'show') {
      violations.push({
        ...base,
        message: `group ${rule.slug}: select at least ${rule.min_select} product(s), ${count} selected`,
      });
    } else if (count > rule.max_select) {
      violations.push({
        ...base,
        message: `group ${rule.slug}: select at most ${rule.max_select} product(s), ${count} selected`,
      });
    }
  }
  return violations;
}
