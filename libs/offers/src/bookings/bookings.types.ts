import type { OfferCaller } from '../offer-engine.types';

/** An insured person (spec §3.2 `quotes[].insured[]`). */
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

export interface BookingQuoteResponse {
  id: string;
  code: string;
  name: string;
  status: 'CONFIRMED';
  policy_number: string;
  policy_start_date: string;
  policy_end_date: string | null;
  price: number;
  price_formatted: string;
  tax: number;
  tax_formatted: string;
  pds_url: string | null;
  insured: PersonInput[];
}

/** The booking of spec §3.2, as answered by confirm and by `GET …/bookings/{id}/`. */
export interface BookingResponse {
  id: string;
  status: 'CONFIRMED';
  offer_id: string;
  offer_config_id: string;
  currency: string;
  total_price: number;
  total_price_formatted: string;
  total_tax: number;
  total_tax_formatted: string;
  partner_transaction_id: string | null;
  created_at: string;
  policyholder: PolicyholderInput;
  quotes: BookingQuoteResponse[];
}

export interface ConfirmOfferResult {
  /** 200, or 409 for an idempotent replay (spec §3.6) */
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
