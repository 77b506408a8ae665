import type { ConversionCounts } from './analytics.repository';

const DAY_MS = 86_400_000;

/** how offer_rollups stores "no experiment" (experiment_key, variant): NULLs would be distinct in its key */
export const NO_EXPERIMENT = '';

/** a roll-up's experiment_key or variant as analytics reports it: '' is no experiment (null) */
export function fromRollupKey(v: string | null | undefined): string | null {
  return v === null || v === undefined || v === NO_EXPERIMENT ? null : v;
}

/** 00:00 UTC of the first day starting at or after `d` */
function dayStartingAtOrAfter(d: Date): Date {
  return new Date(Math.ceil(d.getTime() / DAY_MS) * DAY_MS);
}

/**
 * The rolled-up days a window [from, to) counts: a day counts when it starts inside the window
 * (its 00:00 UTC is ≥ from and < to), so a window of whole UTC days counts exactly its days, as it
 * counts the live offers created in them; a window cut inside a day counts that day's purged
 * offers with the window that holds its start. Returns [first, end): the days d with first ≤ d < end.
 */
export function rolledUpDays(from: Date, to: Date): { first: Date; end: Date } {
  return { first: dayStartingAtOrAfter(from), end: dayStartingAtOrAfter(to) };
}

const groupKey = (c: ConversionCounts): string => JSON.stringify([c.offerConfigId, c.experimentKey, c.variant, c.currency, c.primary]);

/**
 * The live counts with the roll-ups of purged offers added, group by group (config, experiment,
 * variant, currency, primary-ness): a group in both is summed, a group in one only is kept as it is.
 */
export function withRollups(live: readonly ConversionCounts[], rolled: readonly ConversionCounts[]): ConversionCounts[] {
  const out = new Map<string, ConversionCounts>();
  for (const c of [...live, ...rolled]) {
    const key = groupKey(c);
    const seen = out.get(key);
    if (!seen) {
      out.set(key, { ...c });
      continue;
    }
    seen.offers += c.offers;
    seen.confirmations += c.confirmations;
    seen.optOuts += c.optOuts;
    seen.premiumMinor += c.premiumMinor;
    seen.cancellations += c.cancellations;
    seen.refundedMinor += c.refundedMinor;
    seen.refundedPremiumMinor += c.refundedPremiumMinor;
  }
  return [...out.values()];
}
