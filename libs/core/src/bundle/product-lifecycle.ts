/**
 * Defaults of a product's `cancellation` and `modification` blocks (bundle.schema.json), and what
 * reads them. A stored bundle may lack either block, or some of their fields: these fill the gaps.
 */
import type { Expr, Product } from './bundle.types';

export const CANCELLATION_DEFAULTS = Object.freeze({
  cooling_off: '14d',
  allowed: 'now < quote.policy_end_date',
  refund: '0.0',
} as const);

export const MODIFICATION_DEFAULTS = Object.freeze({
  allowed: 'now < quote.policy_start_date',
} as const);

export interface ResolvedCancellation {
  cooling_off: string;
  allowed: Expr;
  refund: Expr;
}

export interface ResolvedModification {
  allowed: Expr;
  /** absent: any context field may change */
  fields?: readonly string[];
}

/** The product's cancellation rules, each absent field at its default. */
export function cancellationOf(product: Pick<Product, 'cancellation'>): ResolvedCancellation {
  const c = product.cancellation ?? {};
  return {
    cooling_off: c.cooling_off ?? CANCELLATION_DEFAULTS.cooling_off,
    allowed: c.allowed ?? CANCELLATION_DEFAULTS.allowed,
    refund: c.refund ?? CANCELLATION_DEFAULTS.refund,
  };
}

/** The product's modification rules, `allowed` at its default when absent (`fields` absent: any). */
export function modificationOf(product: Pick<Product, 'modification'>): ResolvedModification {
  const m = product.modification ?? {};
  return m.fields === undefined
    ? { allowed: m.allowed ?? MODIFICATION_DEFAULTS.allowed }
    : { allowed: m.allowed ?? MODIFICATION_DEFAULTS.allowed, fields: m.fields };
}

export const DURATION_PATTERN = /^([0-9]+)(s|m|h|d)$/;
const DURATION_UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A bundle duration (`90s`, `15m`, `72h`, `14d`) in milliseconds; anything else is a RangeError. */
export function durationToMs(d: string): number {
  const m = typeof d === 'string' ? DURATION_PATTERN.exec(d) : null;
  if (!m) throw new RangeError(`not a duration (90s, 15m, 72h, 14d): ${JSON.stringify(d)}`);
  const ms = Number(m[1]) * DURATION_UNIT_MS[m[2]];
  if (!Number.isSafeInteger(ms)) throw new RangeError(`duration too long: ${d}`);
  return ms;
}
