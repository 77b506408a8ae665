export { OFFERS_ENTITIES } from './entities/offers-entities';
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
