import type { IncomingMessage } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedKey } from '@app/partners';

const REHEARSED_AS = Symbol('rehearsedAs');
type Marked = IncomingMessage & { [REHEARSED_AS]?: AuthenticatedKey };

/**
 * A warm-up's rehearsal (ops/warm-up.ts): a request the instance sends itself, through its own
 * pipeline, on a private socket nothing else can reach, acting as one partner's key. The parts of
 * the pipeline whose effects outlive the response leave it out: the request log, the metrics, the
 * rate limits, the failed-authentication throttle, and storage (Create Offer rolls its rows back).
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
export const Rehearsal = createParamDecorator((_data: unknown, ctx: ExecutionContext): boolean => isRehearsal(ctx.switchToHttp().getRequest<IncomingMessage>()));
