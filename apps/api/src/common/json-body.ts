import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError } from '@app/core';
import { flagNulEscapes } from './nul-characters';

/**
 * Methods whose body this API never reads. Some clients send one anyway (XCover's own client sends
 * `Content-Type: application/json` and the text `null` on every GET): it is neither parsed nor
 * refused, and Node discards it once the response is sent.
 */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

const JSON_TYPES = ['application/json', 'application/*+json'];

/** Nesting allowed in a partner request: far beyond any real request (the deepest is a handful of levels). */
export const PARTNER_MAX_JSON_DEPTH = 64;
/** Nesting allowed on admin routes: a bundle carries JSON Schemas, which nest more than requests do. */
export const ADMIN_MAX_JSON_DEPTH = 128;

const BODY_READ = Symbol('jsonBodyRead');
type Marked = Request & { [BODY_READ]?: true };

/**
 * Whether arrays and objects nest more than `limit` levels deep (a scalar is level 0, the outermost
 * array or object level 1). Walked with a stack of its own, not by recursion, so no depth of input
 * can overflow the call stack here; stops at the first container past the limit.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: Array<{ node: object; depth: number }> = [{ node: value, depth: 1 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.depth > limit) return true;
    for (const child of Object.values(top.node)) {
      if (typeof child === 'object' && child !== null) stack.push({ node: child as object, depth: top.depth + 1 });
    }
  }
  return false;
}

export class JsonTooDeepError extends DomainError {
  constructor(limit: number) {
    super('bad_request', 'malformed_request', `Request body nests arrays and objects more than ${limit} levels deep`, undefined, undefined, 'validation_error');
  }
}

export class NotJsonContainerError extends DomainError {
  constructor() {
    super('bad_request', 'malformed_request', 'Request body must be a JSON object or array (or null for none)', undefined, undefined, 'validation_error');
  }
}

/**
 * What body-parser passes on when a body is not in the Content-Encoding it names (a `gzip` body
 * that is not gzip, a truncated `br` stream): the decompression stream's error with status 400 and
 * no `type`, which would otherwise leave as a 500. Every other error of the parser carries a
 * `type` (too large, not JSON, unsupported charset or encoding, aborted) and is returned as it is.
 */
export function undecodableBody(err: unknown, contentEncoding: string | undefined): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const { type, status, statusCode } = err as { type?: unknown; status?: unknown; statusCode?: unknown };
  if (typeof type === 'string') return err;
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code >= 500) return err;
  const encoding = contentEncoding?.trim() ? `"${contentEncoding.trim().slice(0, 40)}"` : 'its Content-Encoding';
  return new DomainError('bad_request', 'malformed_request', `Request body could not be decoded as ${encoding}`, undefined, undefined, 'validation_error');
}

/**
 * The JSON body parser of one part of the API: `limitBytes` of JSON at most, nested at most
 * `maxDepth` levels (400 `malformed_request` beyond), checked before any route code sees the body.
 * GET, HEAD, DELETE and OPTIONS bodies are not read at all. Mounted once per prefix: the first
 * parser a request meets is the one that applies to it.
 */
export function jsonBodyParser(options: { limitBytes: number; maxDepth: number }): RequestHandler {
  // not strict, so that the text `null` parses: XCover's clients send it for "no body" (on the
  // confirm routes too); it then reads as an empty body does. Any other scalar is refused below.
  const parse = express.json({ limit: options.limitBytes, type: JSON_TYPES, verify: flagNulEscapes, strict: false });
  return (req: Request, res: Response, next: NextFunction): void => {
    const marked = req as Marked;
    if (BODYLESS_METHODS.has(req.method) || marked[BODY_READ]) return next();
    marked[BODY_READ] = true;
    parse(req, res, (err?: unknown) => {
      if (err) return next(undecodableBody(err, req.headers['content-encoding']));
      if (req.body === null) req.body = {};
      else if (req.body !== undefined && typeof req.body !== 'object') return next(new NotJsonContainerError());
      if (nestsDeeperThan(req.body, options.maxDepth)) return next(new JsonTooDeepError(options.maxDepth));
      next();
    });
  };
}
