import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { ForbiddenError, UnauthenticatedError } from '@app/core';
import { AdminKeysService, ApiKeysService } from '@app/partners';
import { AuthFailThrottle } from '../partner-api/guards/auth-fail-throttle';
import { AuthRequest, headerValue } from '../partner-api/guards/auth-request';

/**
 * Every /admin route (docs/api.md, "Admin routes"): `X-Admin-Key` (ADMIN_API_KEY or a key made through the admin
 * API). No valid admin key → 401 `admin_key_invalid`; a valid partner `X-Api-Key` instead → 403.
 * Failed attempts count against the client IP like partner-key failures. Sets `req.actor`.
 */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(
    private readonly adminKeys: AdminKeysService,
    private readonly apiKeys: ApiKeysService,
    private readonly throttle: AuthFailThrottle,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<AuthRequest>();
    this.throttle.assertAllowed(req, http.getResponse<Response>());

    const adminKey = headerValue(req, 'x-admin-key');
    const principal = adminKey === undefined ? null : await this.adminKeys.authenticate(adminKey);
    if (principal) {
      req.actor = principal.actor;
      return true;
    }
    const partnerKey = headerValue(req, 'x-api-key');
    if (partnerKey !== undefined && (await this.apiKeys.authenticate(partnerKey))) {
      // a wrong admin key still counts as a guess, even next to a good partner key
      if (adminKey !== undefined) this.throttle.fail(req);
      throw new ForbiddenError('access_denied', 'Access denied: partner keys cannot call the admin API');
    }
    this.throttle.fail(req);
    throw new UnauthenticatedError('admin_key_invalid', 'Missing or invalid admin key');
  }
}
