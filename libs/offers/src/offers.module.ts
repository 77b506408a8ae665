import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@app/audit';
import { BundlesModule } from '@app/bundles';
import { PartnersModule } from '@app/partners';
import { SchemasModule } from '@app/schemas';
import { CompiledSchemas } from './compiled-schemas';
import { OfferBuilder } from './offer-builder';
import { PackingDictionaries } from './storage/packing-dictionary.store';
import { OffersRepository } from './offers.repository';
import { OffersService } from './offers.service';
import { AnalyticsRepository } from './analytics/analytics.repository';
import { AnalyticsService } from './analytics/analytics.service';
import { BookingHooks } from './bookings/booking-hooks';
import { BookingsRepository } from './bookings/bookings.repository';
import { BookingsService } from './bookings/bookings.service';
import { BookingLifecycleService } from './bookings/lifecycle/booking-lifecycle.service';
import { BookingChangesRepository } from './bookings/lifecycle/booking-changes.repository';
import { BookingTermsService } from './bookings/lifecycle/booking-terms';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';
import { WarmUpSamples } from './warm-up-samples';
import { RetentionService } from './retention/retention.service';
import { OFFERS_ENTITIES } from './entities/offers-entities';

@Module({
  imports: [TypeOrmModule.forFeature(OFFERS_ENTITIES), AuditModule, BundlesModule, SchemasModule, PartnersModule],
  providers: [
    OfferBuilder,
    PackingDictionaries,
    CompiledSchemas,
    OffersRepository,
    OffersService,
    IdempotencyRepository,
    IdempotencyService,
    BookingHooks,
    BookingsRepository,
    BookingsService,
    BookingLifecycleService,
    BookingChangesRepository,
    BookingTermsService,
    AnalyticsRepository,
    AnalyticsService,
    WarmUpSamples,
    RetentionService,
  ],
  exports: [OffersService, BookingsService, BookingLifecycleService, AnalyticsService, BookingHooks, IdempotencyService, WarmUpSamples, RetentionService],
})
export class OffersModule {}
