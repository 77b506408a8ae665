import { AdminKeyEntity } from './entities/admin-key.entity';
import { ApiKeyEntity } from './entities/api-key.entity';
import { PartnerEntity } from './entities/partner.entity';

export const PARTNERS_ENTITIES = [PartnerEntity, ApiKeyEntity, AdminKeyEntity];
export type { KeyMode } from './entities/api-key.entity';
export type { PartnerStatus, PartnerRateLimits } from './entities/partner.entity';

export { PartnersModule } from './partners.module';
export { PartnersService } from './partners.service';
export type { BundleUpsertResult } from './partners.service';
export { ApiKeysService } from './api-keys.service';
export { AdminKeysService, BOOTSTRAP_ACTOR } from './admin-keys.service';
export { AUTH_CACHE_TTL_MS } from './auth-cache';
export { generateKey, hashKey, hashesEqual, KEY_TAGS } from './key-material';
export type { KeyKind, GeneratedKey } from './key-material';
export { PARTNER_CODE_PATTERN, partnerSnapshot } from './partners.types';
export type {
  AdminKeyView,
  AdminPrincipal,
  ApiKeyView,
  AuthenticatedKey,
  CreateApiKeyInput,
  CreatedAdminKey,
  CreatedApiKey,
  CreatePartnerInput,
  PartnerSnapshot,
  PartnerView,
  UpdatePartnerInput,
} from './partners.types';
