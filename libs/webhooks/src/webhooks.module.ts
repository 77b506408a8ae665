import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@app/audit';
import { PartnersModule } from '@app/partners';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookDispatcher } from './webhook-dispatcher';

/** Webhooks: the partners' endpoints (admin) and the background delivery of their events. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEndpointEntity, WebhookDeliveryEntity]), PartnersModule, AuditModule],
  providers: [WebhookEndpointsService, WebhookDispatcher],
  exports: [WebhookEndpointsService, WebhookDispatcher],
})
export class WebhooksModule {}
