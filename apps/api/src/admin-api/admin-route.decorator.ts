import { applyDecorators, createParamDecorator, ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import type { AuthRequest } from '../partner-api/guards/auth-request';
import { AdminKeyGuard } from './admin-key.guard';

export { RequestId } from '../partner-api/guards/partner-auth.decorator';

/**
 * On every admin controller: the X-Admin-Key guard plus its Swagger security and error
 * responses. The controller's module must import AuthGuardsModule.
 */
export function AdminRoute(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    UseGuards(AdminKeyGuard),
    ApiSecurity('admin-key'),
    ApiUnauthorizedResponse({ description: '`admin_key_invalid`: missing or invalid X-Admin-Key', type: ErrorEnvelopeDto }),
    ApiForbiddenResponse({ description: '`access_denied`: a partner key was sent instead of an admin key', type: ErrorEnvelopeDto }),
    ApiTooManyRequestsResponse({ description: '`rate_limited`: too many failed authentications from this IP (Retry-After)', type: ErrorEnvelopeDto }),
  );
}

/** Who is calling: "bootstrap" or "admin-key:<prefix>" (routes behind AdminKeyGuard only). */
export const Actor = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const actor = ctx.switchToHttp().getRequest<AuthRequest>().actor;
  if (!actor) throw new Error('@Actor() used on a route without AdminKeyGuard');
  return actor;
});
