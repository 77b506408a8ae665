import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditService, ChangeContext } from '@app/audit';
import { APP_CONFIG, AppConfig, Clock, InvalidError, newId, NotFoundError, UnprocessableError } from '@app/core';
import { TransactionRunner } from '@app/database';
import { PartnersService, SecretBox } from '@app/partners';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity, type WebhookEndpointStatus, type WebhookFormat } from './entities/webhook-endpoint.entity';
import { newWebhookSecret } from './webhook-signatures';
import { resolveAll, resolveWebhookTarget, type Resolve, type WebhookTargetPolicy } from './webhook-target';
import {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointInput,
  MAX_WEBHOOK_ENDPOINTS_PER_PARTNER,
  PREVIOUS_SECRET_TTL_MS,
  RedeliveredWebhook,
  RotatedWebhookSecret,
  UpdateWebhookEndpointInput,
  WEBHOOK_DELIVERY_LIST_MAX_LIMIT,
  WEBHOOK_DELIVERY_LIST_MAX_OFFSET,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_DESCRIPTION_MAX,
  WEBHOOK_DISABLED_REASON_MAX,
  WEBHOOK_ENDPOINT_STATUSES,
  WEBHOOK_FORMATS,
  WEBHOOK_SUBSCRIBABLE_EVENTS,
  WEBHOOK_TEST_EVENT_TYPE,
  WEBHOOK_TEST_MESSAGE,
  WebhookDeliveryListQuery,
  WebhookDeliveryPage,
  WebhookDeliveryView,
  WebhookEndpointView,
  WebhookTestEvent,
} from './webhook-endpoints.types';

// ---------------------------------------------------------------------------------------------
// Errors.

export const webhookNotFound = (): NotFoundError => new NotFoundError('webhook_not_found', 'Webhook endpoint not found');
export const webhookDeliveryNotFound = (): NotFoundError => new NotFoundError('webhook_delivery_not_found', 'Webhook delivery not found');
export const webhookUrlInvalid = (reason: string): InvalidError => new InvalidError('webhook_url_invalid', reason, { url: [reason] });
export const webhookLimitReached = (): UnprocessableError =>
  new UnprocessableError('webhook_limit_reached', `A partner can have at most ${MAX_WEBHOOK_ENDPOINTS_PER_PARTNER} webhook endpoints: delete one first`);
export const webhookDisabled = (): UnprocessableError =>
  new UnprocessableError('webhook_disabled', 'The webhook endpoint is disabled: enable it first (PATCH status "enabled")');
export const encryptionKeyMissing = (): UnprocessableError =>
  new UnprocessableError('encryption_key_missing', 'Webhook secrets are stored encrypted: set APP_ENCRYPTION_KEY on the server to manage webhook endpoints');

/** Additional data bound to a secret envelope: it opens only on its own endpoint's row (both secret columns). */
export function webhookSecretAad(endpointId: string): string {
  return `webhook_endpoints.secret:${endpointId}`;
}

/** The URL as the audit log keeps it: the query string (which may carry a token) left out. */
export function auditWebhookUrl(href: string): string {
  try {
    const u = new URL(href);
    return u.search ? `${u.origin}${u.pathname}?…` : href;
  } catch {
    return '[invalid url]';
  }
}

/** The actor of changes the app makes by itself (the dispatcher disabling an endpoint). */
export const WEBHOOK_SYSTEM_ACTOR = 'system';

// ---------------------------------------------------------------------------------------------

/**
 * A partner's webhook endpoints (the admin routes): create, list, change, delete, rotate the
 * signing secret, and look at, redeliver or test its deliveries. Secrets are sealed with the
 * SecretBox (APP_ENCRYPTION_KEY; without it every route that needs one answers 422
 * `encryption_key_missing`) and returned in plain only when created or rotated. Every change is
 * written to the audit log in the change's transaction, never with a secret.
 *
 * For the dispatcher: {@link openSecrets} (the secrets to sign with) and {@link disable}.
 */
@Injectable()
export class WebhookEndpointsService {
  /** name resolution for the URL check; tests replace it */
  resolve: Resolve = resolveAll;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly partners: PartnersService,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'webhookAllowHttp' | 'webhookAllowPrivateNetworks'>,
    @InjectRepository(WebhookEndpointEntity) private readonly endpoints: Repository<WebhookEndpointEntity>,
    @InjectRepository(WebhookDeliveryEntity) private readonly deliveries: Repository<WebhookDeliveryEntity>,
  ) {}

  /** WEBHOOK_ALLOW_HTTP / WEBHOOK_ALLOW_PRIVATE_NETWORKS */
  get targetPolicy(): WebhookTargetPolicy {
    return { allowHttp: this.config.webhookAllowHttp, allowPrivateNetworks: this.config.webhookAllowPrivateNetworks };
  }

  // ------------------------------------------------------------------------------ endpoints

  /**
   * Creates an endpoint, enabled, with a new `whsec_` secret returned this once. The URL must
   * pass {@link resolveWebhookTarget} (its name resolved now) → else 422 `webhook_url_invalid`;
   * at most {@link MAX_WEBHOOK_ENDPOINTS_PER_PARTNER} per partner → else 422 `webhook_limit_reached`.
   */
  async create(partnerCode: string, input: CreateWebhookEndpointInput, ctx: ChangeContext): Promise<CreatedWebhookEndpoint> {
    const errors: Record<string, string[]> = {};
    const events = checkEvents(input.events, errors);
    const description = checkDescription(input.description, errors);
    const format = input.format ?? 'standard';
    if (!WEBHOOK_FORMATS.includes(format)) errors.format = [`must be one of ${WEBHOOK_FORMATS.join(', ')}`];
    if (typeof input.url !== 'string') errors.url = ['must be a string'];
    if (Object.keys(errors).length > 0) throw new InvalidError('validation_error', 'Request validation failed', errors);

    if (!this.box.available) throw encryptionKeyMissing();
    const partner = await this.partners.get(partnerCode);
    const url = await this.checkUrl(input.url);
    const secret = newWebhookSecret();
    const now = this.clock.now();

    const row = await this.tx.run(async (m) => {
      await this.lockPartnerEndpoints(partner.id, m);
      const count = await m.getRepository(WebhookEndpointEntity).count({ where: { partnerId: partner.id } });
      if (count >= MAX_WEBHOOK_ENDPOINTS_PER_PARTNER) throw webhookLimitReached();
      const id = newId();
      const entity: WebhookEndpointEntity = {
        id,
        partnerId: partner.id,
        url,
        events,
        description: description ?? null,
        format,
        status: 'enabled',
        disabledReason: null,
        secret: this.box.seal(secret, webhookSecretAad(id)),
        previousSecret: null,
        previousSecretExpiresAt: null,
        createdAt: now,
        updatedAt: now,
      };
      await m.getRepository(WebhookEndpointEntity).insert(entity);
      await this.record(m, ctx, partner.code, 'webhook.create', id, null, auditSnapshot(entity));
      return entity;
    });
    return { ...toView(row), secret };
  }

  /** The partner's endpoints, oldest first, without secrets. */
  async list(partnerCode: string): Promise<WebhookEndpointView[]> {
    const partner = await this.partners.get(partnerCode);
    const rows = await this.endpoints.find({ where: { partnerId: partner.id }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toView);
  }

  /** One endpoint; 404 `webhook_not_found` for an unknown id or another partner's endpoint. */
  async get(partnerCode: string, endpointId: string): Promise<WebhookEndpointView> {
    const partner = await this.partners.get(partnerCode);
    return toView(await this.findEndpoint(this.endpoints.manager, partner.id, endpointId, false));
  }

  /**
   * Changes url (checked again, resolved now), events, description (null clears it) and/or
   * status. Enabling clears the reason the dispatcher disabled it for; disabling by hand leaves
   * no reason. Writes `webhook.update` when anything changed.
   */
  async update(partnerCode: string, endpointId: string, input: UpdateWebhookEndpointInput, ctx: ChangeContext): Promise<WebhookEndpointView> {
    const errors: Record<string, string[]> = {};
    const events = input.events === undefined ? undefined : checkEvents(input.events, errors);
    const description = checkDescription(input.description, errors);
    if (input.status !== undefined && !WEBHOOK_ENDPOINT_STATUSES.includes(input.status)) {
      errors.status = [`must be one of ${WEBHOOK_ENDPOINT_STATUSES.join(', ')}`];
    }
    if (input.url !== undefined && typeof input.url !== 'string') errors.url = ['must be a string'];
    if (Object.keys(errors).length > 0) throw new InvalidError('validation_error', 'Request validation failed', errors);

    const partner = await this.partners.get(partnerCode);
    // the 404 comes before a URL refusal, and before resolving the name
    await this.findEndpoint(this.endpoints.manager, partner.id, endpointId, false);
    const url = input.url === undefined ? undefined : await this.checkUrl(input.url);
    const now = this.clock.now();

    const row = await this.tx.run(async (m) => {
      const current = await this.findEndpoint(m, partner.id, endpointId, true);
      const before = auditSnapshot(current);
      const next: WebhookEndpointEntity = { ...current };
      if (url !== undefined) next.url = url;
      if (events !== undefined) next.events = events;
      if (description !== undefined) next.description = description;
      if (input.status !== undefined && input.status !== current.status) {
        next.status = input.status;
        next.disabledReason = null;
      }
      const changed =
        next.url !== current.url ||
        JSON.stringify(next.events) !== JSON.stringify(current.events) ||
        next.description !== current.description ||
        next.status !== current.status;
      if (!changed) return current;
      next.updatedAt = now;
      await m
        .getRepository(WebhookEndpointEntity)
        .update(
          { id: current.id },
          { url: next.url, events: next.events, description: next.description, status: next.status, disabledReason: next.disabledReason, updatedAt: now },
        );
      await this.record(m, ctx, partner.code, 'webhook.update', current.id, before, auditSnapshot(next));
      return next;
    });
    return toView(row);
  }

  /** Deletes the endpoint with every delivery of it (pending ones and the history), in one transaction. */
  async remove(partnerCode: string, endpointId: string, ctx: ChangeContext): Promise<void> {
    const partner = await this.partners.get(partnerCode);
    await this.tx.run(async (m) => {
      const current = await this.findEndpoint(m, partner.id, endpointId, true);
      const deliveries = await m.getRepository(WebhookDeliveryEntity).delete({ endpointId: current.id });
      await m.getRepository(WebhookEndpointEntity).delete({ id: current.id });
      await this.record(m, ctx, partner.code, 'webhook.delete', current.id, auditSnapshot(current), {
        deleted: true,
        deliveries_deleted: deliveries.affected ?? null,
      });
    });
  }

  /**
   * A new secret, returned this once; the one it replaces keeps signing (both signatures are
   * sent) for {@link PREVIOUS_SECRET_TTL_MS}. A secret rotated out earlier is dropped.
   */
  async rotateSecret(partnerCode: string, endpointId: string, ctx: ChangeContext): Promise<RotatedWebhookSecret> {
    if (!this.box.available) throw encryptionKeyMissing();
    const partner = await this.partners.get(partnerCode);
    const secret = newWebhookSecret();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + PREVIOUS_SECRET_TTL_MS);
    await this.tx.run(async (m) => {
      const current = await this.findEndpoint(m, partner.id, endpointId, true);
      await m
        .getRepository(WebhookEndpointEntity)
        .update(
          { id: current.id },
          { secret: this.box.seal(secret, webhookSecretAad(current.id)), previousSecret: current.secret, previousSecretExpiresAt: expiresAt, updatedAt: now },
        );
      await this.record(m, ctx, partner.code, 'webhook.rotate_secret', current.id, null, {
        id: current.id,
        previous_secret_expires_at: expiresAt.toISOString(),
      });
    });
    return { id: endpointId, secret, previousSecretExpiresAt: expiresAt };
  }

  // ----------------------------------------------------------------------------- deliveries

  /** The endpoint's deliveries, newest first, optionally of one status. */
  async listDeliveries(partnerCode: string, endpointId: string, query: WebhookDeliveryListQuery): Promise<WebhookDeliveryPage> {
    const errors: Record<string, string[]> = {};
    if (query.status !== undefined && !WEBHOOK_DELIVERY_STATUSES.includes(query.status)) {
      errors.status = [`must be one of ${WEBHOOK_DELIVERY_STATUSES.join(', ')}`];
    }
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > WEBHOOK_DELIVERY_LIST_MAX_LIMIT) {
      errors.limit = [`must be an integer from 1 to ${WEBHOOK_DELIVERY_LIST_MAX_LIMIT}`];
    }
    if (!Number.isInteger(query.offset) || query.offset < 0 || query.offset > WEBHOOK_DELIVERY_LIST_MAX_OFFSET) {
      errors.offset = [`must be an integer from 0 to ${WEBHOOK_DELIVERY_LIST_MAX_OFFSET}`];
    }
    if (Object.keys(errors).length > 0) throw new InvalidError('validation_error', 'Request validation failed', errors);

    const partner = await this.partners.get(partnerCode);
    const endpoint = await this.findEndpoint(this.endpoints.manager, partner.id, endpointId, false);
    const where = { endpointId: endpoint.id, ...(query.status ? { status: query.status } : {}) };
    const [rows, count] = await this.deliveries.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    return { count, results: rows.map(toDeliveryView) };
  }

  /**
   * Makes a delivery due now, whatever its status: pending, next attempt now, no lease. Its
   * attempts, last status code and error stay as they were (history).
   */
  async redeliver(partnerCode: string, endpointId: string, deliveryId: string, ctx: ChangeContext): Promise<RedeliveredWebhook> {
    const partner = await this.partners.get(partnerCode);
    const now = this.clock.now();
    await this.tx.run(async (m) => {
      const endpoint = await this.findEndpoint(m, partner.id, endpointId, false);
      const delivery = await m.getRepository(WebhookDeliveryEntity).findOne({ where: { id: deliveryId, endpointId: endpoint.id } });
      if (!delivery) throw webhookDeliveryNotFound();
      await m.getRepository(WebhookDeliveryEntity).update({ id: delivery.id }, { status: 'pending', nextAttemptAt: now, leaseUntil: null });
      await this.record(
        m,
        ctx,
        partner.code,
        'webhook.redeliver',
        endpoint.id,
        { delivery_id: delivery.id, event_id: delivery.eventId, type: delivery.eventType, status: delivery.status, attempts: delivery.attempts },
        { delivery_id: delivery.id, event_id: delivery.eventId, type: delivery.eventType, status: 'pending', next_attempt_at: now.toISOString() },
      );
    });
    return { id: deliveryId, status: 'pending' };
  }

  /**
   * Queues a `webhook.test` event to the endpoint, due now: data `{ webhook_id, message }`.
   * 422 `webhook_disabled` for a disabled endpoint.
   */
  async sendTest(partnerCode: string, endpointId: string, ctx: ChangeContext): Promise<WebhookTestEvent> {
    const partner = await this.partners.get(partnerCode);
    const now = this.clock.now();
    return this.tx.run(async (m) => {
      const endpoint = await this.findEndpoint(m, partner.id, endpointId, false);
      if (endpoint.status !== 'enabled') throw webhookDisabled();
      const delivery: WebhookDeliveryEntity = {
        id: newId(),
        endpointId: endpoint.id,
        partnerId: partner.id,
        eventId: randomUUID(),
        eventType: WEBHOOK_TEST_EVENT_TYPE,
        occurredAt: now,
        payload: { webhook_id: endpoint.id, message: WEBHOOK_TEST_MESSAGE },
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        leaseUntil: null,
        lastStatusCode: null,
        lastError: null,
        deliveredAt: null,
        createdAt: now,
      };
      await m.getRepository(WebhookDeliveryEntity).insert(delivery as QueryDeepPartialEntity<WebhookDeliveryEntity>);
      await this.record(m, ctx, partner.code, 'webhook.test', endpoint.id, null, {
        delivery_id: delivery.id,
        event_id: delivery.eventId,
        type: delivery.eventType,
      });
      return { deliveryId: delivery.id, eventId: delivery.eventId };
    });
  }

  // ---------------------------------------------------------------------------- dispatcher

  /**
   * The plain secrets to sign a request to `endpoint` with, newest first: the current one, then
   * the one a rotation replaced while `now` is before its expiry. Throws SecretBoxError when an
   * envelope cannot be opened (no such key in APP_ENCRYPTION_KEY / APP_ENCRYPTION_KEYS_OLD, or
   * a tampered row): an operator problem, not the receiver's.
   */
  openSecrets(endpoint: Pick<WebhookEndpointEntity, 'id' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, now: Date): string[] {
    const aad = webhookSecretAad(endpoint.id);
    const secrets = [this.box.open(endpoint.secret, aad)];
    const expiresAt = endpoint.previousSecretExpiresAt;
    if (endpoint.previousSecret && expiresAt && now.getTime() < new Date(expiresAt).getTime()) {
      secrets.push(this.box.open(endpoint.previousSecret, aad));
    }
    return secrets;
  }

  /**
   * Re-seals the endpoint's secrets that are still under a retired encryption key
   * (APP_ENCRYPTION_KEYS_OLD) with the current one, so the old key can be dropped once every
   * endpoint has sent again. Written only while the row still holds the envelopes read: a rotation
   * or an update in between wins and nothing is written. Returns whether the row was re-sealed.
   */
  async resealStaleSecrets(endpoint: Pick<WebhookEndpointEntity, 'id' | 'secret' | 'previousSecret'>): Promise<boolean> {
    const staleCurrent = this.box.isStale(endpoint.secret);
    const stalePrevious = endpoint.previousSecret !== null && this.box.isStale(endpoint.previousSecret);
    if (!staleCurrent && !stalePrevious) return false;
    const aad = webhookSecretAad(endpoint.id);
    const reseal = (envelope: string): string => this.box.seal(this.box.open(envelope, aad), aad);
    const secret = staleCurrent ? reseal(endpoint.secret) : endpoint.secret;
    const previousSecret = endpoint.previousSecret !== null && stalePrevious ? reseal(endpoint.previousSecret) : endpoint.previousSecret;
    const written = await this.endpoints
      .createQueryBuilder()
      .update(WebhookEndpointEntity)
      .set({ secret, previousSecret })
      .where('id = :id AND secret = :secret', { id: endpoint.id, secret: endpoint.secret })
      .andWhere(endpoint.previousSecret === null ? 'previous_secret IS NULL' : 'previous_secret = :previous', { previous: endpoint.previousSecret })
      .execute();
    return (written.affected ?? 0) > 0;
  }

  /**
   * Disables an enabled endpoint, keeping `reason` (e.g. "410 Gone") as its `disabled_reason`;
   * audited as `webhook.disable` by "system". Returns false when the endpoint is gone or already
   * disabled (nothing changed). Its pending deliveries are left as they are. Pass `manager` to
   * run inside the caller's transaction.
   */
  async disable(endpointId: string, reason: string, now: Date, manager?: EntityManager): Promise<boolean> {
    const work = async (m: EntityManager): Promise<boolean> => {
      const current = await this.lockedEndpoint(m, { id: endpointId });
      if (!current || current.status !== 'enabled') return false;
      const disabledReason = reason.slice(0, WEBHOOK_DISABLED_REASON_MAX);
      await m.getRepository(WebhookEndpointEntity).update({ id: current.id, status: 'enabled' }, { status: 'disabled', disabledReason, updatedAt: now });
      const partner = await this.partners.getById(current.partnerId, m).catch(() => null);
      await this.record(
        m,
        { actor: WEBHOOK_SYSTEM_ACTOR, requestId: null },
        partner?.code ?? null,
        'webhook.disable',
        current.id,
        auditSnapshot(current),
        auditSnapshot({ ...current, status: 'disabled', disabledReason }),
      );
      return true;
    };
    return manager ? work(manager) : this.tx.run(work);
  }

  // ------------------------------------------------------------------------------- helpers

  /** The normalised URL (href), or 422 `webhook_url_invalid` with the reason. */
  private async checkUrl(url: string): Promise<string> {
    const check = await resolveWebhookTarget(url, this.targetPolicy, this.resolve);
    if (!check.ok) throw webhookUrlInvalid(check.reason);
    return check.url.href;
  }

  private async findEndpoint(m: EntityManager, partnerId: string, id: string, forUpdate: boolean): Promise<WebhookEndpointEntity> {
    const row = forUpdate
      ? await this.lockedEndpoint(m, { id, partnerId })
      : await m.getRepository(WebhookEndpointEntity).findOne({ where: { id, partnerId } });
    if (!row) throw webhookNotFound();
    return row;
  }

  /** The row, locked until the transaction ends on PostgreSQL (SQLite serialises every write already). */
  private lockedEndpoint(m: EntityManager, where: { id: string; partnerId?: string }): Promise<WebhookEndpointEntity | null> {
    return m.getRepository(WebhookEndpointEntity).findOne({ where, ...(this.tx.isSqlite ? {} : { lock: { mode: 'pessimistic_write' as const } }) });
  }

  /** Serialises the creations of one partner's endpoints (the limit is counted, then a row added). */
  private async lockPartnerEndpoints(partnerId: string, m: EntityManager): Promise<void> {
    if (this.tx.isSqlite) return;
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`webhook_endpoints:${partnerId}`]);
  }

  private record(
    m: EntityManager,
    ctx: ChangeContext,
    partnerCode: string | null,
    action: string,
    endpointId: string,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    return this.audit.record(
      { actor: ctx.actor, requestId: ctx.requestId, action, partnerCode, targetType: 'webhook_endpoint', targetId: endpointId, before, after },
      m,
    );
  }
}

// ---------------------------------------------------------------------------------------------

function checkEvents(events: unknown, errors: Record<string, string[]>): string[] {
  if (!Array.isArray(events) || events.length === 0) {
    errors.events = ['must be a non-empty array'];
    return [];
  }
  const messages: string[] = [];
  const allowed: readonly string[] = WEBHOOK_SUBSCRIBABLE_EVENTS;
  if (events.some((e) => typeof e !== 'string' || !allowed.includes(e))) {
    messages.push(`each value must be one of ${WEBHOOK_SUBSCRIBABLE_EVENTS.join(', ')}`);
  }
  if (new Set(events).size !== events.length) messages.push('must not repeat an event');
  if (messages.length > 0) errors.events = messages;
  return events as string[];
}

/** undefined: not given; null or '' : none */
function checkDescription(description: unknown, errors: Record<string, string[]>): string | null | undefined {
  if (description === undefined) return undefined;
  if (description === null) return null;
  if (typeof description !== 'string') {
    errors.description = ['must be a string'];
    return undefined;
  }
  if (description.length > WEBHOOK_DESCRIPTION_MAX) {
    errors.description = [`must be at most ${WEBHOOK_DESCRIPTION_MAX} characters`];
    return undefined;
  }
  return description === '' ? null : description;
}

function toView(row: WebhookEndpointEntity): WebhookEndpointView {
  return {
    id: row.id,
    url: row.url,
    events: [...row.events],
    description: row.description ?? null,
    format: row.format,
    status: row.status,
    disabledReason: row.disabledReason ?? null,
    previousSecretExpiresAt: row.previousSecret && row.previousSecretExpiresAt ? new Date(row.previousSecretExpiresAt) : null,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
  };
}

function toDeliveryView(row: WebhookDeliveryEntity): WebhookDeliveryView {
  return {
    id: row.id,
    eventId: row.eventId,
    type: row.eventType,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode ?? null,
    lastError: row.lastError ?? null,
    nextAttemptAt: row.status === 'pending' ? new Date(row.nextAttemptAt) : null,
    deliveredAt: row.deliveredAt ? new Date(row.deliveredAt) : null,
    createdAt: new Date(row.createdAt),
  };
}

/** What the audit log keeps of an endpoint: never a secret, nor the URL's query string. */
function auditSnapshot(row: {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  format: WebhookFormat;
  status: WebhookEndpointStatus;
  disabledReason: string | null;
}): Record<string, unknown> {
  return {
    id: row.id,
    url: auditWebhookUrl(row.url),
    events: [...row.events],
    description: row.description ?? null,
    format: row.format,
    status: row.status,
    disabled_reason: row.disabledReason ?? null,
  };
}
