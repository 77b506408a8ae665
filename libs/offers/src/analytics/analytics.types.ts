export interface PremiumByCurrency {
  currency: string;
  /** decimal amount in the currency (a JSON number, exact for the currency's minor unit) */
  amount: number;
  /** integer minor units (cents) */
  amount_minor: number;
}

export interface ConversionFigures {
  offers: number;
  confirmations: number;
  /** offers whose last decision is an opt-out (opted out, then confirmed, counts as a confirmation) */
  opt_outs: number;
  /** confirmations / offers, rounded to 4 decimals; 0 when there are no offers */
  conversion_rate: number;
  /** premium (before surcharge and tax) of the confirmed quotes as booked (as confirmed or last updated), per currency */
  premium_confirmed: PremiumByCurrency[];
  /** quotes of the confirmed bookings cancelled so far */
  cancellations: number;
  /** refunds made so far (whole prices: premium, surcharge and tax), per currency: the currencies with cancellations */
  refunded: PremiumByCurrency[];
  /** premium_confirmed minus the premium's share of the refunds, per currency of premium_confirmed */
  net_premium: PremiumByCurrency[];
}

/** One offer config and experiment variant; experiment_key and variant null: offers without experiments. */
export interface AnalyticsVariantRow extends ConversionFigures {
  offer_config_id: string;
  experiment_key: string | null;
  variant: string | null;
}

export interface AnalyticsConfigRow extends ConversionFigures {
  offer_config_id: string;
}

/** One offer config on one UTC day of the offers' creation (the days with offers only). */
export interface AnalyticsDailyRow {
  /** YYYY-MM-DD, UTC */
  date: string;
  offer_config_id: string;
  offers: number;
  confirmations: number;
  opt_outs: number;
  /** confirmations / offers, rounded to 4 decimals */
  conversion_rate: number;
}

export interface AnalyticsReport {
  partner: string;
  /** offers created in [from, to) */
  from: string;
  to: string;
  /** per offer config and experiment variant (an offer in two experiments counts in both) */
  rows: AnalyticsVariantRow[];
  /** per offer config, every offer once */
  totals: AnalyticsConfigRow[];
  /** per UTC day of creation and offer config, every offer once; by date, then config */
  daily: AnalyticsDailyRow[];
}

export interface AnalyticsWindowInput {
  /** ISO 8601 date (`2026-11-01`, start of that day UTC) or date-time */
  from?: string;
  /** ISO 8601 date (inclusive: to the end of that day UTC) or date-time (exclusive) */
  to?: string;
}
