import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '@app/core';
import { ApiKeysService, AuthenticatedKey, isSignatureAuthorization, PartnersService } from '@app/partners';
import { AuthFailThrottle } from './auth-fail-throttle';
import { requestIdOf } from '../../common/request-id';
import { rehearsalCaller } from '../../common/rehearsal';
import { AuthRequest, headerValue } from './auth-request';

/** 401 for every failed signed request: one body, whatever failed. */
export const signatureInvalid = (): UnauthenticatedError => new UnauthenticatedError('signature_invalid', 'Invalid request signature');

/** 401 for a signing key sent without a signature. */
export const signatureRequired = (): UnauthenticatedError =>
  new UnauthenticatedError('signature_required', 'This API key must sign its requests (Authorization: Signature …)');

/** the path as the client sent it, without the query string: what `(request-target)` signs */
export function requestPath(req: { originalUrl?: string; url: string }): string {
  const url = req.originalUrl ?? req.url;
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(0, q) : url;
}

/**
 * Partner routes (`/:prefix/partners/:partner_code/...`), docs/api.md "Authentication" and "Signed requests". Never reads the
 * query string.
 * - `Authorization: Signature …` (XCover clients): authenticated by the signature alone; the key
 *   is its `keyId`, `X-Api-Key` is optional and must match. Any failure → one 401
 *   `signature_invalid` body. Only signing keys can sign.
 * - otherwise `X-Api-Key`: missing, unknown and revoked keys get one identical 401
 *   `api_key_invalid`; a signing key without a signature → 401 `signature_required`.
 * Every 401 counts toward the failed-auth throttle. Then: a valid key on an unknown partner 404;
 * on another partner, or a suspended one, 403. Attaches `req.auth`. A warm-up's rehearsal (sent
 * by the instance itself on a private socket) carries the key it acts as instead.
 */
@Injectable()
export class PartnerApiKeyGuard implements CanActivate {
  private readonly logger = new Logger('PartnerAuth');

  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly partners: PartnersService,
    private readonly throttle: AuthFailThrottle,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<AuthRequest>();
    const rehearsal = rehearsalCaller(req);
    if (rehearsal) {
      req.auth = rehearsal;
      return true;
    }
    this.throttle.assertAllowed(req, http.getResponse<Response>());

    const auth = await this.authenticate(req);
    const code = req.params?.partner_code;
    if (typeof code === 'string' && code !== auth.partnerCode) {
      if (!(await this.partners.find(code))) throw new NotFoundError('partner_not_found', `Partner "${code}" not found`);
      throw new ForbiddenError();
    }
    if (auth.partnerStatus !== 'active') throw new ForbiddenError('access_denied', 'Access denied: the partner is suspended');
    req.auth = auth;
    return true;
  }

  private async authenticate(req: AuthRequest): Promise<AuthenticatedKey> {
    const apiKey = headerValue(req, 'x-api-key');
    const authorization = headerValue(req, 'authorization');
    if (isSignatureAuthorization(authorization)) {
      const signed = await this.apiKeys.authenticateSigned({
        authorization,
        apiKey,
        method: req.method,
        path: requestPath(req),
        header: (name) => headerValue(req, name),
      });
      if (signed.ok) return signed.auth;
      // the reason helps support ("why is my signature refused?"); it holds nothing secret
      this.logger.debug(`signed request refused (${signed.reason}), request ${requestIdOf(req)}`);
      this.throttle.fail(req);
      throw signatureInvalid();
    }
    const plain = await this.apiKeys.authenticateApiKey(apiKey);
    if (plain.ok) return plain.auth;
    this.throttle.fail(req);
    throw plain.reason === 'signature_required' ? signatureRequired() : new UnauthenticatedError();
  }
}
