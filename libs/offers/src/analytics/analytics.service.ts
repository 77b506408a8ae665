import { Injectable } from '@nestjs/common';
import { Clock, InvalidError, minorToNumber } from '@app/core';
import { PartnersService } from '@app/partners';
import { formatApiDate } from '@app/quotes';
import { AnalyticsRepository, type ConversionCounts, type DailyCounts } from './analytics.repository';
import { withRollups } from './analytics-rollups';
import type {
  AnalyticsConfigRow,
  AnalyticsDailyRow,
  AnalyticsReport,
  AnalyticsVariantRow,
  AnalyticsWindowInput,
  ConversionFigures,
  PremiumByCurrency,
} from './analytics.types';

const DAY_MS = 86_400_000;
export const DEFAULT_ANALYTICS_DAYS = 30;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** `from`/`to` → [from, to): a date is a whole UTC day (`to` inclusive of its day), a date-time is exact. */
export function analyticsWindow(input: AnalyticsWindowInput, now: Date): { from: Date; to: Date } {
  const errors: Record<string, string[]> = {};
  const parse = (name: 'from' | 'to', v: string | undefined): Date | undefined => {
    if (v === undefined || v === '') return undefined;
    const dateOnly = DATE_ONLY.test(v);
    const d = dateOnly ? new Date(`${v}T00:00:00Z`) : DATE_TIME.test(v) ? new Date(v) : new Date(NaN);
    if (Number.isNaN(d.getTime()) || (dateOnly && d.toISOString().slice(0, 10) !== v)) {
      errors[name] = ['must be an ISO 8601 date (2026-11-01) or date-time with a zone (2026-11-01T00:00:00Z)'];
      return undefined;
    }
    return name === 'to' && dateOnly ? new Date(d.getTime() + DAY_MS) : d;
  };
  const from = parse('from', input.from);
  const to = parse('to', input.to);
  if (Object.keys(errors).length > 0) throw new InvalidError('validation_error', 'Request validation failed', errors);
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - DEFAULT_ANALYTICS_DAYS * DAY_MS);
  if (start.getTime() >= end.getTime()) throw new InvalidError('validation_error', 'Request validation failed', { from: ['must be before to'] });
  return { from: start, to: end };
}

/** per currency of a group */
interface CurrencyAcc {
  confirmations: number;
  cancellations: number;
  premiumMinor: number;
  refundedMinor: number;
  refundedPremiumMinor: number;
}

interface Acc {
  offers: number;
  confirmations: number;
  optOuts: number;
  cancellations: number;
  byCurrency: Map<string, CurrencyAcc>;
}

interface Group {
  key: Pick<ConversionCounts, 'offerConfigId' | 'experimentKey' | 'variant'>;
  acc: Acc;
}

/** The database groups by currency and primary-ness too; counts are summed across them here. */
function accumulate(groups: Map<string, Group>, c: ConversionCounts, groupKey: string): void {
  let g = groups.get(groupKey);
  if (!g) {
    g = {
      key: { offerConfigId: c.offerConfigId, experimentKey: c.experimentKey, variant: c.variant },
      acc: { offers: 0, confirmations: 0, optOuts: 0, cancellations: 0, byCurrency: new Map() },
    };
    groups.set(groupKey, g);
  }
  g.acc.offers += c.offers;
  g.acc.confirmations += c.confirmations;
  g.acc.optOuts += c.optOuts;
  g.acc.cancellations += c.cancellations;
  const p = g.acc.byCurrency.get(c.currency) ?? { confirmations: 0, cancellations: 0, premiumMinor: 0, refundedMinor: 0, refundedPremiumMinor: 0 };
  p.confirmations += c.confirmations;
  p.cancellations += c.cancellations;
  p.premiumMinor += c.premiumMinor;
  p.refundedMinor += c.refundedMinor;
  p.refundedPremiumMinor += c.refundedPremiumMinor;
  g.acc.byCurrency.set(c.currency, p);
}

/** one amount per currency, sorted by currency, for the currencies `keep` admits */
function byCurrency(a: Acc, keep: (p: CurrencyAcc) => boolean, minor: (p: CurrencyAcc) => number): PremiumByCurrency[] {
  return [...a.byCurrency.entries()]
    .filter(([, p]) => keep(p))
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([currency, p]) => ({ currency, amount: minorToNumber(minor(p), currency), amount_minor: minor(p) }));
}

/** confirmations / offers, 4 decimals; 0 without offers */
function conversionRate(offers: number, confirmations: number): number {
  return offers === 0 ? 0 : Math.round((confirmations / offers) * 10_000) / 10_000;
}

function figures(a: Acc): ConversionFigures {
  const confirmed = (p: CurrencyAcc): boolean => p.confirmations > 0;
  return {
    offers: a.offers,
    confirmations: a.confirmations,
    opt_outs: a.optOuts,
    conversion_rate: conversionRate(a.offers, a.confirmations),
    premium_confirmed: byCurrency(a, confirmed, (p) => p.premiumMinor),
    cancellations: a.cancellations,
    refunded: byCurrency(
      a,
      (p) => p.cancellations > 0 || p.refundedMinor !== 0,
      (p) => p.refundedMinor,
    ),
    net_premium: byCurrency(a, confirmed, (p) => p.premiumMinor - p.refundedPremiumMinor),
  };
}

const cmp = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);

/** The live days with the rolled-up ones added, per day and config, sorted by day then config. */
export function dailyRows(live: readonly DailyCounts[], rolled: readonly DailyCounts[]): AnalyticsDailyRow[] {
  const byDay = new Map<string, DailyCounts>();
  for (const c of [...live, ...rolled]) {
    const key = JSON.stringify([c.date, c.offerConfigId]);
    const seen = byDay.get(key);
    if (!seen) {
      byDay.set(key, { ...c });
      continue;
    }
    seen.offers += c.offers;
    seen.confirmations += c.confirmations;
    seen.optOuts += c.optOuts;
  }
  return [...byDay.values()]
    .filter((c) => c.offers > 0)
    .sort((a, b) => cmp(a.date, b.date) || cmp(a.offerConfigId, b.offerConfigId))
    .map((c) => ({
      date: c.date,
      offer_config_id: c.offerConfigId,
      offers: c.offers,
      confirmations: c.confirmations,
      opt_outs: c.optOuts,
      conversion_rate: conversionRate(c.offers, c.confirmations),
    }));
}

/**
 * Conversion per offer config and experiment variant, over offers created in a window,
 * with what happened after the sale: cancellations, refunds and the premium kept.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly repo: AnalyticsRepository,
    private readonly partners: PartnersService,
    private readonly clock: Clock,
  ) {}

  async report(partnerCode: string, input: AnalyticsWindowInput): Promise<AnalyticsReport> {
    const { from, to } = analyticsWindow(input, this.clock.now());
    const partner = await this.partners.get(partnerCode);
    // the live offers, and those retention deleted (their counts kept in daily roll-ups)
    const [live, rolled, liveDaily, rolledDaily] = await Promise.all([
      this.repo.conversion(partner.id, from, to),
      this.repo.rolledUp(partner.id, from, to),
      this.repo.dailyConversion(partner.id, from, to),
      this.repo.rolledUpDaily(partner.id, from, to),
    ]);
    const counts = withRollups(live, rolled);

    const variants = new Map<string, Group>();
    const configs = new Map<string, Group>();
    for (const c of counts) {
      accumulate(variants, c, JSON.stringify([c.offerConfigId, c.experimentKey, c.variant]));
      // each offer has one primary row: the per-config totals count every offer once
      if (c.primary) accumulate(configs, c, c.offerConfigId);
    }

    const rows: AnalyticsVariantRow[] = [...variants.values()]
      .map((g) => ({ offer_config_id: g.key.offerConfigId, experiment_key: g.key.experimentKey, variant: g.key.variant, ...figures(g.acc) }))
      .sort((a, b) => cmp(a.offer_config_id, b.offer_config_id) || cmp(a.experiment_key, b.experiment_key) || cmp(a.variant, b.variant));
    const totals: AnalyticsConfigRow[] = [...configs.values()]
      .map((g) => ({ offer_config_id: g.key.offerConfigId, ...figures(g.acc) }))
      .sort((a, b) => cmp(a.offer_config_id, b.offer_config_id));
    return { partner: partner.code, from: formatApiDate(from), to: formatApiDate(to), rows, totals, daily: dailyRows(liveDaily, rolledDaily) };
  }
}
