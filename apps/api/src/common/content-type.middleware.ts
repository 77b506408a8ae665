import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '@app/core';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** A request that carries a body must send it as JSON; anything else is a 415, not a silent `{}`. */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  if (!BODY_METHODS.has(req.method)) return next();
  const length = req.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return next();
  if (req.is(['application/json', 'application/*+json'])) return next();
  next(new DomainError('unsupported_media_type', 'unsupported_media_type', 'Send the body as application/json', undefined, undefined, 'validation_error'));
}
