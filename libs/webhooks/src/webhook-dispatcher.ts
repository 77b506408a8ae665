import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig, Clock } from '@app/core';
import { dateParam, engineOf, preparedQuery, readDate, readJson, TransactionRunner, type Engine, type EngineSql } from '@app/database';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { sendWebhook, type WebhookAttemptResult } from './webhook-sender';
import { standardWebhookBody, standardWebhookHeaders, xcoverWebhookBody, xcoverWebhookHeaders, type WebhookEventType } from './webhook-signatures';
import type { DeliveryOutcome, WebhookMetricsSource } from './webhook-metrics';
import { resolveWebhookTarget } from './webhook-target';

/** How long a claimed delivery is this instance's: past it, another attempt may be made (a killed process). */
export const WEBHOOK_LEASE_MS = 60_000;
/** The waits between attempts, then the last one again until the delivery is WEBHOOK_MAX_AGE_H old. */
export const WEBHOOK_BACKOFF_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000];
const USER_AGENT = 'offers-platform-webhooks/1';

/** A delivery claimed for an attempt. */
interface ClaimedDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  occurredAt: Date;
  payload: unknown;
  /** attempts made, this one included */
  attempts: number;
  createdAt: Date;
  leaseUntil: Date;
}

/**
 * Claims up to `limit` due deliveries of enabled endpoints, oldest due first, by setting their
 * lease and counting the attempt. On PostgreSQL `FOR UPDATE SKIP LOCKED`: instances claiming at
 * the same time each get other rows. On SQLite the statement runs in the serialised transactions
 * of the one process that writes the file.
 *   parameters: lease until, now, limit
 */
const CLAIM_DUE_DELIVERIES: EngineSql = {
  sqlite: `
    UPDATE webhook_deliveries
    SET lease_until = ?, attempts = attempts + 1
    WHERE id IN (
      SELECT d.id
      FROM webhook_deliveries d
      JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?) AND e.status = 'enabled'
      ORDER BY d.next_attempt_at, d.created_at
      LIMIT ?)
    RETURNING id, endpoint_id, event_id, event_type, occurred_at, payload, attempts, created_at, lease_until`,
  postgres: `
    UPDATE webhook_deliveries
    SET lease_until = $1, attempts = attempts + 1
    WHERE id IN (
      SELECT d.id
      FROM webhook_deliveries d
      JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= $2 AND (d.lease_until IS NULL OR d.lease_until <= $2) AND e.status = 'enabled'
      ORDER BY d.next_attempt_at, d.created_at
      LIMIT $3
      FOR UPDATE OF d SKIP LOCKED)
    RETURNING id, endpoint_id, event_id, event_type, occurred_at, payload, attempts, created_at, lease_until`,
};

function claimParams(engine: Engine, leaseUntil: Date, now: Date, limit: number): unknown[] {
  const lease = dateParam(engine, leaseUntil);
  const at = dateParam(engine, now);
  return engine === 'sqlite' ? [lease, at, at, limit] : [lease, at, limit];
}

/**
 * The outcome of an attempt, written only while the claim is still this instance's (its lease
 * unchanged): a delivery whose lease ran out and was claimed again is left to its new attempt.
 *   parameters: status, next attempt at, last status code, last error, delivered at, id, lease until
 */
/** The pending deliveries and the creation time of the oldest. */
const PENDING_BACKLOG: EngineSql = {
  sqlite: `SELECT count(*) AS pending, min(created_at) AS oldest FROM webhook_deliveries WHERE status = 'pending'`,
  postgres: `SELECT count(*)::int AS pending, min(created_at) AS oldest FROM webhook_deliveries WHERE status = 'pending'`,
};

const RECORD_ATTEMPT: EngineSql = {
  sqlite: `
    UPDATE webhook_deliveries
    SET status = ?, next_attempt_at = ?, last_status_code = ?, last_error = ?, delivered_at = ?, lease_until = NULL
    WHERE id = ? AND lease_until = ?`,
  postgres: `
    UPDATE webhook_deliveries
    SET status = $1, next_attempt_at = $2, last_status_code = $3, last_error = $4, delivered_at = $5, lease_until = NULL
    WHERE id = $6 AND lease_until = $7`,
};

interface AttemptOutcome {
  status: 'pending' | 'delivered' | 'failed';
  nextAttemptAt: Date;
  statusCode: number | null;
  error: string | null;
  deliveredAt: Date | null;
}

/** The wait before attempt `attempts + 1`, ±20 % so that endpoints failing together do not retry together. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = WEBHOOK_BACKOFF_MS[Math.min(attempts, WEBHOOK_BACKOFF_MS.length) - 1] ?? WEBHOOK_BACKOFF_MS[0];
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Delivers the outbox in the background: every WEBHOOK_POLL_MS it claims the due deliveries it
 * has room for (at most WEBHOOK_CONCURRENCY in flight), makes one attempt each and records the
 * outcome: 2xx delivered; 410 Gone disables the endpoint; anything else is retried with backoff
 * until the delivery is WEBHOOK_MAX_AGE_H old, then failed. Never on a request's path: requests
 * only write the outbox. With WEBHOOKS_ENABLED=false it does not run (the outbox still fills).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown, WebhookMetricsSource {
  private readonly logger = new Logger('Webhooks');
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private claiming = false;
  private stopped = false;
  /** the background loop runs (WEBHOOKS_ENABLED) */
  private looping = false;
  /** the last claim filled every free slot: more may be due without waiting for the next poll */
  private moreDue = false;
  private readonly counts: Record<DeliveryOutcome, number> = { delivered: 0, retried: 0, failed: 0 };

  constructor(
    @InjectRepository(WebhookEndpointEntity) private readonly endpointRows: Repository<WebhookEndpointEntity>,
    private readonly endpoints: WebhookEndpointsService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.webhooksEnabled) return;
    this.looping = true;
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Claims what is due now and makes those attempts; resolves when they are recorded. Returns
   * how many were attempted. The background loop calls it too (without waiting for the attempts).
   */
  async runOnce(): Promise<number> {
    const started = await this.claimAndStart();
    await Promise.allSettled(started);
    return started.length;
  }

  outcomes(): Readonly<Record<DeliveryOutcome, number>> {
    return { ...this.counts };
  }

  async backlog(): Promise<{ pending: number; oldestPendingSeconds: number }> {
    const manager = this.endpointRows.manager;
    const { rows } = await preparedQuery(manager, PENDING_BACKLOG[engineOf(manager)], []);
    const oldest = rows[0]?.oldest;
    const age = oldest === null || oldest === undefined ? 0 : (this.clock.now().getTime() - readDate(oldest).getTime()) / 1000;
    return { pending: Number(rows[0]?.pending ?? 0), oldestPendingSeconds: Math.max(0, age) };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.claimAndStart()
        .catch((e: unknown) => this.logger.warn(`claiming webhook deliveries failed: ${(e as Error).message}`))
        .finally(() => this.schedule());
    }, this.config.webhookPollMs);
    this.timer.unref();
  }

  /** Claims as many due deliveries as there is room for and starts their attempts. */
  private async claimAndStart(): Promise<Array<Promise<void>>> {
    const room = this.config.webhookConcurrency - this.inFlight.size;
    if (room <= 0 || this.claiming || this.stopped) return [];
    this.claiming = true;
    let claimed: ClaimedDelivery[];
    try {
      claimed = await this.claim(room);
    } finally {
      this.claiming = false;
    }
    this.moreDue = claimed.length === room;
    return claimed.map((d) => {
      const attempt = this.attempt(d)
        .catch((e: unknown) => this.logger.error(`webhook delivery ${d.id} failed unexpectedly: ${(e as Error).message}`))
        .finally(() => {
          this.inFlight.delete(attempt);
          this.refill();
        });
      this.inFlight.add(attempt);
      return attempt;
    });
  }

  /**
   * With a backlog, the loop does not wait for its next poll: once half the slots are free again
   * it claims more (the poll interval only paces an instance that has caught up).
   */
  private refill(): void {
    if (!this.looping || !this.moreDue || this.inFlight.size > Math.floor(this.config.webhookConcurrency / 2)) return;
    this.claimAndStart().catch((e: unknown) => this.logger.warn(`claiming webhook deliveries failed: ${(e as Error).message}`));
  }

  private async claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + WEBHOOK_LEASE_MS);
    return this.tx.run(async (m) => {
      const engine = engineOf(m);
      const { rows } = await preparedQuery(m, CLAIM_DUE_DELIVERIES[engine], claimParams(engine, leaseUntil, now, limit));
      return rows.map((r) => ({
        id: r.id as string,
        endpointId: r.endpoint_id as string,
        eventId: r.event_id as string,
        eventType: r.event_type as string,
        occurredAt: readDate(r.occurred_at),
        payload: readJson(r.payload),
        attempts: Number(r.attempts),
        createdAt: readDate(r.created_at),
        leaseUntil: readDate(r.lease_until),
      }));
    });
  }

  /** One attempt of a claimed delivery, and its outcome recorded. */
  private async attempt(d: ClaimedDelivery): Promise<void> {
    const endpoint = await this.endpointRows.findOne({ where: { id: d.endpointId } });
    const now = this.clock.now();
    if (!endpoint) return; // deleted meanwhile: its deliveries went with it
    let result: WebhookAttemptResult;
    try {
      result = await this.send(endpoint, d, now);
    } catch (e) {
      // e.g. the secret sealed under a key this instance no longer has: recorded, retried later
      result = { statusCode: null, error: `not sent: ${(e as Error).name}`, delivered: false, durationMs: 0, responseSnippet: null };
    }
    const outcome = this.outcomeOf(d, result, this.clock.now());
    if (result.statusCode === 410) {
      await this.endpoints.disable(endpoint.id, 'the receiver answered 410 Gone', this.clock.now());
      this.logger.warn(`webhook endpoint ${endpoint.id} disabled: it answered 410 Gone`);
    } else if (outcome.status !== 'delivered' && d.attempts === 1) {
      this.logger.warn(`webhook endpoint ${endpoint.id} is failing: ${outcome.error ?? `status ${outcome.statusCode}`}`);
    }
    await this.record(d, outcome);
    this.counts[outcome.status === 'pending' ? 'retried' : outcome.status] += 1;
  }

  private async send(endpoint: WebhookEndpointEntity, d: ClaimedDelivery, now: Date): Promise<WebhookAttemptResult> {
    const policy = { allowHttp: this.config.webhookAllowHttp, allowPrivateNetworks: this.config.webhookAllowPrivateNetworks };
    const target = await resolveWebhookTarget(endpoint.url, policy);
    if (!target.ok) return { statusCode: null, error: target.reason, delivered: false, durationMs: 0, responseSnippet: null };
    const secrets = this.endpoints.openSecrets(endpoint, now);
    await this.resealStaleSecrets(endpoint);
    const type = d.eventType as WebhookEventType;
    const payload = d.payload ?? {};
    let body: string;
    let headers: Record<string, string>;
    if (endpoint.format === 'xcover') {
      const xcoverBody = xcoverWebhookBody(type, payload);
      if (xcoverBody === null)
        return { statusCode: null, error: `${d.eventType} is not sent in the xcover format`, delivered: false, durationMs: 0, responseSnippet: null };
      body = xcoverBody;
      headers = xcoverWebhookHeaders({ endpointId: endpoint.id, secret: secrets[0], path: target.url.pathname, date: now });
    } else {
      body = standardWebhookBody(type, d.occurredAt.toISOString(), payload);
      headers = standardWebhookHeaders({ id: d.eventId, timestampSeconds: Math.floor(now.getTime() / 1000), body, secrets });
    }
    return sendWebhook({
      url: target.url,
      address: target.address,
      family: target.family,
      headers,
      body,
      timeoutMs: this.config.webhookTimeoutMs,
      userAgent: USER_AGENT,
    });
  }

  /** After an encryption key rotation; best effort: a failure is logged and the delivery goes on. */
  private async resealStaleSecrets(endpoint: WebhookEndpointEntity): Promise<void> {
    try {
      if (await this.endpoints.resealStaleSecrets(endpoint)) {
        this.logger.log(`re-encrypted the signing secret of webhook endpoint ${endpoint.id} under the current encryption key`);
      }
    } catch (err) {
      this.logger.warn(`could not re-encrypt the signing secret of webhook endpoint ${endpoint.id}: ${(err as Error).message}`);
    }
  }

  private outcomeOf(d: ClaimedDelivery, result: WebhookAttemptResult, now: Date): AttemptOutcome {
    const base = { statusCode: result.statusCode, error: result.error };
    if (result.delivered) return { ...base, status: 'delivered', nextAttemptAt: now, deliveredAt: now };
    const next = new Date(now.getTime() + backoffMs(d.attempts));
    const deadline = d.createdAt.getTime() + this.config.webhookMaxAgeH * 3_600_000;
    const permanent = result.statusCode === 410 || (result.error ?? '').endsWith('is not sent in the xcover format');
    if (permanent || next.getTime() > deadline) return { ...base, status: 'failed', nextAttemptAt: now, deliveredAt: null };
    return { ...base, status: 'pending', nextAttemptAt: next, deliveredAt: null };
  }

  private async record(d: ClaimedDelivery, o: AttemptOutcome): Promise<void> {
    await this.tx.run(async (m) => {
      const engine = engineOf(m);
      await preparedQuery(m, RECORD_ATTEMPT[engine], [
        o.status,
        dateParam(engine, o.nextAttemptAt),
        o.statusCode,
        o.error === null ? null : o.error.slice(0, 500),
        o.deliveredAt ? dateParam(engine, o.deliveredAt) : null,
        d.id,
        dateParam(engine, d.leaseUntil),
      ]);
    });
  }
}
