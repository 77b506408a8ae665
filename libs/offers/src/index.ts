import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import { OfferEntity } from './entities/offer.entity';
import { QuoteEntity } from './entities/quote.entity';

export const OFFERS_ENTITIES = [OfferEntity, QuoteEntity, IdempotencyRecordEntity];
export { OffersModule } from './offers.module';
export { OffersService, type CreateOfferCommand, type CreateOfferResult, type OfferStatusView } from './offers.service';
export type { OfferQuery, OfferCaller, OfferResponse, OfferProductResponse } from './offer-engine.types';
export type { BuiltOffer, OfferTrace, ProductTrace } from './offer-engine';
export * from './offers.errors';
