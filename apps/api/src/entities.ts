import { AUDIT_ENTITIES } from '@app/audit';
import { BUNDLES_ENTITIES } from '@app/bundles';
import { OFFERS_ENTITIES } from '@app/offers';
import { PARTNERS_ENTITIES } from '@app/partners';
import { WEBHOOKS_ENTITIES } from '@app/webhooks';

/** Every entity of the app; used by the app's TypeORM module and by ormconfig.ts. */
export const ALL_ENTITIES = [...PARTNERS_ENTITIES, ...AUDIT_ENTITIES, ...BUNDLES_ENTITIES, ...OFFERS_ENTITIES, ...WEBHOOKS_ENTITIES];
