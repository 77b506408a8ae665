import { hash } from 'node:crypto';
import type { Experiment } from '@app/core';
import type { CelVars, Evaluate, VariantAssignment } from './experiments.types';

const TWO_POW_48 = 2 ** 48;

/**
 * A stable, uniform draw in [0, 1) for (experiment key, unit): the first 48 bits of
 * SHA-256("key:unit"). Same inputs, same draw, on every instance and every release.
 */
export function bucketOf(key: string, unit: string): number {
  const digest = hash('sha256', `${key}:${unit}`, 'buffer');
  return digest.readUIntBE(0, 6) / TWO_POW_48;
}

/** Walks the cumulative weights; returns the variant index that `u` ∈ [0,1) falls in, or -1. */
export function pickByWeight(weights: readonly number[], u: number): number {
  let total = 0;
  for (const w of weights) if (Number.isFinite(w) && w > 0) total += w;
  if (!(total > 0)) return -1;
  const target = u * total;
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!(Number.isFinite(w) && w > 0)) continue;
    cumulative += w;
    last = i;
    if (target < cumulative) return i;
  }
  return last; // float rounding at the very top of the range
}

/**
 * Experiments: one variant per experiment, by a stable hash of (key, unit). `unitValueFor` gives the
 * experiment's unit value; null or '' (or no unit) falls back to the offer id. Experiments with
 * no positive weight are skipped.
 */
export function assignVariants(
  experiments: readonly Experiment[] | undefined,
  unitValueFor: (experiment: Experiment) => string | null,
  offerId: string,
): VariantAssignment[] {
  if (!experiments) return [];
  const out: VariantAssignment[] = [];
  for (const exp of experiments) {
    const value = exp.unit === undefined ? null : unitValueFor(exp);
    const unit = value === null || value === '' ? offerId : value;
    const index = pickByWeight(
      exp.variants.map((v) => v.weight),
      bucketOf(exp.key, unit),
    );
    if (index < 0) continue;
    const variant = exp.variants[index];
    const codes = new Set<string>();
    for (const v of exp.variants) for (const code of Object.keys(v.overrides ?? {})) codes.add(code);
    out.push({ key: exp.key, variant: variant.name, overrides: variant.overrides ?? {}, productCodes: [...codes], unit });
  }
  return out;
}

/**
 * A CEL value as an experiment unit: strings as they are, ints and doubles as digits, bools,
 * timestamps as ISO; null, lists, maps → null (so the offer id is used).
 */
export function unitValueToString(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return null;
}

/**
 * The usual `unitValueFor`: evaluates `experiment.unit` over the request's variables. A unit
 * that fails to evaluate (e.g. `partner.customer_id` absent) counts as missing: the offer id is
 * used, as for null, rather than failing the offer over an A/B split.
 */
export function unitEvaluator(evaluate: Evaluate, vars: CelVars): (experiment: Experiment) => string | null {
  return (experiment) => {
    if (experiment.unit === undefined) return null;
    try {
      return unitValueToString(evaluate(experiment.unit, vars));
    } catch {
      return null;
    }
  };
}

/**
 * The assignments an offer was given, from the experiment refs stored with it (key and variant):
 * what applyOverrides needs to price its products again exactly as they were offered. A stored
 * experiment or variant the config no longer has is left out.
 */
export function storedAssignments(experiments: readonly Experiment[] | undefined, stored: readonly { key: string; variant: string }[]): VariantAssignment[] {
  const out: VariantAssignment[] = [];
  for (const ref of stored) {
    const exp = experiments?.find((e) => e.key === ref.key);
    const variant = exp?.variants.find((v) => v.name === ref.variant);
    if (!exp || !variant) continue;
    const codes = new Set<string>();
    for (const v of exp.variants) for (const code of Object.keys(v.overrides ?? {})) codes.add(code);
    out.push({ key: exp.key, variant: variant.name, overrides: variant.overrides ?? {}, productCodes: [...codes], unit: '' });
  }
  return out;
}
