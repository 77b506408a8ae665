import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ActiveConfigService } from '@app/bundles';
import { ROUTE_CLASS, RouteClass } from './route-class.decorator';
import type { ThrottlerLimitDetail, ThrottlerStorage } from '@nestjs/throttler';

interface AuthedRequest extends Request {
  auth?: { keyId: string; partnerId: string; mode: 'live' | 'test' };
}

function routeClassOf(ctx: ExecutionContext): RouteClass {
  return (Reflect.getMetadata(ROUTE_CLASS, ctx.getHandler()) as RouteClass | undefined) ?? 'other';
}

/**
 * spec §3.7: per API key and route class, 1-second windows, limits from the partner's bundle
 * (defaults 50/50/20, test keys 2). Runs after the key guard, which sets `req.auth`.
 */
export function partnerThrottlerOptions(active: ActiveConfigService, storage: ThrottlerStorage): ThrottlerModuleOptions {
  return {
    storage,
    throttlers: [
      {
        name: 'default',
        ttl: 1000,
        limit: async (ctx: ExecutionContext) => {
          const req = ctx.switchToHttp().getRequest<AuthedRequest>();
          if (!req.auth) return Number.MAX_SAFE_INTEGER;
          const limits = (await active.get(req.auth.partnerId)).rateLimits;
          return req.auth.mode === 'test' ? limits.test : limits[routeClassOf(ctx)];
        },
      },
    ],
    getTracker: (req: Record<string, unknown>) => (req as unknown as AuthedRequest).auth?.keyId ?? 'anonymous',
    generateKey: (ctx, tracker, name) => `${name}:${tracker}:${routeClassOf(ctx)}`,
  };
}

/**
 * The stock guard sets `X-RateLimit-*` only on admitted requests and `Retry-After` on the 429;
 * spec §3.7 wants the three `X-RateLimit-*` headers on the 429 too.
 */
@Injectable()
export class PartnerThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader(`${this.headerPrefix}-Limit`, String(detail.limit));
    res.setHeader(`${this.headerPrefix}-Remaining`, '0');
    res.setHeader(`${this.headerPrefix}-Reset`, String(detail.timeToExpire));
    return super.throwThrottlingException(context, detail);
  }
}
