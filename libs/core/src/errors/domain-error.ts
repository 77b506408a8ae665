/**
 * Services throw DomainError subclasses; one HTTP filter maps `kind` to a status and writes the
 * one error envelope (docs/api.md, "Errors"). Services never throw HttpException.
 */
export type ErrorKind =
  | 'bad_request'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid'
  | 'locked'
  | 'rate_limited'
  | 'unavailable';

export type ErrorType = 'validation_error' | 'auth_error' | 'api_error' | 'rate_limit_error' | 'server_error';

/** JSON path (or bundle path) → messages. */
export type ErrorDetails = Record<string, string[]>;

export class DomainError extends Error {
  declare readonly kind: ErrorKind;
  declare readonly code: string;
  declare readonly errors?: ErrorDetails;
  /** extra top-level fields of the envelope, e.g. booking_id */
  declare readonly extra?: Record<string, unknown>;
  declare readonly type?: ErrorType;

  constructor(kind: ErrorKind, code: string, message: string, errors?: ErrorDetails, extra?: Record<string, unknown>, type?: ErrorType) {
    // A domain error is an expected answer (404, 422, 401…), not a fault: no stack trace is
    // captured for it (capturing one costs more than the rest of a rejected request). `unavailable`
    // (a database that cannot be reached) keeps its stack for the logs.
    const limit = Error.stackTraceLimit;
    if (kind !== 'unavailable') Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    Object.assign(this, { kind, code, errors, extra, type });
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, message: string, extra?: Record<string, unknown>) {
    super('not_found', code, message, undefined, extra);
  }
}

export class InvalidError extends DomainError {
  constructor(code: string, message: string, errors?: ErrorDetails, extra?: Record<string, unknown>) {
    super('invalid', code, message, errors, extra, 'validation_error');
  }
}

/** A 422 about the state of a resource rather than the shape of the input (api_error). */
export class UnprocessableError extends DomainError {
  constructor(code: string, message: string, extra?: Record<string, unknown>, errors?: ErrorDetails) {
    super('invalid', code, message, errors, extra, 'api_error');
  }
}

export class ForbiddenError extends DomainError {
  constructor(code = 'access_denied', message = 'Access denied') {
    super('forbidden', code, message, undefined, undefined, 'auth_error');
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(code = 'api_key_invalid', message = 'Missing or invalid API key') {
    super('unauthenticated', code, message, undefined, undefined, 'auth_error');
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, extra?: Record<string, unknown>) {
    super('conflict', code, message, undefined, extra);
  }
}

export class UnavailableError extends DomainError {
  constructor(
    code = 'service_unavailable',
    message = 'Service temporarily unavailable',
    readonly retryAfterS = 5,
  ) {
    super('unavailable', code, message, undefined, undefined, 'server_error');
  }
}
