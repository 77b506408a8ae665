import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { QueryParams } from '../../common/query-params';
import {
  WEBHOOK_DELIVERY_LIST_DEFAULT_LIMIT,
  WEBHOOK_DELIVERY_LIST_MAX_LIMIT,
  WEBHOOK_DELIVERY_LIST_MAX_OFFSET,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_DESCRIPTION_MAX,
  WEBHOOK_ENDPOINT_STATUSES,
  WEBHOOK_FORMATS,
  WEBHOOK_SUBSCRIBABLE_EVENTS,
  type CreatedWebhookEndpoint,
  type RotatedWebhookSecret,
  type WebhookDeliveryListQuery,
  type WebhookDeliveryPage,
  type WebhookDeliveryStatus,
  type WebhookDeliveryView,
  type WebhookEndpointStatus,
  type WebhookEndpointView,
  type WebhookFormat,
  type WebhookSubscribableEvent,
  type WebhookTestEvent,
} from '@app/webhooks';

/** optional, but when present it may not be null */
const IsOptionalNotNull = (): PropertyDecorator => ValidateIf((_o, v) => v !== undefined);

const EVENTS_DESCRIPTION =
  'the events sent to this endpoint, at least one, each once. `offer.opted_out` is sent in the `standard` format only (XCover has no such event).';
const URL_DESCRIPTION =
  '`https://` (`http://` only with WEBHOOK_ALLOW_HTTP=true); its host must resolve to public addresses only (loopback, private and link-local ones need WEBHOOK_ALLOW_PRIVATE_NETWORKS=true); no user name, password or fragment; at most 2000 characters. Stored normalised (as the URL parser writes it).';

export class CreateWebhookDto {
  @ApiProperty({ description: URL_DESCRIPTION, example: 'https://hooks.example.com/offers' })
  @IsString()
  url!: string;

  @ApiProperty({ enum: WEBHOOK_SUBSCRIBABLE_EVENTS, isArray: true, description: EVENTS_DESCRIPTION, example: ['booking.created', 'booking.cancelled'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(WEBHOOK_SUBSCRIBABLE_EVENTS, { each: true })
  events!: WebhookSubscribableEvent[];

  @ApiPropertyOptional({ type: String, maxLength: WEBHOOK_DESCRIPTION_MAX, nullable: true, example: 'back office' })
  @IsOptional()
  @IsString()
  @MaxLength(WEBHOOK_DESCRIPTION_MAX)
  description?: string | null;

  @ApiPropertyOptional({
    enum: WEBHOOK_FORMATS,
    default: 'standard',
    description: '`standard`: Standard Webhooks (webhook-id / webhook-timestamp / webhook-signature); `xcover`: the XCover body and signature',
  })
  @IsOptionalNotNull()
  @IsIn(WEBHOOK_FORMATS)
  format?: WebhookFormat;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ description: URL_DESCRIPTION, example: 'https://hooks.example.com/offers' })
  @IsOptionalNotNull()
  @IsString()
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_SUBSCRIBABLE_EVENTS, isArray: true, description: EVENTS_DESCRIPTION })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(WEBHOOK_SUBSCRIBABLE_EVENTS, { each: true })
  events?: WebhookSubscribableEvent[];

  @ApiPropertyOptional({ type: String, maxLength: WEBHOOK_DESCRIPTION_MAX, nullable: true, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(WEBHOOK_DESCRIPTION_MAX)
  description?: string | null;

  @ApiPropertyOptional({
    enum: WEBHOOK_ENDPOINT_STATUSES,
    description: 'a disabled endpoint gets no new events; enabling it clears `disabled_reason`',
  })
  @IsOptionalNotNull()
  @IsIn(WEBHOOK_ENDPOINT_STATUSES)
  status?: WebhookEndpointStatus;
}

export class WebhookEndpointResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'https://hooks.example.com/offers' })
  url!: string;

  @ApiProperty({ enum: WEBHOOK_SUBSCRIBABLE_EVENTS, isArray: true })
  events!: string[];

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ enum: WEBHOOK_FORMATS })
  format!: WebhookFormat;

  @ApiProperty({ enum: WEBHOOK_ENDPOINT_STATUSES })
  status!: WebhookEndpointStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'why the platform disabled it (e.g. the receiver answered 410 Gone); null when enabled or disabled by hand',
    example: null,
  })
  disabled_reason!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'after a rotation: until when the previous secret still signs' })
  previous_secret_expires_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class CreatedWebhookResponseDto extends WebhookEndpointResponseDto {
  @ApiProperty({
    description:
      'the signing secret: shown once, never again (stored only encrypted). `whsec_` + Base64 of 32 random bytes, as Standard Webhooks libraries take it.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7Ahmn3pWqEg=',
  })
  secret!: string;
}

export class RotatedWebhookSecretResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'the new signing secret: shown once, never again', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7Ahmn3pWqEg=' })
  secret!: string;

  @ApiProperty({ format: 'date-time', description: 'the previous secret keeps signing until then (24 h): requests carry both signatures meanwhile' })
  previous_secret_expires_at!: string;
}

export class WebhookDeliveryDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'the event id (`webhook-id`): the same on every attempt' })
  event_id!: string;

  @ApiProperty({ example: 'booking.created', description: 'the event type, or `webhook.test`' })
  type!: string;

  @ApiProperty({ enum: WEBHOOK_DELIVERY_STATUSES })
  status!: WebhookDeliveryStatus;

  @ApiProperty({ description: 'every attempt made, the successful one included' })
  attempts!: number;

  @ApiProperty({ type: Number, nullable: true, description: "the receiver's HTTP status at the last attempt" })
  last_status_code!: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'what went wrong at the last attempt' })
  last_error!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'pending deliveries only' })
  next_attempt_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  delivered_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ description: 'deliveries matching the filter, on every page' })
  count!: number;

  @ApiProperty({ type: String, nullable: true, description: 'URL of the next page, null on the last' })
  next!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'URL of the previous page, null on the first' })
  previous!: string | null;

  @ApiProperty({ type: WebhookDeliveryDto, isArray: true })
  results!: WebhookDeliveryDto[];
}

export class RedeliveredWebhookResponseDto {
  @ApiProperty({ description: 'the delivery id' })
  id!: string;

  @ApiProperty({ enum: ['pending'] })
  status!: 'pending';
}

export class WebhookTestResponseDto {
  @ApiProperty()
  delivery_id!: string;

  @ApiProperty({ format: 'uuid', description: 'the `webhook-id` the receiver will see' })
  event_id!: string;
}

// ------------------------------------------------------------------------------------ mapping

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toWebhookResponse(e: WebhookEndpointView): WebhookEndpointResponseDto {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    description: e.description,
    format: e.format,
    status: e.status,
    disabled_reason: e.disabledReason,
    previous_secret_expires_at: iso(e.previousSecretExpiresAt),
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}

export function toCreatedWebhookResponse(e: CreatedWebhookEndpoint): CreatedWebhookResponseDto {
  return { ...toWebhookResponse(e), secret: e.secret };
}

export function toRotatedSecretResponse(r: RotatedWebhookSecret): RotatedWebhookSecretResponseDto {
  return { id: r.id, secret: r.secret, previous_secret_expires_at: r.previousSecretExpiresAt.toISOString() };
}

export function toWebhookDelivery(d: WebhookDeliveryView): WebhookDeliveryDto {
  return {
    id: d.id,
    event_id: d.eventId,
    type: d.type,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    next_attempt_at: iso(d.nextAttemptAt),
    delivered_at: iso(d.deliveredAt),
    created_at: d.createdAt.toISOString(),
  };
}

export function toWebhookTestResponse(t: WebhookTestEvent): WebhookTestResponseDto {
  return { delivery_id: t.deliveryId, event_id: t.eventId };
}

// ------------------------------------------------------------------------- the deliveries list

export interface ParsedWebhookDeliveryListQuery {
  query: WebhookDeliveryListQuery;
  /** the status filter as the client wrote it, for the page links */
  status?: string;
}

/**
 * `GET …/deliveries?status=&limit=&offset=`: empty parameters count as absent, unknown ones are
 * ignored; a bad value (or a parameter given twice) → 422 `validation_error` with the parameter's
 * name as path.
 */
export function parseWebhookDeliveryListQuery(q: Record<string, unknown>): ParsedWebhookDeliveryListQuery {
  const params = new QueryParams(q);
  const parsed: ParsedWebhookDeliveryListQuery = { query: { limit: WEBHOOK_DELIVERY_LIST_DEFAULT_LIMIT, offset: 0 } };
  const status = params.one('status');
  if (status !== undefined) {
    const lower = status.toLowerCase() as WebhookDeliveryStatus;
    if (WEBHOOK_DELIVERY_STATUSES.includes(lower)) {
      parsed.query.status = lower;
      parsed.status = status;
    } else {
      params.reject('status', `must be one of ${WEBHOOK_DELIVERY_STATUSES.join(', ')}`);
    }
  }
  parsed.query.limit = params.integer('limit', 1, WEBHOOK_DELIVERY_LIST_MAX_LIMIT, WEBHOOK_DELIVERY_LIST_DEFAULT_LIMIT);
  parsed.query.offset = params.integer('offset', 0, WEBHOOK_DELIVERY_LIST_MAX_OFFSET, 0);
  params.throwIfInvalid();
  return parsed;
}

/** Where the list was asked: `protocol://host` ('' when the request named no host) and path. */
export interface ListLocation {
  origin: string;
  path: string;
}

function pageUrl(at: ListLocation, status: string | undefined, limit: number, offset: number): string {
  const params = new URLSearchParams();
  if (status !== undefined) params.append('status', status);
  params.append('limit', String(limit));
  params.append('offset', String(offset));
  return `${at.origin}${at.path}?${params.toString()}`;
}

/** `{ count, next, previous, results }`, the links repeating the request's route and filter (as the bookings list). */
export function webhookDeliveryPage(page: WebhookDeliveryPage, parsed: ParsedWebhookDeliveryListQuery, at: ListLocation): WebhookDeliveryPageDto {
  const { limit, offset } = parsed.query;
  return {
    count: page.count,
    next: offset + limit < page.count ? pageUrl(at, parsed.status, limit, offset + limit) : null,
    previous: offset > 0 ? pageUrl(at, parsed.status, limit, Math.max(0, offset - limit)) : null,
    results: page.results.map(toWebhookDelivery),
  };
}
