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
    super(
      'product_rules_violation',
      violations.map((v) => v.message).join('; '),
      { violations },
      { '/quotes': violations.map((v) => v.message) },
    );
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
