import type { ConfigStatus, GroupState, OfferConfig } from '@app/core';

export type { ExpressionVars as CelVars, Evaluate } from '@app/core';
import type { ExpressionVars as CelVars } from '@app/core';

export type KeyMode = 'live' | 'test';

export interface SelectionRequest {
  /** the resolved offer schema id */
  schemaId: string;
  keyMode: KeyMode;
  keyId: string;
  /** `active_only=true`: test keys stop seeing `draft` configs */
  activeOnly?: boolean;
  /** `exclude_offer_ids` */
  excludeOfferIds?: Iterable<string>;
  /** customer, context, partner and now of the request */
  vars: CelVars;
}

export type AccessList = 'subsidiaries' | 'key_modes' | 'key_ids' | 'countries';

export type WhenTrace = { expression: string | null; result: boolean } | { expression: string; error: string };

export type AccessTrace = { admitted: true } | { admitted: false; denied_by: AccessList };

/** One line of the selection trace (admin preview): every config given, in evaluation order. */
export interface SelectionTraceEntry {
  config_id: string;
  priority: number;
  schema_match: boolean;
  status: ConfigStatus;
  /** the status makes it a candidate for this key (active, or draft for test keys) */
  status_ok: boolean;
  excluded: boolean;
  /** null: not evaluated (not a candidate, or excluded); expression null: no `when` (true) */
  when: WhenTrace | null;
  /** null: not evaluated (an earlier step left it out) */
  access: AccessTrace | null;
  selected: boolean;
}

export type SelectionFailureCode = 'offer_not_found' | 'offer_not_found_no_match_context' | 'offer_not_found_access_denied';

export type SelectionResult =
  | { ok: true; config: OfferConfig; trace: SelectionTraceEntry[] }
  | { ok: false; code: SelectionFailureCode; message: string; trace: SelectionTraceEntry[] }
  | {
      ok: false;
      code: 'offer_expression_error';
      message: string;
      configId: string;
      expression: string;
      /** why the expression failed, without the config and expression (those are in the fields above) */
      detail: string;
      trace: SelectionTraceEntry[];
    };

/** A product rule as in the Create Offer response (`product_rules[]`): quote ids, not codes. */
export interface ProductRuleEventResponse {
  on: 'select' | 'deselect';
  product_id: string;
  target: string;
  set_state: GroupState;
}

export interface ProductRuleResponse {
  slug: string;
  product_ids: string[];
  initial_state: GroupState;
  min_select: number;
  max_select: number;
  events: ProductRuleEventResponse[];
}

export interface ProductRuleViolation {
  slug: string;
  selected: number;
  min_select: number;
  max_select: number;
  message: string;
}
