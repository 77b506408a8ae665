import type { AppConfig } from '@app/core';
import type { Engine } from '@app/database';

const DAY_MS = 86_400_000;
/** a batch never holds more than this many rows (RETENTION_BATCH_SIZE is bounded by it too) */
export const MAX_RETENTION_BATCH = 1000;
/** the lease outlives a holder's silence by at least this long */
const MIN_LEASE_MS = 60_000;
/**
 * Batch and pause when not configured. PostgreSQL: a batch locks only the rows it deletes (long
 * expired, which no request touches); 1000 offers take ~30 ms. SQLite has one writer, which a
 * batch holds from its first statement to its commit (~20 ms for 200 offers, ~50 ms for 1000,
 * measured on the e2e setup): smaller batches, further apart, so that a Create Offer or a confirm
 * waits behind one rarely (about 2 % of the time while a purge runs, which deletes 200 offers/s).
 */
const DEFAULTS: Record<Engine, { batchSize: number; pauseMs: number }> = {
  postgres: { batchSize: 1000, pauseMs: 100 },
  sqlite: { batchSize: 200, pauseMs: 1000 },
};

/** What the purge keeps and how it works, from the configuration. A retention of 0 keeps forever. */
export interface RetentionPolicy {
  /** how long after its expiry an offer never bought is kept (and an unapplied booking change after its window); 0: forever */
  offerRetentionMs: number;
  /** how long after it finished a webhook delivery is kept; 0: forever */
  deliveryRetentionMs: number;
  batchSize: number;
  pauseMs: number;
  intervalMs: number;
  /** the lease's time to live: two intervals (at least a minute), renewed with every batch */
  leaseMs: number;
}

export function retentionPolicy(
  config: Pick<
    AppConfig,
    'offerRetentionDays' | 'offerRetentionSeconds' | 'webhookDeliveryRetentionDays' | 'retentionBatchSize' | 'retentionPauseMs' | 'retentionIntervalS'
  >,
  engine: Engine,
): RetentionPolicy {
  const intervalMs = config.retentionIntervalS * 1000;
  const defaults = DEFAULTS[engine];
  return {
    offerRetentionMs: config.offerRetentionSeconds !== undefined ? config.offerRetentionSeconds * 1000 : config.offerRetentionDays * DAY_MS,
    deliveryRetentionMs: config.webhookDeliveryRetentionDays * DAY_MS,
    batchSize: Math.max(1, Math.min(MAX_RETENTION_BATCH, config.retentionBatchSize ?? defaults.batchSize)),
    pauseMs: config.retentionPauseMs ?? defaults.pauseMs,
    intervalMs,
    leaseMs: Math.max(MIN_LEASE_MS, 2 * intervalMs),
  };
}

/** true when the policy deletes nothing at all */
export function keepsEverything(p: RetentionPolicy): boolean {
  return p.offerRetentionMs === 0 && p.deliveryRetentionMs === 0;
}

/**
 * What a run deletes, as of `now`: offers never bought whose `expires_at` is before `offers`,
 * unapplied booking changes whose `confirm_before` is before `bookingChanges`, webhook deliveries
 * finished before `webhookDeliveries`; null: that kind is kept.
 */
export function retentionCutoffs(now: Date, p: RetentionPolicy): { offers: Date | null; bookingChanges: Date | null; webhookDeliveries: Date | null } {
  const before = (ms: number): Date | null => (ms === 0 ? null : new Date(now.getTime() - ms));
  return { offers: before(p.offerRetentionMs), bookingChanges: before(p.offerRetentionMs), webhookDeliveries: before(p.deliveryRetentionMs) };
}
