import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import { ActiveConfigService } from '@app/bundles';
import { ROUTE_CLASS, RouteClass } from './route-class.decorator';
import type { ThrottlerStorage } from '@nestjs/throttler';

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

@Injectable()
export class PartnerThrottlerGuard extends ThrottlerGuard {}
