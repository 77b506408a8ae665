import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { BundlesModule } from '@app/bundles';
import { OffersModule } from '@app/offers';
import { PrivacyModule } from '@app/privacy';
import { WebhooksModule } from '@app/webhooks';
import { BundlesController } from './bundles.controller';
import { OffersPreviewController } from './offers-preview.controller';
import { AnalyticsController } from './analytics.controller';
import { BookingEventsController } from './booking-events.controller';
import { AdminBookingsController } from './admin-bookings.controller';
import { AuthGuardsModule } from '../partner-api/guards/auth-guards.module';
import { AdminKeysController } from './admin-keys.controller';
import { ApiKeysController } from './api-keys.controller';
import { AuditController } from './audit.controller';
import { PartnersController } from './partners.controller';
import { PrivacyController } from './privacy.controller';
import { WebhooksController } from './webhooks.controller';

/** The /admin surface: one controller per resource, every one behind AdminRoute(). */
@Module({
  imports: [AuthGuardsModule, AuditModule, BundlesModule, OffersModule, WebhooksModule, PrivacyModule],
  controllers: [
    PartnersController,
    ApiKeysController,
    AdminKeysController,
    AuditController,
    BundlesController,
    OffersPreviewController,
    AnalyticsController,
    AdminBookingsController,
    BookingEventsController,
    WebhooksController,
    PrivacyController,
  ],
})
export class AdminApiModule {}
