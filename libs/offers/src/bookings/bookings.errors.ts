import { ErrorDetails, InvalidError, NotFoundError, UnprocessableError } from '@app/core';
import type { ProductRuleViolation } from '@app/rules';

/** 422: the confirm body is malformed (errors by JSON path, e.g. `/policyholder/email`). */
export class BookingValidationError extends InvalidError {
  constructor(errors: ErrorDetails) {
    super('booking_validation_error', 'Booking validation failed', errors);
  }
}

/** 422: the selection breaks the offer's product rules (`min_select`/`max_select` per group). */
export class ProductRulesViolationError extends UnprocessableError {
  constructor(violations: ProductRuleViolation[]) {
    super('product_rules_violation', violations.map((v) => v.message).join('; '), { violations }, { '/quotes': violations.map((v) => v.message) });
  }
}

export class OfferExpiredError extends UnprocessableError {
  constructor(expiresAt: string) {
    super('offer_expired', `The offer expired at ${expiresAt}`, { expires_at: expiresAt });
  }
}

export class BookingAlreadyExistsError extends UnprocessableError {
  constructor(bookingId: string) {
    super('booking_already_exists', 'This offer is already confirmed', { booking_id: bookingId });
  }
}

export class OfferAlreadyConfirmedError extends UnprocessableError {
  constructor(bookingId: string | null) {
    super('offer_already_confirmed', 'This offer is confirmed and can no longer be opted out of', { booking_id: bookingId });
  }
}

export class BookingNotFoundError extends NotFoundError {
  constructor() {
    super('booking_not_found', 'Booking not found');
  }
}

/** 422: a quote to cancel is cancelled already, or every quote of the booking is. */
export class BookingAlreadyCancelledError extends UnprocessableError {
  constructor(quoteIds: string[]) {
    super('booking_already_cancelled', quoteIds.length > 0 ? `Already cancelled: quote ${quoteIds.join(', ')}` : 'This booking is cancelled', {
      quote_ids: quoteIds,
    });
  }
}

/** 422: the product's `cancellation.allowed` is false for a quote now. */
export class CancellationNotAllowedError extends UnprocessableError {
  constructor(quoteId: string) {
    super('cancellation_not_allowed', `Quote ${quoteId} cannot be cancelled now`, { quote_id: quoteId });
  }
}

/** 422: the product's `modification.allowed` is false for a quote now. */
export class ModificationNotAllowedError extends UnprocessableError {
  constructor(quoteId: string) {
    super('modification_not_allowed', `Quote ${quoteId} cannot be modified now`, { quote_id: quoteId });
  }
}

/** 422: a quote of the booking could not be priced again (an expression failed, an amount out of range). */
export class QuotePricingError extends UnprocessableError {
  constructor(quoteId: string, message: string) {
    super('offer_quote_pricing_error', `Quote ${quoteId} could not be priced: ${message}`, { quote_id: quoteId });
  }
}

export class CancellationNotFoundError extends NotFoundError {
  constructor() {
    super('cancellation_not_found', 'Cancellation not found');
  }
}

export class CancellationExpiredError extends UnprocessableError {
  constructor(confirmBefore: string) {
    super('cancellation_expired', `The cancellation had to be confirmed before ${confirmBefore}`, { confirm_before: confirmBefore });
  }
}

export class CancellationStaleError extends UnprocessableError {
  constructor() {
    super('cancellation_stale', 'The booking changed since this cancellation was priced: ask for a new one');
  }
}

export class UpdateNotFoundError extends NotFoundError {
  constructor() {
    super('update_not_found', 'Update not found');
  }
}

export class UpdateExpiredError extends UnprocessableError {
  constructor(confirmBefore: string) {
    super('update_expired', `The update had to be confirmed before ${confirmBefore}`, { confirm_before: confirmBefore });
  }
}

export class UpdateStaleError extends UnprocessableError {
  constructor() {
    super('update_stale', 'The booking changed since this update was priced: ask for a new quote');
  }
}
