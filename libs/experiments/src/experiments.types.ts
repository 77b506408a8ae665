import type { VariantOverride } from '@app/core';

export type { ExpressionVars as CelVars, Evaluate } from '@app/core';

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
