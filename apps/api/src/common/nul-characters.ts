import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { DomainError, InvalidError, type ErrorDetails } from '@app/core';

/** How U+0000 can appear in JSON text (a raw NUL byte is not valid JSON). */
const NUL_ESCAPE = Buffer.from('\\u0000');
const MAYBE_NUL = Symbol('maybeNul');
const MAX_REPORTED = 20;

type Flagged = IncomingMessage & { [MAYBE_NUL]?: boolean };

/**
 * express.json's `verify`: notes a body whose text may hold U+0000 (one search of the raw bytes),
 * so only those bodies are walked by rejectNulCharacters.
 */
export function flagNulEscapes(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  if (buf.includes(NUL_ESCAPE)) (req as Flagged)[MAYBE_NUL] = true;
}

function pointer(path: string, key: string): string {
  return `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** (recursive: the body parser has already refused bodies nested deeper than a few dozen levels) */
function collect(v: unknown, path: string, out: ErrorDetails): void {
  if (Object.keys(out).length >= MAX_REPORTED) return;
  if (typeof v === 'string') {
    if (v.includes('\u0000')) out[path] = ['must not contain the NUL character (U+0000)'];
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => collect(x, `${path}/${i}`, out));
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      if (k.includes('\u0000')) out[pointer(path, k)] = ['the name must not contain the NUL character (U+0000)'];
      collect(x, pointer(path, k), out);
    }
  }
}

/**
 * No field of this API needs U+0000, and PostgreSQL cannot store it in text: a JSON body holding
 * one is a 422 naming each place (JSON pointer), on every engine, before any work is done.
 */
export function rejectNulCharacters(req: Request, _res: Response, next: NextFunction): void {
  if (!(req as unknown as Flagged)[MAYBE_NUL]) return next();
  const errors: ErrorDetails = {};
  collect(req.body, '', errors);
  if (Object.keys(errors).length === 0) return next();
  next(new InvalidError('validation_error', 'Request validation failed', errors));
}

/**
 * The same for the URL: a path or query holding %00 is a 400 (malformed_request) before routing,
 * so no lookup ever sees U+0000. One search of the raw URL per request.
 */
export function rejectNulInUrl(req: Request, _res: Response, next: NextFunction): void {
  if (!req.url.includes('%00')) return next();
  next(new DomainError('bad_request', 'malformed_request', 'The URL must not contain %00 (the NUL character)', undefined, undefined, 'validation_error'));
}
