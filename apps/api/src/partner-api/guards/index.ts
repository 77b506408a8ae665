export { AuthGuardsModule } from './auth-guards.module';
export { AuthFailThrottle, AuthRateLimitedError, FailedAuthCounter, clientIp } from './auth-fail-throttle';
export { PartnerApiKeyGuard, requestPath, signatureInvalid, signatureRequired } from './partner-api-key.guard';
export { PartnerApiAuth, PartnerAuth, RequestId } from './partner-auth.decorator';
export type { AuthRequest } from './auth-request';
