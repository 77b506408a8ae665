import { Dec, currencyMinorDigits, decimalFromNumber, minorToDecimalString, timesRateInMinorUnits, toMinorUnits } from '@app/core';
import type { Product } from '@app/core';
import type { CelVars, Evaluate, JsonValue, PricedBenefit, PricedQuote, QuoteInput, QuoteResult } from './quotes.types';
import { formatApiDate } from './format';

/**
 * Quote columns are 32-bit integers on PostgreSQL: an amount past this many minor units fails the
 * product instead of failing the offer's write.
 */
export const MAX_MINOR_UNITS = 2_147_483_647;

/** A product fails with a message naming the field (internal: turned into a QuoteResult). */
class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'bigint') return `${value} (int)`;
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a bool';
  if (value instanceof Date) return 'a timestamp';
  if (Array.isArray(value)) return 'a list';
  return 'a map';
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function run(evaluate: Evaluate, expr: string, vars: CelVars, field: string): unknown {
  try {
    return evaluate(expr, vars);
  } catch (e) {
    throw new FieldError(field, `expression \`${expr}\` failed: ${errorMessage(e)}`);
  }
}

/**
 * A CEL number as an exact decimal: an int exactly, a double through its shortest round-trip
 * text (String(x)): 1299 * 0.015 is the double 19.48499999999999943…, whose text is "19.485",
 * which rounds half-up to 19.49 (the binary value would round to 19.48).
 */
function toDecimal(value: unknown, field: string): Dec {
  if (typeof value === 'bigint') return new Dec(value.toString());
  if (isUnsigned(value)) return new Dec(value.valueOf().toString());
  if (typeof value === 'number' && Number.isFinite(value)) return decimalFromNumber(value);
  throw new FieldError(field, `must be a non-negative number, got ${describe(value)}`);
}

function nonNegative(value: unknown, field: string): Dec {
  const d = toDecimal(value, field);
  if (d.isNegative() && !d.isZero()) throw new FieldError(field, `must be a non-negative number, got ${d.toString()}`);
  return d.isZero() ? new Dec(0) : d; // -0 → 0
}

function optionalNumber(evaluate: Evaluate, expr: string | undefined, vars: CelVars, field: string): Dec | null {
  if (expr === undefined) return null;
  return nonNegative(run(evaluate, expr, vars, field), field);
}

function minor(amount: Dec, currency: string, field: string): number {
  const m = toMinorUnits(amount, currency);
  if (m > MAX_MINOR_UNITS) throw new FieldError(field, `amount ${amount.toString()} ${currency} exceeds the largest supported amount`);
  return m;
}

/**
 * `minor × rate` rounded half-up to a whole minor unit (timesRateInMinorUnits), failing the product
 * past MAX_MINOR_UNITS. The amount in the message is exact even where the rounded product is no
 * longer a safe integer (a rate of 1e308 makes it Infinity as a number).
 */
function minorTimesRate(minor: number, rate: Dec, currency: string, field: string): number {
  const m = timesRateInMinorUnits(minor, rate);
  if (m <= MAX_MINOR_UNITS) return m;
  const amount = Number.isSafeInteger(m)
    ? minorToDecimalString(m, currency)
    : new Dec(minor)
        .times(rate)
        .toDecimalPlaces(0, Dec.ROUND_HALF_UP)
        .dividedBy(new Dec(10).pow(currencyMinorDigits(currency)))
        .toString();
  throw new FieldError(field, `amount ${amount} ${currency} exceeds the largest supported amount`);
}

/** cel-js's `uint` values are objects wrapping a bigint. */
function isUnsigned(value: unknown): value is { valueOf(): bigint } {
  return typeof value === 'object' && value !== null && value.constructor?.name === 'UnsignedInt';
}

/** A class instance's own toString (cel-js durations print `3600s`), if it has one. */
function ownToString(value: object): string | undefined {
  const fn = (value as { toString?: unknown }).toString;
  return typeof fn === 'function' && fn !== Object.prototype.toString ? String(fn.call(value)) : undefined;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** A CEL timestamp, or an RFC 3339 string (a `dyn` field holding one). */
function timestamp(value: unknown, field: string): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === 'string' && RFC3339.test(value)) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new FieldError(field, `must be a timestamp, got ${describe(value)}`);
}

/** CEL value → JSON for extra_fields: ints as numbers (digits as a string past 2^53), timestamps ISO. */
function celToJson(value: unknown, field: string): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new FieldError(field, `must be a finite number, got ${describe(value)}`);
    return Object.is(value, -0) ? 0 : value;
  }
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (value instanceof Date) return formatApiDate(timestamp(value, field));
  if (isUnsigned(value)) return celToJson(value.valueOf(), field);
  if (Array.isArray(value)) return value.map((v, i) => celToJson(v, `${field}[${i}]`));
  if (value instanceof Map) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of value) out[String(k)] = celToJson(v, `${field}.${String(k)}`);
    return out;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Object.prototype || proto === null) {
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of Object.entries(value)) out[k] = celToJson(v, `${field}.${k}`);
      return out;
    }
    const text = ownToString(value);
    if (text !== undefined && !(value instanceof Uint8Array)) return text;
  }
  throw new FieldError(field, 'has a value that cannot be written as JSON');
}

/**
 * Prices one product. Order of work, each step failing the product with
 * `offer_quote_pricing_error` and a message naming its field:
 *  1. `when` (absent = true) must be true;
 *  2. pricing inputs evaluated and made exact decimals (ints exactly, doubles through String(x)):
 *     premium (required, ≥ 0), min_premium, max_premium, surcharge (default 0), tax_rate
 *     (default 0), commission_rate (default 0), all ≥ 0, min ≤ max;
 *  3. money, in this order, each rounded half-up to the currency's minor unit as soon as it
 *     is computed, and every later step computed from the rounded amounts before it:
 *       premium    = round(clamp(premium, min_premium, max_premium))
 *       surcharge  = round(surcharge)
 *       tax        = round((premium + surcharge) × tax_rate)
 *       total      = premium + surcharge + tax          (sum of rounded amounts: exact)
 *       without_tax = premium + surcharge               (exact)
 *       commission = round(premium × commission_rate)
 *     so total = premium + surcharge + tax holds to the minor unit in every response;
 *  4. policy start (default `now`) and end (optional; must be after start);
 *  5. benefits' limit/excess (money, rounded), then extra_fields (JSON values).
 */
export function quoteProduct(product: Product, input: QuoteInput): QuoteResult {
  try {
    return { ok: true, quote: price(product, input) };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, code: 'offer_quote_pricing_error', message: e.message };
    throw e;
  }
}

function price(product: Product, { vars, currency, locale, evaluate }: QuoteInput): PricedQuote {
  try {
    currencyMinorDigits(currency);
  } catch {
    throw new FieldError('currency', `${currency} is not a currency`);
  }
  if (product.when !== undefined) {
    const ok = run(evaluate, product.when, vars, 'when');
    if (typeof ok !== 'boolean') throw new FieldError('when', `must evaluate to a bool, got ${describe(ok)}`);
    if (!ok) throw new FieldError('when', `the product's conditions are not met (\`${product.when}\` is false)`);
  }

  const p = product.pricing;
  const rawPremium = nonNegative(run(evaluate, p.premium, vars, 'pricing.premium'), 'pricing.premium');
  const minPremium = optionalNumber(evaluate, p.min_premium, vars, 'pricing.min_premium');
  const maxPremium = optionalNumber(evaluate, p.max_premium, vars, 'pricing.max_premium');
  if (minPremium && maxPremium && minPremium.greaterThan(maxPremium)) {
    throw new FieldError('pricing.min_premium', `${minPremium.toString()} is above pricing.max_premium ${maxPremium.toString()}`);
  }
  const rawSurcharge = optionalNumber(evaluate, p.surcharge, vars, 'pricing.surcharge') ?? new Dec(0);
  const taxRate = optionalNumber(evaluate, p.tax_rate, vars, 'pricing.tax_rate') ?? new Dec(0);
  const commissionRate = optionalNumber(evaluate, p.commission_rate, vars, 'pricing.commission_rate') ?? new Dec(0);

  let clamped = rawPremium;
  if (minPremium && clamped.lessThan(minPremium)) clamped = minPremium;
  if (maxPremium && clamped.greaterThan(maxPremium)) clamped = maxPremium;

  const premiumMinor = minor(clamped, currency, 'pricing.premium');
  const surchargeMinor = minor(rawSurcharge, currency, 'pricing.surcharge');
  // tax and commission straight from the rounded amounts in minor units (the same exact result as
  // rounding (premium + surcharge) × rate to the currency, without converting back to decimals)
  const taxMinor = minorTimesRate(premiumMinor + surchargeMinor, taxRate, currency, 'pricing.tax_rate');
  const priceMinor = premiumMinor + surchargeMinor + taxMinor;
  const priceWithoutTaxMinor = premiumMinor + surchargeMinor;
  if (priceMinor > MAX_MINOR_UNITS) throw new FieldError('pricing.premium', 'the total price exceeds the largest supported amount');
  const commissionMinor = minorTimesRate(premiumMinor, commissionRate, currency, 'pricing.commission_rate');

  const policyStart = product.policy?.start !== undefined ? timestamp(run(evaluate, product.policy.start, vars, 'policy.start'), 'policy.start') : vars.now;
  let policyEnd: Date | null = null;
  if (product.policy?.end !== undefined) {
    policyEnd = timestamp(run(evaluate, product.policy.end, vars, 'policy.end'), 'policy.end');
    if (policyEnd.getTime() <= policyStart.getTime()) {
      throw new FieldError('policy.end', `${formatApiDate(policyEnd)} is not after policy.start ${formatApiDate(policyStart)}`);
    }
  }

  const benefits: PricedBenefit[] = (product.benefits ?? []).map((b, i) => {
    const out: PricedBenefit = { description: b.description };
    const limit = optionalNumber(evaluate, b.limit, vars, `benefits[${i}].limit`);
    if (limit) out.limitMinor = toSafeMinor(limit, currency, `benefits[${i}].limit`);
    const excess = optionalNumber(evaluate, b.excess, vars, `benefits[${i}].excess`);
    if (excess) out.excessMinor = toSafeMinor(excess, currency, `benefits[${i}].excess`);
    return out;
  });

  const extraFields: Record<string, JsonValue> = {};
  for (const [name, expr] of Object.entries(product.extra_fields ?? {})) {
    const field = `extra_fields.${name}`;
    extraFields[name] = celToJson(run(evaluate, expr, vars, field), field);
  }

  return {
    code: product.code,
    type: product.type ?? 'xcover-product',
    name: product.name,
    currency,
    locale,
    premiumMinor,
    surchargeMinor,
    taxMinor,
    priceMinor,
    priceWithoutTaxMinor,
    commissionMinor,
    policyStart,
    policyEnd,
    pdsUrl: product.pds_url ?? null,
    files: (product.files ?? []).map((f) => ({ ...f })),
    benefits,
    extraFields,
    inputs: {
      premium: rawPremium.toString(),
      min_premium: minPremium?.toString() ?? null,
      max_premium: maxPremium?.toString() ?? null,
      surcharge: rawSurcharge.toString(),
      tax_rate: taxRate.toString(),
      commission_rate: commissionRate.toString(),
    },
  };
}

/** Benefit limits are not stored in 32-bit columns: only JSON-number exactness matters. */
function toSafeMinor(amount: Dec, currency: string, field: string): number {
  const m = toMinorUnits(amount, currency);
  if (!Number.isSafeInteger(m)) throw new FieldError(field, `amount ${amount.toString()} is too large`);
  return m;
}
