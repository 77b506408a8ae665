import { performance } from 'node:perf_hooks';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig, Clock } from '@app/core';
import { engineOf, preparedQuery, TransactionRunner, type EngineSql } from '@app/database';
import { JobLease, leaseHolderId } from './job-lease';
import type { RetentionMetricsSource, RetentionOutcome, RetentionTotals } from './retention-metrics';
import { keepsEverything, retentionCutoffs, retentionPolicy, type RetentionPolicy } from './retention-policy';
import {
  cutoffBatchParams,
  DELETE_FINISHED_DELIVERIES,
  DELETE_OFFERS,
  DELETE_UNAPPLIED_CHANGES,
  offerIdsParams,
  PURGE_OFFER_BATCH,
  UNBOUGHT_OFFERS,
  unboughtOffersParams,
} from './retention.sql';

/** the purge's row in job_leases */
export const RETENTION_JOB = 'retention';

/** What one run did. */
export interface RetentionRunResult extends RetentionTotals {
  outcome: RetentionOutcome;
  durationMs: number;
}

/** a batch's work in its transaction: how many rows it deleted */
type Batch = (manager: EntityManager) => Promise<number>;

/** the lease was another instance's when a batch began: nothing of the batch was done */
class LeaseNotHeld extends Error {}

/**
 * Retention: deletes what is no longer needed, in the background, one instance at a time.
 * - Offers never bought (OFFERED or OPTED_OUT, no booking) OFFER_RETENTION_DAYS (or
 *   OFFER_RETENTION_SECONDS) after their expiry, with their quotes, conversion rows, opt-out events
 *   and idempotency records; their analytics counts are first added to the daily roll-ups
 *   (offer_rollups), in the same transaction, so analytics reports the same figures after.
 *   Bookings, and the offers they were made from, are never deleted.
 * - Priced booking changes never applied (cancellation previews, quotes for update) as long after
 *   their confirmation window closed; applied ones are the record of the change and are kept.
 * - Webhook deliveries WEBHOOK_DELIVERY_RETENTION_DAYS after they were delivered or failed for good.
 * Each batch (at most RETENTION_BATCH_SIZE rows, ≤ 1000) is one transaction, followed by a pause
 * (RETENTION_PAUSE_MS) so requests get the database in between; each batch renews the job's
 * lease in its own transaction, so it commits only while this instance holds it. Runs every
 * RETENTION_INTERVAL_S (RETENTION_ENABLED=false: never in the background; `runOnce` still works).
 * Never on a request's path. Logs counts and durations only.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, BeforeApplicationShutdown, RetentionMetricsSource {
  private readonly logger = new Logger('Retention');
  private readonly policy: RetentionPolicy;
  private readonly lease: JobLease;
  /** RETENTION_ENABLED: the background runs */
  private readonly backgroundEnabled: boolean;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: Promise<RetentionRunResult> | undefined;
  private readonly deleted: RetentionTotals = { offers: 0, bookingChanges: 0, webhookDeliveries: 0, batches: 0 };
  private readonly outcomes: Record<RetentionOutcome, number> = { success: 0, skipped: 0, stopped: 0, error: 0 };
  private lastSuccess: Date | null = null;
  private lastDurationMs = 0;
  /** this instance has held the lease: it gives it up on shutdown */
  private heldLease = false;
  /** ends the pause between two batches at once (shutdown) */
  private wake: (() => void) | undefined;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.policy = retentionPolicy(config, tx.engine);
    this.lease = new JobLease(RETENTION_JOB, leaseHolderId(), this.policy.leaseMs);
    this.backgroundEnabled = config.retentionEnabled;
  }

  onApplicationBootstrap(): void {
    if (!this.backgroundEnabled || keepsEverything(this.policy)) return;
    // the first run soon after start (the lease decides which instance), then every interval
    this.schedule(Math.min(this.policy.intervalMs, 60_000));
  }

  /** Stops the background runs; a run in progress ends after its current batch; the lease is given up. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.current?.catch(() => undefined);
    if (this.heldLease) await this.lease.release(this.tx).catch(() => undefined);
  }

  /**
   * One run now: deletes everything due, batch by batch, while this instance holds the lease.
   * A call while a run is in progress gets that run's result.
   */
  runOnce(): Promise<RetentionRunResult> {
    this.current ??= this.run().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  totals(): Readonly<RetentionTotals> {
    return { ...this.deleted };
  }

  runs(): Readonly<Record<RetentionOutcome, number>> {
    return { ...this.outcomes };
  }

  lastSuccessAt(): Date | null {
    return this.lastSuccess;
  }

  lastRunDurationMs(): number {
    return this.lastDurationMs;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedule(this.policy.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<RetentionRunResult> {
    const started = performance.now();
    const done: RetentionTotals = { offers: 0, bookingChanges: 0, webhookDeliveries: 0, batches: 0 };
    const result = (outcome: RetentionOutcome): RetentionRunResult => ({ outcome, ...done, durationMs: Math.round(performance.now() - started) });
    if (keepsEverything(this.policy)) return result('success');
    const cutoffs = retentionCutoffs(this.clock.now(), this.policy);
    let outcome: RetentionOutcome = 'success';
    try {
      const kinds: Array<[keyof Omit<RetentionTotals, 'batches'>, Date | null, (cutoff: Date) => Batch]> = [
        ['offers', cutoffs.offers, (cutoff) => (m) => this.offerBatch(m, cutoff)],
        ['bookingChanges', cutoffs.bookingChanges, (cutoff) => (m) => this.cutoffBatch(m, DELETE_UNAPPLIED_CHANGES, cutoff)],
        ['webhookDeliveries', cutoffs.webhookDeliveries, (cutoff) => (m) => this.cutoffBatch(m, DELETE_FINISHED_DELIVERIES, cutoff)],
      ];
      for (const [kind, cutoff, batch] of kinds) {
        if (cutoff === null) continue;
        for (;;) {
          if (this.stopped) {
            outcome = 'stopped';
            break;
          }
          const n = await this.inLease(batch(cutoff));
          done[kind] += n;
          done.batches += 1;
          this.deleted[kind] += n;
          this.deleted.batches += 1;
          if (n < this.policy.batchSize) break;
          await this.pause();
        }
        if (outcome !== 'success') break;
      }
    } catch (e) {
      if (e instanceof LeaseNotHeld) {
        outcome = 'skipped';
      } else {
        outcome = 'error';
        this.logger.warn(`retention run failed after ${Math.round(performance.now() - started)} ms: ${(e as Error).message}`);
      }
    }
    this.outcomes[outcome] += 1;
    const r = result(outcome);
    if (outcome !== 'skipped') this.lastDurationMs = r.durationMs;
    if (outcome === 'success') this.lastSuccess = this.clock.now();
    if (r.offers + r.bookingChanges + r.webhookDeliveries > 0 || outcome === 'stopped') {
      this.logger.log(
        `retention ${outcome}: deleted ${r.offers} offers never bought, ${r.bookingChanges} unapplied booking changes, ${r.webhookDeliveries} finished webhook deliveries in ${r.batches} batches, ${r.durationMs} ms`,
      );
    }
    return r;
  }

  /** One batch in one transaction, which first renews the lease: nothing is done without it. */
  private inLease(batch: Batch): Promise<number> {
    return this.tx.run(async (m) => {
      if (!(await this.lease.acquire(m, this.clock.now()))) throw new LeaseNotHeld();
      this.heldLease = true;
      return batch(m);
    });
  }

  /**
   * A batch of offers never bought: their conversion rows rolled up, then they and what goes
   * with them deleted. The roll-up counts exactly the offers deleted, or the batch rolls back.
   */
  private async offerBatch(m: EntityManager, cutoff: Date): Promise<number> {
    const engine = engineOf(m);
    const { rows } = await preparedQuery(m, UNBOUGHT_OFFERS[engine], unboughtOffersParams(engine, cutoff, this.policy.batchSize));
    if (rows.length === 0) return 0;
    const ids = rows.map((r) => r.id as string);
    const params = offerIdsParams(engine, ids);
    let deleted = 0;
    for (const statement of PURGE_OFFER_BATCH) {
      const { affected } = await preparedQuery(m, statement[engine], params);
      if (statement === DELETE_OFFERS) deleted = affected;
    }
    if (deleted !== ids.length) throw new Error(`retention: ${ids.length} offers selected, ${deleted} deleted; the batch is rolled back`);
    return deleted;
  }

  private async cutoffBatch(m: EntityManager, statement: EngineSql, cutoff: Date): Promise<number> {
    const engine = engineOf(m);
    const { affected } = await preparedQuery(m, statement[engine], cutoffBatchParams(engine, cutoff, this.policy.batchSize));
    return affected;
  }

  /** between two batches: requests get the database (a turn of the event loop at least); shutdown ends it */
  private pause(): Promise<void> {
    return new Promise((resolve) => {
      if (this.policy.pauseMs === 0) {
        setImmediate(resolve);
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.policy.pauseMs);
      this.wake = done;
    });
  }
}
