import { ErrorDetails, InvalidError, NotFoundError, DomainError, UnprocessableError } from '@app/core';

export class OfferValidationError extends InvalidError {
  constructor(errors: ErrorDetails) {
    super('offer_validation_error', 'Request validation failed', errors);
  }
}

export class SchemaRequiredError extends InvalidError {
  constructor() {
    super('offer_validation_schema_required', 'No `schema` given and the partner has no default schema', { '/schema': ['is required'] });
  }
}

export class SchemaNotFoundError extends InvalidError {
  constructor(id: string) {
    super('offer_validation_schema_not_found', `Offer schema "${id}" does not exist`, { '/schema': [`unknown schema "${id}"`] });
  }
}

export class OfferSelectionNotFoundError extends NotFoundError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

export class OfferExpressionError extends UnprocessableError {
  constructor(configId: string, expression: string, message: string) {
    super('offer_expression_error', `Offer config "${configId}": expression \`${expression}\` failed: ${message}`, {
      offer_config_id: configId,
      expression,
    });
  }
}

export class QuoteGenerationFailedError extends UnprocessableError {
  constructor(errors: Record<string, { code: string; message: string }>) {
    const details: ErrorDetails = {};
    for (const [code, e] of Object.entries(errors)) details[code] = [`${e.code}: ${e.message}`];
    super('offer_quote_generation_failed', 'No product could be quoted', { product_errors: errors }, details);
  }
}

export class OfferNotFoundError extends NotFoundError {
  constructor() {
    super('offer_not_found', 'Offer not found');
  }
}

/** the longest idempotency key kept (the column's length) */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export class IdempotencyKeyInvalidError extends InvalidError {
  constructor() {
    super('idempotency_key_invalid', `X-Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, {
      'headers.x-idempotency-key': [`must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`],
    });
  }
}

export class IdempotencyKeyReusedError extends UnprocessableError {
  constructor() {
    super('idempotency_key_reused', 'This x-idempotency-key was used with a different request');
  }
}

export class IdempotencyInProgressError extends DomainError {
  constructor() {
    super(
      'locked',
      'idempotency_in_progress',
      'A request with this x-idempotency-key is still being processed; retry shortly',
      undefined,
      undefined,
      'api_error',
    );
  }
}
