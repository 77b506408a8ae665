/**
 * What the engine libraries (rules, quotes, content, experiments) need of the expression engine:
 * the variables every expression sees and a function that evaluates one checked
 * expression, throwing on failure. CEL values: int → bigint, double → number, timestamp → Date.
 */
export interface ExpressionVars {
  customer: Record<string, unknown>;
  context: Record<string, unknown>;
  partner: Record<string, unknown>;
  now: Date;
  /** product content placeholders only: the priced quote */
  quote?: Record<string, unknown>;
}

export type Evaluate = (expr: string, vars: ExpressionVars) => unknown;
