import {
  CANCELLATION_DEFAULTS,
  cancellationOf,
  Dec,
  durationToMs,
  ExpressionEvaluationError,
  minorToNumber,
  modificationOf,
  toCelInput,
  toMinorUnits,
  type CelBookingQuote,
  type CelVars,
} from '@app/core';
import { CancellationNotAllowedError, ModificationNotAllowedError, QuotePricingError } from '../bookings.errors';
import type { BookingItemRecord } from './booking-changes.sql';
import type { BookingTerms } from './booking-terms';

/** What a cancellation refunds for one quote. */
export interface QuoteRefund {
  quoteId: string;
  refundMinor: number;
  /** the end of the quote's cooling-off period */
  coolingOffEnd: Date;
}

/** The variables of a booking's expressions: the offer's request (its context as updated) and `now`. */
export function bookingVars(request: Record<string, unknown>, now: Date): CelVars {
  return { ...toCelInput(request), now };
}

/** The booked quote as `cancellation`/`modification` expressions see it (amounts in major units). */
export function celBookingQuote(item: BookingItemRecord, currency: string): CelBookingQuote {
  const quote: CelBookingQuote = {
    code: item.productCode,
    price: minorToNumber(item.priceMinor, currency),
    premium: minorToNumber(item.premiumMinor, currency),
    tax: minorToNumber(item.taxMinor, currency),
    policy_start_date: item.policyStart,
    confirmed_at: item.confirmedAt,
  };
  if (item.policyEnd) quote.policy_end_date = item.policyEnd;
  return quote;
}

function evaluate(terms: BookingTerms, expr: string, vars: CelVars, item: BookingItemRecord, currency: string): unknown {
  try {
    return terms.evaluateForQuote(expr, vars, celBookingQuote(item, currency));
  } catch (e) {
    if (e instanceof ExpressionEvaluationError) throw new QuotePricingError(item.quoteId, e.message);
    throw e;
  }
}

function mustBeBool(value: unknown, item: BookingItemRecord, expr: string): boolean {
  if (typeof value !== 'boolean') throw new QuotePricingError(item.quoteId, `${expr} must give a bool`);
  return value;
}

/**
 * The refund of each quote to cancel, from its product's `cancellation` block, evaluated at `now`:
 * `allowed` false → CancellationNotAllowedError; within the cooling-off period (from the quote's
 * confirmation) and before the policy ends → the whole price; otherwise the `refund` expression,
 * rounded to the currency's minor unit and clamped to [0, price]. A quote without an end date is
 * in force until cancelled: the default `allowed` lets it be cancelled.
 */
export function refundsFor(items: readonly BookingItemRecord[], terms: BookingTerms, vars: CelVars, currency: string): QuoteRefund[] {
  const now = vars.now;
  return items.map((item) => {
    const rules = cancellationOf(terms.products.get(item.productCode) ?? {});
    const openEnded = item.policyEnd === null;
    const allowed =
      openEnded && rules.allowed === CANCELLATION_DEFAULTS.allowed
        ? true
        : mustBeBool(evaluate(terms, rules.allowed, vars, item, currency), item, 'cancellation.allowed');
    if (!allowed) throw new CancellationNotAllowedError(item.quoteId);
    const coolingOffEnd = new Date(item.confirmedAt.getTime() + durationToMs(rules.cooling_off));
    const policyInForce = openEnded || now.getTime() < (item.policyEnd as Date).getTime();
    if (now.getTime() < coolingOffEnd.getTime() && policyInForce) return { quoteId: item.quoteId, refundMinor: item.priceMinor, coolingOffEnd };
    const value = evaluate(terms, rules.refund, vars, item, currency);
    const refund = toDecimal(value, item);
    const minor = Math.min(Math.max(toMinorUnits(refund, currency), 0), item.priceMinor);
    return { quoteId: item.quoteId, refundMinor: minor, coolingOffEnd };
  });
}

function toDecimal(value: unknown, item: BookingItemRecord): Dec {
  if (typeof value === 'number' && Number.isFinite(value)) return new Dec(value);
  if (typeof value === 'bigint') return new Dec(value.toString());
  throw new QuotePricingError(item.quoteId, 'cancellation.refund must give a finite number');
}

/** Refuses the update of a quote whose product's `modification.allowed` is false now. */
export function assertModifiable(item: BookingItemRecord, terms: BookingTerms, vars: CelVars, currency: string): void {
  const rules = modificationOf(terms.products.get(item.productCode) ?? {});
  if (!mustBeBool(evaluate(terms, rules.allowed, vars, item, currency), item, 'modification.allowed')) throw new ModificationNotAllowedError(item.quoteId);
}

/** The fields of `updateFields` the quote's product does not let an update change (`modification.fields`). */
export function fieldsNotModifiable(item: BookingItemRecord, terms: BookingTerms, updateFields: Record<string, unknown>): string[] {
  const { fields } = modificationOf(terms.products.get(item.productCode) ?? {});
  if (fields === undefined) return [];
  return Object.keys(updateFields).filter((f) => !fields.includes(f));
}

/** The premium's share of a refund of part of a price (integer minor units, rounded half up). */
export function refundedPremium(item: Pick<BookingItemRecord, 'premiumMinor' | 'priceMinor'>, refundMinor: number): number {
  if (item.priceMinor <= 0 || refundMinor <= 0) return 0;
  const twice = (2n * BigInt(item.premiumMinor) * BigInt(refundMinor)) / BigInt(item.priceMinor);
  return Number((twice + 1n) / 2n);
}
