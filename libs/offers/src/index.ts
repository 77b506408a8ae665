import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import { OfferEntity } from './entities/offer.entity';
import { QuoteEntity } from './entities/quote.entity';
import { BookingEntity } from './entities/booking.entity';
import { BookingItemEntity } from './entities/booking-item.entity';
import { OfferVariantEntity } from './entities/offer-variant.entity';
import { OptOutEventEntity } from './entities/opt-out-event.entity';
import { BookingChangeEntity } from './entities/booking-change.entity';
import { BookingEventEntity } from './entities/booking-event.entity';
import { OfferRollupEntity } from './entities/offer-rollup.entity';
import { JobLeaseEntity } from './entities/job-lease.entity';
import { PackingDictionaryEntity } from './entities/packing-dictionary.entity';

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
export { OffersModule } from './offers.module';
export { OffersService, type CreateOfferCommand, type CreateOfferResult, type OfferStatusView } from './offers.service';
export type { OfferQuery, OfferCaller, OfferResponse, OfferProductResponse } from './offer-engine.types';
export type { BuiltOffer, OfferTrace, ProductTrace } from './offer-engine';
export * from './offers.errors';
export {
  IdempotencyService,
  fingerprint,
  IDEMPOTENCY_TTL_MS,
  type IdempotentRequest,
  type IdempotentResult,
  type IdempotentResponse,
  type CompleteIdempotency,
} from './idempotency.service';
export { BookingsService, CONFIRM_ROUTE } from './bookings/bookings.service';
export { BookingHooks } from './bookings/booking-hooks';
export { BookingLifecycleService } from './bookings/lifecycle/booking-lifecycle.service';
export type * from './bookings/lifecycle/booking-lifecycle.types';
export { BOOKING_ID_ALPHABET, BOOKING_ID_PATTERN } from './bookings/booking-id';
export * from './bookings/bookings.errors';
export type * from './bookings/bookings.types';
export { AnalyticsService, analyticsWindow, DEFAULT_ANALYTICS_DAYS } from './analytics/analytics.service';
export type * from './analytics/analytics.types';
export { WarmUpSamples, type WarmUpSample } from './warm-up-samples';
export { RetentionService, RETENTION_JOB, type RetentionRunResult } from './retention/retention.service';
export { registerRetentionMetrics, type RetentionMetricsSource, type RetentionOutcome } from './retention/retention-metrics';
