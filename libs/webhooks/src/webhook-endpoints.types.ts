import type { WebhookDeliveryStatus } from './entities/webhook-delivery.entity';
import type { WebhookEndpointStatus, WebhookFormat } from './entities/webhook-endpoint.entity';

/** The event types an endpoint can subscribe to (`webhook.test` is sent on request only). */
export const WEBHOOK_SUBSCRIBABLE_EVENTS = ['booking.created', 'booking.updated', 'booking.cancelled', 'offer.opted_out'] as const;
export type WebhookSubscribableEvent = (typeof WEBHOOK_SUBSCRIBABLE_EVENTS)[number];

export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['standard', 'xcover'];
export const WEBHOOK_ENDPOINT_STATUSES: readonly WebhookEndpointStatus[] = ['enabled', 'disabled'];
export const WEBHOOK_DELIVERY_STATUSES: readonly WebhookDeliveryStatus[] = ['pending', 'delivered', 'failed'];

/** Endpoints per partner, enabled and disabled together. */
export const MAX_WEBHOOK_ENDPOINTS_PER_PARTNER = 20;
/** How long the secret replaced by a rotation keeps signing. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 3_600_000;
export const WEBHOOK_DESCRIPTION_MAX = 500;
export const WEBHOOK_DISABLED_REASON_MAX = 200;

/** The type and payload of the event `POST …/webhooks/{id}/test` sends. */
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test';
export const WEBHOOK_TEST_MESSAGE = 'test event';

export const WEBHOOK_DELIVERY_LIST_DEFAULT_LIMIT = 20;
export const WEBHOOK_DELIVERY_LIST_MAX_LIMIT = 100;
export const WEBHOOK_DELIVERY_LIST_MAX_OFFSET = 2_147_483_647;

export interface CreateWebhookEndpointInput {
  url: string;
  events: string[];
  description?: string | null;
  format?: WebhookFormat;
}

/** Absent fields are left as they are; `description: null` clears it. */
export interface UpdateWebhookEndpointInput {
  url?: string;
  events?: string[];
  description?: string | null;
  status?: WebhookEndpointStatus;
}

/** An endpoint as the admin API shows it: never its secrets. */
export interface WebhookEndpointView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  format: WebhookFormat;
  status: WebhookEndpointStatus;
  /** why the dispatcher disabled it (e.g. 410 Gone); null when enabled or disabled by hand */
  disabledReason: string | null;
  /** while a rotated-out secret still signs: until when */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The answer of a creation: the view plus the plain secret, shown this once. */
export interface CreatedWebhookEndpoint extends WebhookEndpointView {
  secret: string;
}

export interface RotatedWebhookSecret {
  id: string;
  /** the new secret, shown this once */
  secret: string;
  previousSecretExpiresAt: Date;
}

export interface WebhookDeliveryListQuery {
  status?: WebhookDeliveryStatus;
  limit: number;
  offset: number;
}

export interface WebhookDeliveryView {
  id: string;
  eventId: string;
  type: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** null once delivered or failed */
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface WebhookDeliveryPage {
  count: number;
  results: WebhookDeliveryView[];
}

export interface RedeliveredWebhook {
  id: string;
  status: 'pending';
}

export interface WebhookTestEvent {
  deliveryId: string;
  eventId: string;
}
