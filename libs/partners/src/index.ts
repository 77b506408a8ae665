import { AdminKeyEntity } from './entities/admin-key.entity';
import { ApiKeyEntity } from './entities/api-key.entity';
import { PartnerEntity } from './entities/partner.entity';

export const PARTNERS_ENTITIES = [PartnerEntity, ApiKeyEntity, AdminKeyEntity];
export type { KeyMode } from './entities/api-key.entity';
export type { PartnerStatus, PartnerRateLimits } from './entities/partner.entity';
