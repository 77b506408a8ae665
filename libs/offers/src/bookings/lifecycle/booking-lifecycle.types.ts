import type { OfferCaller } from '../../offer-engine.types';
import type { BookingResponse, PersonInput, PolicyholderInput } from '../bookings.types';

/**
 * Who changes a booking, as its events record it: a partner's API key (its id), or an operator's
 * admin key (named as the audit log names it: `bootstrap` or `admin-key:<prefix>`).
 */
export type BookingActor = { api_key_id: string } | { admin_key_id: string };

/** An operator changing a partner's booking through the admin API. */
export interface OperatorCaller {
  partnerId: string;
  partnerCode: string;
  /** the admin key, as the audit log names it: `bootstrap` or `admin-key:<prefix>` */
  operator: string;
  /** the request, for the audit entry */
  requestId?: string | null;
}

/** Who asks for a change: the partner through one of its API keys, or an operator. */
export type BookingCaller = OfferCaller | OperatorCaller;

/** The cancel body once its shape is validated (HTTP layer): every field optional. */
export interface CancelBookingInput {
  /** true: price the cancellation and change nothing */
  preview?: boolean;
  /** the quotes to cancel; absent: every quote still in force */
  quotes?: Array<{ id: string }>;
  cancellation_reason?: string;
}

/** `PATCH …/bookings/{id}/`: changes without a price change (partial policyholder, insured per quote). */
export interface UpdateBookingInput {
  policyholder?: Partial<PolicyholderInput>;
  quotes?: Array<{ id: string; insured?: PersonInput[] }>;
}

/** `PATCH …/bookings/{id}/quote_for_update`: context fields to change per quote, re-priced. */
export interface QuoteForUpdateInput {
  quotes: Array<{ id: string; update_fields: Record<string, unknown> }>;
  policyholder?: Partial<PolicyholderInput>;
}

interface BookingCommand {
  caller: BookingCaller;
  bookingId: string;
  idempotencyKey?: string;
}

export interface CancelBookingCommand extends BookingCommand {
  body: CancelBookingInput;
}

export interface ConfirmCancellationCommand extends BookingCommand {
  cancellationId: string;
}

export interface UpdateBookingCommand extends BookingCommand {
  body: UpdateBookingInput;
}

export interface QuoteForUpdateCommand extends BookingCommand {
  body: QuoteForUpdateInput;
}

export interface ConfirmUpdateCommand extends BookingCommand {
  updateId: string;
}

/** A cancellation preview: the booking as it would be, with the id that confirms it. */
export interface CancellationPreviewResponse extends BookingResponse {
  cancellation_id: string;
  /** ISO 8601: the preview is refused after this */
  confirm_before: string;
}

/** A quote for update: the booking as it would be, re-priced, with the id that confirms it. */
export interface UpdateQuoteResponse extends BookingResponse {
  total_price_diff: number;
  total_price_diff_formatted: string;
  update_id: string;
  confirm_before: string;
}

/** What a lifecycle route answers: its status (409 for an idempotent replay) and body. */
export interface BookingChangeResult<T extends BookingResponse = BookingResponse> {
  status: number;
  body: T;
  replayed: boolean;
}

export type BookingStatusFilter = 'CONFIRMED' | 'CANCELLED';

/** `GET …/bookings/` filters, once parsed (HTTP layer): limit 1–100, offset ≥ 0. */
export interface BookingListQuery {
  status?: BookingStatusFilter;
  partnerTransactionId?: string;
  /** created_at ≥ createdFrom */
  createdFrom?: Date;
  /** created_at < createdTo */
  createdTo?: Date;
  limit: number;
  offset: number;
}

/** `GET /admin/partners/{p}/bookings`: the bookings `text` names, or the latest without it. */
export interface BookingSearchQuery {
  /** a booking id or a partner transaction id (exactly), or a policyholder e-mail (any case) */
  text?: string;
  /** 1–100 */
  limit: number;
}

/** One page of a partner's bookings, newest first; the HTTP layer adds `next`/`previous`. */
export interface BookingPage {
  count: number;
  results: BookingResponse[];
}

/** One stored change of a booking (`GET /admin/partners/{p}/bookings/{id}/events`). */
export interface BookingEventView {
  id: string;
  type: 'booking.created' | 'booking.updated' | 'booking.cancelled';
  /** ISO 8601 */
  at: string;
  /** the booking's version after the change: 1 for booking.created, then +1 per change */
  version: number;
  actor: BookingActor;
  idempotency_key: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}
