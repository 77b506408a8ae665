import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import { OfferEntity } from './entities/offer.entity';
import { QuoteEntity } from './entities/quote.entity';

export const OFFERS_ENTITIES = [OfferEntity, QuoteEntity, IdempotencyRecordEntity];
