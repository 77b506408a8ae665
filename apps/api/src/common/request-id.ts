import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const REQ_ID = Symbol('requestId');

type WithId = Request & { [REQ_ID]?: string; id?: unknown };

/** Every response carries X-Request-Id: the caller's when it is a sane token, else a new UUID. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
  (req as WithId)[REQ_ID] = id;
  (req as WithId).id = id;
  res.setHeader('X-Request-Id', id);
  next();
}

export function requestIdOf(req: Request): string {
  return (req as WithId)[REQ_ID] ?? randomUUID();
}
