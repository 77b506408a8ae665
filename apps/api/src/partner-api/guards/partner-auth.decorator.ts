import { applyDecorators, createParamDecorator, ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiForbiddenResponse, ApiNotFoundResponse, ApiSecurity, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { AuthenticatedKey } from '@app/partners';
import { ErrorEnvelopeDto } from '../../common/error-envelope';
import { requestIdOf } from '../../common/request-id';
import type { AuthRequest } from './auth-request';
import { PartnerApiKeyGuard } from './partner-api-key.guard';

/**
 * On a partner controller or handler: the X-Api-Key guard plus its Swagger security and error
 * responses. Put a per-key throttler guard after it (it needs `req.auth`).
 */
export function PartnerApiAuth(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    UseGuards(PartnerApiKeyGuard),
    ApiSecurity('partner-key'),
    ApiUnauthorizedResponse({
      description:
        '`api_key_invalid`: missing, unknown or revoked key (one body for all three); `signature_required`: a signing key sent without a signature; `signature_invalid`: a signed request (`Authorization: Signature …`) that does not verify (one body whatever failed)',
      type: ErrorEnvelopeDto,
    }),
    ApiForbiddenResponse({ description: "`access_denied`: the key is another partner's, or the partner is suspended", type: ErrorEnvelopeDto }),
    ApiNotFoundResponse({ description: '`partner_not_found` (or the resource)', type: ErrorEnvelopeDto }),
    ApiTooManyRequestsResponse({ description: '`rate_limited`, with Retry-After', type: ErrorEnvelopeDto }),
  );
}

/** The partner key the request authenticated with (routes behind PartnerApiKeyGuard only). */
export const PartnerAuth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthenticatedKey => {
  const auth = ctx.switchToHttp().getRequest<AuthRequest>().auth;
  if (!auth) throw new Error('@PartnerAuth() used on a route without PartnerApiKeyGuard');
  return auth;
});

/** The request id (X-Request-Id), for audit entries and logs. */
export const RequestId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => requestIdOf(ctx.switchToHttp().getRequest()));
