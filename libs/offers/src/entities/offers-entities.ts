/** Every entity of the offers module: what the app's data source and the module's repositories are built from. */
import { IdempotencyRecordEntity } from './idempotency-record.entity';
import { OfferEntity } from './offer.entity';
import { QuoteEntity } from './quote.entity';
import { BookingEntity } from './booking.entity';
import { BookingItemEntity } from './booking-item.entity';
import { OfferVariantEntity } from './offer-variant.entity';
import { OptOutEventEntity } from './opt-out-event.entity';
import { BookingChangeEntity } from './booking-change.entity';
import { BookingEventEntity } from './booking-event.entity';
import { OfferRollupEntity } from './offer-rollup.entity';
import { JobLeaseEntity } from './job-lease.entity';
import { PackingDictionaryEntity } from './packing-dictionary.entity';

export const OFFERS_ENTITIES = [
  OfferEntity,
  QuoteEntity,
  IdempotencyRecordEntity,
  BookingEntity,
  BookingItemEntity,
  OptOutEventEntity,
  OfferVariantEntity,
  BookingChangeEntity,
  BookingEventEntity,
  OfferRollupEntity,
  JobLeaseEntity,
  PackingDictionaryEntity,
];
