import { BundleVersionEntity } from './entities/bundle-version.entity';
import { OfferConfigEntity } from './entities/offer-config.entity';
import { OfferSchemaEntity } from './entities/offer-schema.entity';

export const BUNDLES_ENTITIES = [BundleVersionEntity, OfferSchemaEntity, OfferConfigEntity];
export * from './validation';
export { configExpressions, type ConfigExpression, type ExpressionKind } from './config-expressions';
export { BundlesService, type BundleWriteResult, type BundleExport, type BundleVersionView, type WriteContext } from './bundles.service';
export { ActiveConfigService, DEFAULT_RATE_LIMITS, type ActiveConfig, type RateLimits } from './active-config.service';
export { BundlesModule } from './bundles.module';
export * from './bundles.errors';
