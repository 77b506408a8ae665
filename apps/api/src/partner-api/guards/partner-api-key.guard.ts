import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '@app/core';
import { ApiKeysService, PartnersService } from '@app/partners';
import { AuthFailThrottle } from './auth-fail-throttle';
import { AuthRequest, headerValue } from './auth-request';

/**
 * Partner routes (`/:prefix/partners/:partner_code/...`), spec §2.1. Reads only `X-Api-Key`
 * (never the query string). Missing, unknown and revoked keys get one identical 401; a valid key
 * on an unknown partner 404; on another partner, or a suspended one, 403. Attaches `req.auth`.
 */
@Injectable()
export class PartnerApiKeyGuard implements CanActivate {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly partners: PartnersService,
    private readonly throttle: AuthFailThrottle,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<AuthRequest>();
    this.throttle.assertAllowed(req, http.getResponse<Response>());

    const auth = await this.apiKeys.authenticate(headerValue(req, 'x-api-key'));
    if (!auth) {
      this.throttle.fail(req);
      throw new UnauthenticatedError();
    }
    const code = req.params?.partner_code;
    if (typeof code === 'string' && code !== auth.partnerCode) {
      if (!(await this.partners.find(code))) throw new NotFoundError('partner_not_found', `Partner "${code}" not found`);
      throw new ForbiddenError();
    }
    if (auth.partnerStatus !== 'active') throw new ForbiddenError('access_denied', 'Access denied: the partner is suspended');
    req.auth = auth;
    return true;
  }
}
