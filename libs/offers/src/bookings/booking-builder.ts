import { formatMoney, fromMinorUnits, minorToNumber } from '@app/core';
import { formatApiDate } from '@app/quotes';
import { policyNumber } from './booking-id';
import type { BookingQuoteResponse, BookingResponse, PersonInput, PolicyholderInput } from './bookings.types';

/** A stored quote of the offer, as needed to book it (integer minor units of `currency`). */
export interface BookableQuote {
  id: string;
  productCode: string;
  productName: string;
  currency: string;
  premiumMinor: number;
  taxMinor: number;
  priceMinor: number;
  policyStart: Date;
  policyEnd: Date | null;
  pdsUrl: string | null;
}

export interface NewBooking {
  id: string;
  offerId: string;
  partnerId: string;
  apiKeyId: string;
  offerConfigId: string;
  status: string;
  currency: string;
  totalPriceMinor: number;
  totalTaxMinor: number;
  totalPremiumMinor: number;
  partnerTransactionId: string | null;
  policyholder: PolicyholderInput;
  response: BookingResponse;
  createdAt: Date;
}

export interface NewBookingItem {
  id: string;
  bookingId: string;
  offerId: string;
  quoteId: string;
  partnerId: string;
  productCode: string;
  policyNumber: string;
  currency: string;
  premiumMinor: number;
  taxMinor: number;
  priceMinor: number;
  policyStart: Date;
  policyEnd: Date | null;
  insured: PersonInput[];
  createdAt: Date;
}

export interface BookingInput {
  bookingId: string;
  offer: { id: string; partnerId: string; offerConfigId: string; currency: string };
  /** the quotes chosen, in the order of the confirm body */
  selected: Array<{ quote: BookableQuote; insured: PersonInput[] }>;
  policyholder: PolicyholderInput;
  partnerTransactionId: string | null;
  apiKeyId: string;
  /** from the offer's customer language and country */
  locale: string;
  now: Date;
  newId: () => string;
}

export function money(minor: number, currency: string, locale: string): { value: number; formatted: string } {
  return { value: minorToNumber(minor, currency), formatted: formatMoney(fromMinorUnits(minor, currency), currency, locale) };
}

/**
 * The booking's rows and 200 body (pure). Totals are sums of the selected quotes' stored integer
 * minor units, so they equal the quotes' prices to the cent.
 */
export function buildBooking(input: BookingInput): { response: BookingResponse; booking: NewBooking; items: NewBookingItem[] } {
  const { bookingId, offer, locale, now } = input;
  const currency = offer.currency;
  let priceMinor = 0;
  let taxMinor = 0;
  let premiumMinor = 0;
  const items: NewBookingItem[] = [];
  const quotes: BookingQuoteResponse[] = [];
  input.selected.forEach(({ quote, insured }, i) => {
    priceMinor += quote.priceMinor;
    taxMinor += quote.taxMinor;
    premiumMinor += quote.premiumMinor;
    const number = policyNumber(bookingId, i);
    const price = money(quote.priceMinor, currency, locale);
    const tax = money(quote.taxMinor, currency, locale);
    quotes.push({
      id: quote.id,
      code: quote.productCode,
      name: quote.productName,
      status: 'CONFIRMED',
      policy_number: number,
      policy_start_date: formatApiDate(quote.policyStart),
      policy_end_date: quote.policyEnd ? formatApiDate(quote.policyEnd) : null,
      price: price.value,
      price_formatted: price.formatted,
      tax: tax.value,
      tax_formatted: tax.formatted,
      pds_url: quote.pdsUrl,
      insured,
      confirmed_at: formatApiDate(now),
      cancelled_at: null,
    });
    items.push({
      id: input.newId(),
      bookingId,
      offerId: offer.id,
      quoteId: quote.id,
      partnerId: offer.partnerId,
      productCode: quote.productCode,
      policyNumber: number,
      currency,
      premiumMinor: quote.premiumMinor,
      taxMinor: quote.taxMinor,
      priceMinor: quote.priceMinor,
      policyStart: quote.policyStart,
      policyEnd: quote.policyEnd,
      insured,
      createdAt: now,
    });
  });
  const total = money(priceMinor, currency, locale);
  const totalTax = money(taxMinor, currency, locale);
  const totalRefund = money(0, currency, locale);
  const response: BookingResponse = {
    id: bookingId,
    status: 'CONFIRMED',
    offer_id: offer.id,
    offer_config_id: offer.offerConfigId,
    currency,
    total_price: total.value,
    total_price_formatted: total.formatted,
    total_tax: totalTax.value,
    total_tax_formatted: totalTax.formatted,
    partner_transaction_id: input.partnerTransactionId,
    total_refund: totalRefund.value,
    total_refund_formatted: totalRefund.formatted,
    created_at: formatApiDate(now),
    updated_at: formatApiDate(now),
    policyholder: input.policyholder,
    quotes,
  };
  const booking: NewBooking = {
    id: bookingId,
    offerId: offer.id,
    partnerId: offer.partnerId,
    apiKeyId: input.apiKeyId,
    offerConfigId: offer.offerConfigId,
    status: 'CONFIRMED',
    currency,
    totalPriceMinor: priceMinor,
    totalTaxMinor: taxMinor,
    totalPremiumMinor: premiumMinor,
    partnerTransactionId: input.partnerTransactionId,
    policyholder: input.policyholder,
    response,
    createdAt: now,
  };
  return { response, booking, items };
}
