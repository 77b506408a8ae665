import { minorToNumber } from '@app/core';
import { formatApiDate } from '@app/quotes';
import { money } from '../booking-builder';
import type { BookingQuoteResponse, BookingResponse } from '../bookings.types';
import type { BookingItemRecord, BookingRecord } from './booking-changes.sql';

/** A booking and its quotes as a change leaves them (before they are written). */
export interface BookingState {
  booking: BookingRecord;
  items: BookingItemRecord[];
}

/** Per quote id, the end of its cooling-off period (shown on a cancelled or to-be-cancelled quote). */
export type CoolingOffEnds = ReadonlyMap<string, Date>;

/**
 * The booking's totals from its quotes: price and tax of the quotes in force, premium of the quotes
 * in force, refunds of every quote; CANCELLED once no quote is in force.
 */
export function withTotals(state: BookingState): BookingState {
  let price = 0;
  let tax = 0;
  let premium = 0;
  let refund = 0;
  for (const item of state.items) {
    refund += item.refundMinor ?? 0;
    if (item.status !== 'CONFIRMED') continue;
    price += item.priceMinor;
    tax += item.taxMinor;
    premium += item.premiumMinor;
  }
  const inForce = state.items.some((i) => i.status === 'CONFIRMED');
  return {
    booking: {
      ...state.booking,
      status: inForce ? 'CONFIRMED' : 'CANCELLED',
      totalPriceMinor: price,
      totalTaxMinor: tax,
      totalPremiumMinor: premium,
      totalRefundMinor: refund,
    },
    items: state.items,
  };
}

/**
 * The booking as partners read it, from its records. What the records do not hold (a quote's name
 * and document URL, a cooling-off end already shown) comes from the booking as last rendered.
 */
export function renderBooking(state: BookingState, locale: string, coolingOffEnds: CoolingOffEnds = new Map()): BookingResponse {
  const { booking } = state;
  const currency = booking.currency;
  const previous = new Map((booking.response.quotes ?? []).map((q) => [q.id, q]));
  const quotes = state.items.map((item): BookingQuoteResponse => {
    const before = previous.get(item.quoteId);
    const price = money(item.priceMinor, currency, locale);
    const tax = money(item.taxMinor, currency, locale);
    const quote: BookingQuoteResponse = {
      id: item.quoteId,
      code: item.productCode,
      name: before?.name ?? item.productCode,
      status: item.status,
      policy_number: item.policyNumber,
      policy_start_date: formatApiDate(item.policyStart),
      policy_end_date: item.policyEnd ? formatApiDate(item.policyEnd) : null,
      price: price.value,
      price_formatted: price.formatted,
      tax: tax.value,
      tax_formatted: tax.formatted,
      pds_url: before?.pds_url ?? null,
      insured: item.insured,
      confirmed_at: formatApiDate(item.confirmedAt),
      cancelled_at: item.cancelledAt ? formatApiDate(item.cancelledAt) : null,
    };
    if (item.status === 'CANCELLED' && item.refundMinor !== null) {
      const refund = money(item.refundMinor, currency, locale);
      const fee = money(item.priceMinor - item.refundMinor, currency, locale);
      const coolingOff = coolingOffEnds.get(item.quoteId);
      quote.refund_value = refund.value;
      quote.refund_value_formatted = refund.formatted;
      quote.adjustment_fee = fee.value;
      quote.adjustment_fee_formatted = fee.formatted;
      quote.policy_coolingoff_date = coolingOff ? formatApiDate(coolingOff) : before?.policy_coolingoff_date;
      quote.policy_cancellation_date = item.cancelledAt ? formatApiDate(item.cancelledAt) : null;
      if (quote.policy_coolingoff_date === undefined) delete quote.policy_coolingoff_date;
    }
    return quote;
  });
  const total = money(booking.totalPriceMinor, currency, locale);
  const totalTax = money(booking.totalTaxMinor, currency, locale);
  const totalRefund = money(booking.totalRefundMinor, currency, locale);
  return {
    id: booking.id,
    status: booking.status,
    offer_id: booking.offerId,
    offer_config_id: booking.offerConfigId,
    currency,
    total_price: total.value,
    total_price_formatted: total.formatted,
    total_tax: totalTax.value,
    total_tax_formatted: totalTax.formatted,
    partner_transaction_id: booking.partnerTransactionId,
    total_refund: totalRefund.value,
    total_refund_formatted: totalRefund.formatted,
    created_at: formatApiDate(booking.createdAt),
    updated_at: formatApiDate(booking.updatedAt),
    policyholder: booking.policyholder,
    quotes,
  };
}

/**
 * What an event records of a booking: status, amounts (major units, as in the booking), the
 * policyholder, the context after updates, and per quote its status, price, tax, policy dates,
 * insured and refund.
 */
function eventFacts(state: BookingState): Record<string, unknown> {
  const currency = state.booking.currency;
  const amount = (minor: number) => minorToNumber(minor, currency);
  const quotes: Record<string, Record<string, unknown>> = {};
  for (const i of state.items) {
    quotes[i.quoteId] = {
      status: i.status,
      price: amount(i.priceMinor),
      tax: amount(i.taxMinor),
      policy_start_date: formatApiDate(i.policyStart),
      policy_end_date: i.policyEnd ? formatApiDate(i.policyEnd) : null,
      insured: i.insured,
      refund_value: i.refundMinor === null ? null : amount(i.refundMinor),
    };
  }
  return {
    status: state.booking.status,
    total_price: amount(state.booking.totalPriceMinor),
    total_tax: amount(state.booking.totalTaxMinor),
    total_refund: amount(state.booking.totalRefundMinor),
    policyholder: state.booking.policyholder,
    context: state.booking.context,
    quotes,
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * An event's `before` and `after`: only what changed. Top-level facts that differ; of the
 * policyholder and the context, the fields that differ; of the quotes, `[{ id, …fields that
 * differ }]` for each quote that changed.
 */
export function changedFacts(before: BookingState, after: BookingState): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const a = eventFacts(before);
  const b = eventFacts(after);
  const out = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  for (const key of ['status', 'total_price', 'total_tax', 'total_refund']) {
    if (!same(a[key], b[key])) {
      out.before[key] = a[key];
      out.after[key] = b[key];
    }
  }
  for (const key of ['policyholder', 'context']) {
    const x = (a[key] ?? {}) as Record<string, unknown>;
    const y = (b[key] ?? {}) as Record<string, unknown>;
    const fields = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((f) => !same(x[f], y[f]));
    if (fields.length === 0) continue;
    out.before[key] = Object.fromEntries(fields.map((f) => [f, x[f] ?? null]));
    out.after[key] = Object.fromEntries(fields.map((f) => [f, y[f] ?? null]));
  }
  const qa = a.quotes as Record<string, Record<string, unknown>>;
  const qb = b.quotes as Record<string, Record<string, unknown>>;
  const quotesBefore: Array<Record<string, unknown>> = [];
  const quotesAfter: Array<Record<string, unknown>> = [];
  for (const [id, y] of Object.entries(qb)) {
    const x = qa[id] ?? {};
    const fields = Object.keys(y).filter((f) => !same(x[f], y[f]));
    if (fields.length === 0) continue;
    quotesBefore.push({ id, ...Object.fromEntries(fields.map((f) => [f, x[f] ?? null])) });
    quotesAfter.push({ id, ...Object.fromEntries(fields.map((f) => [f, y[f]])) });
  }
  if (quotesAfter.length > 0) {
    out.before.quotes = quotesBefore;
    out.after.quotes = quotesAfter;
  }
  return out;
}
