import { ExecutionContext, Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ActiveConfigService } from '@app/bundles';
import { ROUTE_CLASS, RouteClass } from './route-class.decorator';
import { isRehearsal } from '../../common/rehearsal';
import type { ThrottlerLimitDetail, ThrottlerStorage } from '@nestjs/throttler';

interface AuthedRequest extends Request {
  auth?: { keyId: string; partnerId: string; mode: 'live' | 'test' };
}

function routeClassOf(ctx: ExecutionContext): RouteClass {
  return (Reflect.getMetadata(ROUTE_CLASS, ctx.getHandler()) as RouteClass | undefined) ?? 'other';
}

/**
 * Rate limits (docs/api.md, "Rate limits"): per API key and route class, 1-second windows, limits from the partner's bundle
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
          // a warm-up's rehearsal is counted (the same code runs) under a key id no key has, without a limit
          if (!req.auth || isRehearsal(req)) return Number.MAX_SAFE_INTEGER;
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
 * Nest's Reflector with `getAllAndOverride` remembered per (handler, controller, key). The stock
 * throttler guard reads six metadata keys of the route on every request (skip, limit, ttl, block
 * duration, tracker, key generator), each a miss that reflect-metadata walks up the prototype
 * chains of both targets: ~3 % of the event loop's time on a partner route in the profiles. A
 * route's metadata is set by decorators when its class is defined and does not change afterwards,
 * so the answer of the first request holds for every later one.
 */
export class RouteMetadataReflector extends Reflector {
  private readonly byHandler = new WeakMap<object, Map<unknown, Map<unknown, unknown>>>();

  override getAllAndOverride<TResult>(metadataKey: unknown, targets: (Type<unknown> | ((...args: never[]) => unknown))[]): TResult {
    const [handler, controller] = targets;
    if (targets.length !== 2 || handler === undefined || controller === undefined) return super.getAllAndOverride<TResult>(metadataKey, targets);
    let byController = this.byHandler.get(handler);
    if (!byController) this.byHandler.set(handler, (byController = new Map<unknown, Map<unknown, unknown>>()));
    let byKey = byController.get(controller);
    if (!byKey) byController.set(controller, (byKey = new Map()));
    if (byKey.has(metadataKey)) return byKey.get(metadataKey) as TResult;
    const value: unknown = super.getAllAndOverride(metadataKey, targets);
    byKey.set(metadataKey, value);
    return value as TResult;
  }
}

/**
 * The stock guard sets `X-RateLimit-*` only on admitted requests and `Retry-After` on the 429;
 * this API sends the three `X-RateLimit-*` headers on the 429 too. Route metadata is read through
 * RouteMetadataReflector.
 */
@Injectable()
export class PartnerThrottlerGuard extends ThrottlerGuard {
  constructor(@InjectThrottlerOptions() options: ThrottlerModuleOptions, @InjectThrottlerStorage() storage: ThrottlerStorage) {
    super(options, storage, new RouteMetadataReflector());
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader(`${this.headerPrefix}-Limit`, String(detail.limit));
    res.setHeader(`${this.headerPrefix}-Remaining`, '0');
    res.setHeader(`${this.headerPrefix}-Reset`, String(detail.timeToExpire));
    return super.throwThrottlingException(context, detail);
  }
}
