import { minorToNumber } from '@app/core';
import type { BenefitJson, JsonValue, PricedBenefit, PricedQuote, ProductResponse, ProductResponseOptions } from './quotes.types';
import { formatApiDate, formatMinor, moneyJson } from './format';

function benefitJson(b: PricedBenefit, currency: string, locale: string): BenefitJson {
  const out: BenefitJson = { description: b.description };
  if (b.limitMinor !== undefined) {
    out.limit = minorToNumber(b.limitMinor, currency);
    out.limit_formatted = formatMinor(b.limitMinor, currency, locale);
  }
  if (b.excessMinor !== undefined) {
    out.excess = minorToNumber(b.excessMinor, currency);
    out.excess_formatted = formatMinor(b.excessMinor, currency, locale);
  }
  return out;
}

/**
 * One `products[]` item of the Create Offer response. `price` always; `tax`, `surcharge`, `commission`, `benefits` and
 * `experiment` only when named in `extra_fields`. The `extra_fields` block holds the product's
 * configured extra fields that are named in the query, or all of them when the query names
 * `extra_fields` itself; it is left out when that selects nothing (and is `{}` when
 * `extra_fields` was named but the product configures none).
 */
export function toProductResponse(q: PricedQuote, opts: ProductResponseOptions): ProductResponse {
  const { currency, locale } = q;
  const want = opts.extraFields;
  const total = moneyJson(q.priceMinor, currency, locale);
  const withoutTax = moneyJson(q.priceWithoutTaxMinor, currency, locale);
  const finance: ProductResponse['details']['finance'] = {
    price: {
      total_amount: total.total_amount,
      total_amount_formatted: total.total_amount_formatted,
      total_amount_without_tax: withoutTax.total_amount,
      total_amount_without_tax_formatted: withoutTax.total_amount_formatted,
    },
  };
  if (want.has('tax')) finance.tax = moneyJson(q.taxMinor, currency, locale);
  if (want.has('surcharge')) finance.surcharge = moneyJson(q.surchargeMinor, currency, locale);
  if (want.has('commission')) finance.commission = moneyJson(q.commissionMinor, currency, locale);

  const details: ProductResponse['details'] = {
    finance,
    policy_start_date: formatApiDate(q.policyStart),
    policy_end_date: q.policyEnd ? formatApiDate(q.policyEnd) : null,
    pds_url: q.pdsUrl,
    files: q.files.map((f) => ({ ...f })),
  };
  if (want.has('benefits')) details.benefits = q.benefits.map((b) => benefitJson(b, currency, locale));

  const all = want.has('extra_fields');
  const extra: Record<string, JsonValue> = {};
  let any = false;
  for (const [name, value] of Object.entries(q.extraFields)) {
    if (all || want.has(name)) {
      extra[name] = value;
      any = true;
    }
  }
  if (any || all) details.extra_fields = extra;

  if (want.has('experiment') && opts.experiment) {
    details.experiment = { key: opts.experiment.key, variant: opts.experiment.variant };
  }
  return { id: opts.id, type: q.type, code: q.code, name: q.name, details };
}

/**
 * The `quote` variable of a product's content placeholders, exactly its fields: amounts
 * as numbers (CEL doubles) with `_formatted` strings, policy dates as timestamps, benefits with
 * limit/excess. Absent values are absent keys (`policy_end_date` of an open-ended policy, a
 * benefit's limit or excess), so `has(quote.policy_end_date)` tells, and using one is an error
 * that fails the product rather than printing "null".
 */
export function toQuoteVars(q: PricedQuote): Record<string, unknown> {
  const { currency, locale } = q;
  const n = (minor: number): number => minorToNumber(minor, currency);
  const f = (minor: number): string => formatMinor(minor, currency, locale);
  // one literal (no computed keys or spreads): this runs for every product of every offer
  const vars: Record<string, unknown> = {
    code: q.code,
    name: q.name,
    premium: n(q.premiumMinor),
    premium_formatted: f(q.premiumMinor),
    price: n(q.priceMinor),
    price_formatted: f(q.priceMinor),
    tax: n(q.taxMinor),
    tax_formatted: f(q.taxMinor),
    surcharge: n(q.surchargeMinor),
    surcharge_formatted: f(q.surchargeMinor),
    commission: n(q.commissionMinor),
    commission_formatted: f(q.commissionMinor),
    policy_start_date: q.policyStart,
  };
  if (q.policyEnd) vars.policy_end_date = q.policyEnd;
  vars.benefits = q.benefits.map((b) => benefitJson(b, currency, locale));
  return vars;
}
