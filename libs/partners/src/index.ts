import { AdminKeyEntity } from './entities/admin-key.entity';
import { ApiKeyEntity } from './entities/api-key.entity';
import { PartnerEntity } from './entities/partner.entity';

export const PARTNERS_ENTITIES = [PartnerEntity, ApiKeyEntity, AdminKeyEntity];
export type { KeyMode } from './entities/api-key.entity';
export type { PartnerStatus, PartnerRateLimits } from './entities/partner.entity';

export { PartnersModule } from './partners.module';
export { PartnersService } from './partners.service';
export type { BundleUpsertResult } from './partners.service';
export { ApiKeysService, SECRET_TAG, generateSigningSecret } from './api-keys.service';
export { SecretBox, KeyRing, SecretBoxError, deriveKeyId, ENVELOPE_VERSION } from './secret-box';
export type { EncryptionKey } from './secret-box';
export {
  SIGNATURE_ALGORITHMS,
  DEFAULT_SIGNED_HEADERS,
  REQUEST_TARGET,
  isSignatureAuthorization,
  isSupportedAlgorithm,
  parseSignatureAuthorization,
  buildSigningString,
  computeSignature,
  signatureMatches,
  parseHttpDate,
  requestTarget,
  signatureAuthorization,
} from './request-signature';
export type { SignatureAlgorithm, SignatureParams, SignableRequest } from './request-signature';
export { AdminKeysService, BOOTSTRAP_ACTOR } from './admin-keys.service';
export { AUTH_CACHE_TTL_MS } from './auth-cache';
export { generateKey, hashKey, hashesEqual, KEY_TAGS } from './key-material';
export type { KeyKind, GeneratedKey } from './key-material';
export { PARTNER_CODE_PATTERN, partnerSnapshot } from './partners.types';
export type {
  AdminKeyView,
  AdminPrincipal,
  ApiKeyAuthOutcome,
  ApiKeyView,
  AuthenticatedKey,
  CreateApiKeyInput,
  CreatedAdminKey,
  CreatedApiKey,
  CreatePartnerInput,
  PartnerSnapshot,
  PartnerView,
  SignatureFailure,
  SignedAuthOutcome,
  SignedRequestInput,
  UpdatePartnerInput,
} from './partners.types';
