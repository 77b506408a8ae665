import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErrorKind, ErrorType } from '@app/core';

/** The one error envelope, docs/api.md "Errors" (also the Swagger schema of every error response). */
export class ErrorEnvelopeDto {
  @ApiProperty({ enum: ['validation_error', 'auth_error', 'api_error', 'rate_limit_error', 'server_error'] })
  type!: ErrorType;

  @ApiProperty({ example: 'offer_validation_error' })
  code!: string;

  @ApiProperty({ example: 'Request validation failed' })
  message!: string;

  @ApiPropertyOptional({
    description: 'JSON path (or bundle path) → messages',
    example: { '/context/trip_cost': ['must be >= 0'] },
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
  })
  errors?: Record<string, string[]>;

  @ApiProperty({ description: 'the request id (also in X-Request-Id)' })
  error_id!: string;
}

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid: 422,
  locked: 423,
  rate_limited: 429,
  unavailable: 503,
};

export const DEFAULT_TYPE_BY_STATUS: Record<number, ErrorType> = {
  400: 'validation_error',
  401: 'auth_error',
  403: 'auth_error',
  404: 'api_error',
  409: 'api_error',
  413: 'validation_error',
  415: 'validation_error',
  422: 'validation_error',
  423: 'api_error',
  429: 'rate_limit_error',
  500: 'server_error',
  503: 'server_error',
};
