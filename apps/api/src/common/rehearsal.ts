import type { IncomingMessage } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedKey } from '@app/partners';

const REHEARSED_AS = Symbol('rehearsedAs');
type Marked = IncomingMessage & { [REHEARSED_AS]?: AuthenticatedKey };

/**
 * A warm-up's rehearsal (ops/warm-up.ts): a request the instance sends itself, through its own
 * pipeline, on a private socket nothing else can reach, acting as one partner's key (a key id no
 * key has). The parts of the pipeline whose effects outlive the response run the same code where
 * nothing is kept or shown: the request log writes to a stream that discards, the metrics count in
 * a registry /metrics never shows, the rate limit counts under that key id without a limit, and
 * Create Offer inserts its rows in a transaction it rolls back. Authentication is the guard's only
 * step it skips (the failed-authentication throttle never sees it).
 */
export function markRehearsal(req: IncomingMessage, caller: AuthenticatedKey): void {
  (req as Marked)[REHEARSED_AS] = caller;
}

/** the key a rehearsal acts as; undefined for every request from outside */
export function rehearsalCaller(req: IncomingMessage): AuthenticatedKey | undefined {
  return (req as Marked)[REHEARSED_AS];
}

export function isRehearsal(req: IncomingMessage): boolean {
  return (req as Marked)[REHEARSED_AS] !== undefined;
}

/** `@Rehearsal() rehearsal: boolean`: whether the request is a warm-up's rehearsal */
export const Rehearsal = createParamDecorator((_data: unknown, ctx: ExecutionContext): boolean =>
  isRehearsal(ctx.switchToHttp().getRequest<IncomingMessage>()),
);
