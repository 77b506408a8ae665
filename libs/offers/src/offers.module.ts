import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BundlesModule } from '@app/bundles';
import { PartnersModule } from '@app/partners';
import { SchemasModule } from '@app/schemas';
import { CompiledSchemas } from './compiled-schemas';
import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import { OfferEntity } from './entities/offer.entity';
import { QuoteEntity } from './entities/quote.entity';
import { OfferBuilder } from './offer-builder';
import { OffersRepository } from './offers.repository';
import { OffersService } from './offers.service';
import { AnalyticsRepository } from './analytics/analytics.repository';
import { AnalyticsService } from './analytics/analytics.service';
import { BookingHooks } from './bookings/booking-hooks';
import { BookingsRepository } from './bookings/bookings.repository';
import { BookingsService } from './bookings/bookings.service';
import { BookingEntity } from './entities/booking.entity';
import { BookingItemEntity } from './entities/booking-item.entity';
import { OfferVariantEntity } from './entities/offer-variant.entity';
import { OptOutEventEntity } from './entities/opt-out-event.entity';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';
import { WarmUpSamples } from './warm-up-samples';

@Module({
  imports: [TypeOrmModule.forFeature([OfferEntity, QuoteEntity, IdempotencyRecordEntity, BookingEntity, BookingItemEntity, OptOutEventEntity, OfferVariantEntity]), BundlesModule, SchemasModule, PartnersModule],
  providers: [
    OfferBuilder,
    CompiledSchemas,
    OffersRepository,
    OffersService,
    IdempotencyRepository,
    IdempotencyService,
    BookingHooks,
    BookingsRepository,
    BookingsService,
    AnalyticsRepository,
    AnalyticsService,
    WarmUpSamples,
  ],
  exports: [OffersService, BookingsService, AnalyticsService, BookingHooks, IdempotencyService, WarmUpSamples],
})
export class OffersModule {}
