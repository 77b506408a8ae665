import type { ProductFile } from '@app/core';

export type { ExpressionVars as CelVars, Evaluate } from '@app/core';
import type { Evaluate, ExpressionVars as CelVars } from '@app/core';

export interface QuoteInput {
  vars: CelVars;
  /** ISO 4217, e.g. AUD */
  currency: string;
  /** for `*_formatted`, e.g. from localeFor(customer.language, customer.country) */
  locale: string;
  evaluate: Evaluate;
}

/** A JSON value of an extra field: CEL values made JSON (timestamps as ISO strings). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface PricedBenefit {
  description: string;
  /** integer minor units of the quote's currency; absent when the benefit has no limit */
  limitMinor?: number;
  excessMinor?: number;
}

/** The evaluated pricing inputs as exact decimal strings, before clamping and rounding (trace). */
export interface PricingInputs {
  premium: string;
  min_premium: string | null;
  max_premium: string | null;
  surcharge: string;
  tax_rate: string;
  commission_rate: string;
}

/** One priced product. Every amount is integer minor units of `currency`. */
export interface PricedQuote {
  code: string;
  type: string;
  name: string;
  currency: string;
  locale: string;
  premiumMinor: number;
  surchargeMinor: number;
  taxMinor: number;
  /** premium + surcharge + tax */
  priceMinor: number;
  /** premium + surcharge */
  priceWithoutTaxMinor: number;
  commissionMinor: number;
  policyStart: Date;
  policyEnd: Date | null;
  pdsUrl: string | null;
  files: ProductFile[];
  benefits: PricedBenefit[];
  extraFields: Record<string, JsonValue>;
  inputs: PricingInputs;
}

export type QuoteResult = { ok: true; quote: PricedQuote } | { ok: false; code: 'offer_quote_pricing_error'; message: string };

export interface MoneyJson {
  total_amount: number;
  total_amount_formatted: string;
}

export interface PriceJson extends MoneyJson {
  total_amount_without_tax: number;
  total_amount_without_tax_formatted: string;
}

export interface BenefitJson {
  description: string;
  limit?: number;
  limit_formatted?: string;
  excess?: number;
  excess_formatted?: string;
}

/** One item of the Create Offer response's `products[]`. */
export interface ProductResponse {
  id: string;
  type: string;
  code: string;
  name: string;
  details: {
    finance: { price: PriceJson; tax?: MoneyJson; surcharge?: MoneyJson; commission?: MoneyJson };
    policy_start_date: string;
    policy_end_date: string | null;
    pds_url: string | null;
    files: ProductFile[];
    benefits?: BenefitJson[];
    extra_fields?: Record<string, JsonValue>;
    experiment?: { key: string; variant: string };
  };
}

export interface ProductResponseOptions {
  /** the quote id */
  id: string;
  /** the `extra_fields` query names */
  extraFields: ReadonlySet<string>;
  /** the experiment variant the product is subject to, if any */
  experiment?: { key: string; variant: string };
}
