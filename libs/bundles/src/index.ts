import { BundleVersionEntity } from './entities/bundle-version.entity';
import { OfferConfigEntity } from './entities/offer-config.entity';
import { OfferSchemaEntity } from './entities/offer-schema.entity';

export const BUNDLES_ENTITIES = [BundleVersionEntity, OfferSchemaEntity, OfferConfigEntity];
