import type { OfferCaller } from '../offer-engine.types';

/** An insured person (a Confirm body's `quotes[].insured[]`). */
export interface PersonInput {
  first_name: string;
  last_name: string;
  email?: string;
  phone?: string;
  birth_date?: string;
  age?: number;
}

export interface PolicyholderInput extends PersonInput {
  /** ISO 3166-1 alpha-2 */
  country: string;
  company?: string;
  address1?: string;
  address2?: string;
  city?: string;
  region?: string;
  postcode?: string;
}

export interface ConfirmQuoteInput {
  id: string;
  insured?: PersonInput[];
}

/** The confirm body once its shape has been validated (class-validator, in the HTTP layer). */
export interface ConfirmOfferInput {
  quotes: ConfirmQuoteInput[];
  policyholder: PolicyholderInput;
  partner_transaction_id?: string;
}

export interface ConfirmOfferCommand {
  caller: OfferCaller;
  offerId: string;
  body: ConfirmOfferInput;
  idempotencyKey?: string;
}

export type BookingStatus = 'CONFIRMED' | 'CANCELLED';

export interface BookingQuoteResponse {
  id: string;
  code: string;
  name: string;
  status: BookingStatus;
  policy_number: string;
  policy_start_date: string;
  policy_end_date: string | null;
  price: number;
  price_formatted: string;
  tax: number;
  tax_formatted: string;
  pds_url: string | null;
  insured: PersonInput[];
  /** ISO 8601: when the quote was confirmed (cooling-off counts from it) */
  confirmed_at: string;
  /** ISO 8601, once cancelled; else null */
  cancelled_at: string | null;
  /** once cancelled (or in a cancellation preview): what was (would be) refunded */
  refund_value?: number;
  refund_value_formatted?: string;
  /** once cancelled (or in a cancellation preview): price − refund */
  adjustment_fee?: number;
  adjustment_fee_formatted?: string;
  /** once cancelled (or in a cancellation preview): the end of the cooling-off period */
  policy_coolingoff_date?: string;
  /** once cancelled: when; null in a preview */
  policy_cancellation_date?: string | null;
  /** in a quote for update: new price − old price */
  price_diff?: number;
  price_diff_formatted?: string;
}

/** A booking, as answered by confirm, by `GET …/bookings/{id}/` and by every change of it. */
export interface BookingResponse {
  id: string;
  /** CONFIRMED while any quote is, CANCELLED once all are */
  status: BookingStatus;
  offer_id: string;
  offer_config_id: string;
  currency: string;
  total_price: number;
  total_price_formatted: string;
  total_tax: number;
  total_tax_formatted: string;
  partner_transaction_id: string | null;
  /** the sum of every refund made so far */
  total_refund: number;
  total_refund_formatted: string;
  created_at: string;
  /** the last change (the confirmation, until a change) */
  updated_at: string;
  policyholder: PolicyholderInput;
  quotes: BookingQuoteResponse[];
  /** in a cancellation's answer: null once applied (a preview has its own id) */
  cancellation_id?: string | null;
}

export interface ConfirmOfferResult {
  /** 200, or 409 for an idempotent replay */
  status: number;
  body: BookingResponse;
  replayed: boolean;
}

export interface OptOutCommand {
  caller: OfferCaller;
  offerId: string;
  /** `partner_metadata` and free fields, stored as received: a JSON object, or nothing */
  body: unknown;
}
