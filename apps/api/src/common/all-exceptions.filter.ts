import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { DomainError, ErrorType } from '@app/core';
import { isDatabaseUnavailable } from './database-unavailable';
import { DEFAULT_TYPE_BY_STATUS, STATUS_BY_KIND } from './error-envelope';
import { requestIdOf } from './request-id';

interface Envelope {
  status: number;
  type: ErrorType;
  code: string;
  message: string;
  errors?: Record<string, string[]>;
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** body-parser and raw-body errors carry a `type` and a `status`; map them instead of 500. */
interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

const HTTP_CODES: Record<number, [string, string]> = {
  400: ['malformed_request', 'Malformed request'],
  401: ['api_key_invalid', 'Missing or invalid API key'],
  403: ['access_denied', 'Access denied'],
  404: ['not_found', 'Not found'],
  405: ['method_not_allowed', 'Method not allowed'],
  413: ['payload_too_large', 'Request body too large'],
  415: ['unsupported_media_type', 'Unsupported media type: send application/json'],
  422: ['validation_error', 'Request validation failed'],
  429: ['rate_limited', 'Too many requests'],
  503: ['service_unavailable', 'Service temporarily unavailable'],
};

/** Retry-After of a 503 for a database that cannot be reached (seconds) */
const DATABASE_RETRY_AFTER_S = 2;
/** at most one "database unavailable" warning per this many ms (an outage fails every request) */
const DATABASE_WARN_EVERY_MS = 10_000;

/** The one global filter: every error, on every route, leaves in the one error envelope (ErrorEnvelopeDto). */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private lastDatabaseWarning = 0;
  private suppressedDatabaseWarnings = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const env = this.toEnvelope(exception, req);
    const requestId = requestIdOf(req);
    if (env.status >= 500 && env.status !== 503) {
      this.logger.error({ err: exception, requestId, path: req.path }, 'unhandled error');
    }
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(env.headers ?? {})) res.setHeader(k, v);
    const body: Record<string, unknown> = { type: env.type, code: env.code, message: env.message };
    if (env.errors && Object.keys(env.errors).length > 0) body.errors = env.errors;
    Object.assign(body, env.extra ?? {});
    body.error_id = requestId;
    res.status(env.status).json(body);
  }

  private toEnvelope(exception: unknown, req: Request): Envelope {
    if (exception instanceof DomainError) {
      const status = STATUS_BY_KIND[exception.kind];
      const headers: Record<string, string> = {};
      if (exception.kind === 'unauthenticated') headers['WWW-Authenticate'] = 'ApiKey';
      if (exception.kind === 'unavailable') headers['Retry-After'] = String((exception as { retryAfterS?: number }).retryAfterS ?? 5);
      return {
        status,
        type: exception.type ?? DEFAULT_TYPE_BY_STATUS[status] ?? 'api_error',
        code: exception.code,
        message: exception.message,
        errors: exception.errors,
        extra: exception.extra,
        headers,
      };
    }
    if (exception instanceof ThrottlerException) {
      return { status: 429, type: 'rate_limit_error', code: 'rate_limited', message: 'Too many requests' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const [code, message] = HTTP_CODES[status] ?? ['http_error', exception.message];
      if (status === 404) {
        return { status, type: 'api_error', code: 'not_found', message: `No route for ${req.method} ${req.path}` };
      }
      return { status, type: DEFAULT_TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'api_error'), code, message };
    }
    const bp = exception as BodyParserError | null;
    if (bp && typeof bp === 'object' && typeof bp.type === 'string') {
      const status = bp.status ?? bp.statusCode ?? 500;
      if (bp.type === 'entity.parse.failed') {
        return { status: 400, type: 'validation_error', code: 'malformed_request', message: 'Request body is not valid JSON' };
      }
      if (bp.type === 'entity.too.large') {
        return { status: 413, type: 'validation_error', code: 'payload_too_large', message: 'Request body too large' };
      }
      if (bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported') {
        return { status: 415, type: 'validation_error', code: 'unsupported_media_type', message: 'Unsupported content encoding or charset' };
      }
      if (status >= 400 && status < 500) {
        const [code, message] = HTTP_CODES[status] ?? ['malformed_request', 'Malformed request'];
        return { status, type: 'validation_error', code, message };
      }
    }
    if (isDatabaseUnavailable(exception)) {
      // the transaction of the request did not commit (or, cut during COMMIT, its outcome is unknown):
      // a retry — with the same idempotency key for create and confirm — answers either way
      this.warnDatabaseUnavailable(exception, req);
      return {
        status: 503,
        type: 'server_error',
        code: 'service_unavailable',
        message: 'Service temporarily unavailable: the database cannot be reached; retry later',
        headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_S) },
      };
    }
    return { status: 500, type: 'server_error', code: 'internal_error', message: 'Internal server error' };
  }

  private warnDatabaseUnavailable(exception: unknown, req: Request): void {
    const now = Date.now();
    if (now - this.lastDatabaseWarning < DATABASE_WARN_EVERY_MS) {
      this.suppressedDatabaseWarnings += 1;
      return;
    }
    const suppressed = this.suppressedDatabaseWarnings;
    this.lastDatabaseWarning = now;
    this.suppressedDatabaseWarnings = 0;
    const err =
      exception instanceof Error ? { name: exception.name, message: exception.message, code: (exception as { code?: unknown }).code } : String(exception);
    this.logger.warn({ err, requestId: requestIdOf(req), path: req.path, suppressed }, 'database unavailable: answering 503');
  }
}
