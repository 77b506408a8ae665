import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';

export const WEBHOOKS_ENTITIES = [WebhookEndpointEntity, WebhookDeliveryEntity];
export { WebhookEndpointEntity, type WebhookFormat, type WebhookEndpointStatus } from './entities/webhook-endpoint.entity';
export { WebhookDeliveryEntity, type WebhookDeliveryStatus } from './entities/webhook-delivery.entity';
export * from './webhook-target';
export {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_SECRET_PREFIX,
  WEBHOOK_SECRET_BYTES,
  newWebhookSecret,
  isWebhookSecret,
  webhookSecretKey,
  standardWebhookBody,
  standardWebhookSignature,
  standardWebhookHeaders,
  XCOVER_EVENT_NAMES,
  XCOVER_WEBHOOK_ALGORITHM,
  XCOVER_WEBHOOK_SIGNED_HEADERS,
  xcoverWebhookBody,
  xcoverWebhookHeaders,
} from './webhook-signatures';
export type { WebhookEventType } from './webhook-signatures';
export { INSERT_EVENT_DELIVERIES, insertEventDeliveriesParams, type OutboxEvent } from './webhook-outbox.sql';
export { WebhooksModule } from './webhooks.module';
export { WebhookDispatcher, backoffMs, WEBHOOK_BACKOFF_MS, WEBHOOK_LEASE_MS } from './webhook-dispatcher';
export {
  WebhookEndpointsService,
  webhookSecretAad,
  auditWebhookUrl,
  WEBHOOK_SYSTEM_ACTOR,
  webhookNotFound,
  webhookDeliveryNotFound,
  webhookUrlInvalid,
  webhookLimitReached,
  webhookDisabled,
  encryptionKeyMissing,
} from './webhook-endpoints.service';
export * from './webhook-endpoints.types';
export { sendWebhook, type WebhookAttempt, type WebhookAttemptResult } from './webhook-sender';
export { registerWebhookMetrics, type DeliveryOutcome, type WebhookMetricsSource } from './webhook-metrics';
