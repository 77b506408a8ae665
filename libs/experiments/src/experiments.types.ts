import type { VariantOverride } from '@app/core';

/**
 * The variables every CEL expression sees (spec §4.3); structurally identical to the copies in
 * @app/rules, @app/quotes and @app/content. int → bigint, double → number, timestamp → Date.
 */
export interface CelVars {
  customer: Record<string, unknown>;
  context: Record<string, unknown>;
  partner: Record<string, unknown>;
  now: Date;
  quote?: Record<string, unknown>;
}

/** Evaluates one (already checked) expression; throws an Error when evaluation fails. */
export type Evaluate = (expr: string, vars: CelVars) => unknown;

export interface ExperimentRef {
  key: string;
  variant: string;
}

export interface VariantAssignment extends ExperimentRef {
  /** the variant's overrides by product code ({} for a control variant) */
  overrides: Record<string, VariantOverride>;
  /** product codes any variant of this experiment overrides; empty: the experiment names none */
  productCodes: string[];
  /** the hashed unit (the unit's value, or the offer id when it had none) */
  unit: string;
}
