import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * How a run of the purge ended: `success` (everything due deleted), `skipped` (another instance
 * holds the lease), `stopped` (the instance shut down mid-run), `error`.
 */
export type RetentionOutcome = 'success' | 'skipped' | 'stopped' | 'error';
export const RETENTION_OUTCOMES: readonly RetentionOutcome[] = ['success', 'skipped', 'stopped', 'error'];

/** Rows deleted by this instance's runs, per kind, and the batches they took. */
export interface RetentionTotals {
  offers: number;
  bookingChanges: number;
  webhookDeliveries: number;
  batches: number;
}

/** What the metrics read of the purge (RetentionService). */
export interface RetentionMetricsSource {
  totals(): Readonly<RetentionTotals>;
  runs(): Readonly<Record<RetentionOutcome, number>>;
  /** the end of the last successful run, or null */
  lastSuccessAt(): Date | null;
  /** the duration of the last run that did anything (not skipped), in ms */
  lastRunDurationMs(): number;
}

/**
 * Adds the retention metrics to `registry`, read at each scrape (this instance's runs; the
 * counters advance batch by batch during a run): `retention_offers_purged_total`,
 * `retention_booking_changes_purged_total`, `retention_webhook_deliveries_purged_total`,
 * `retention_batches_total`, `retention_runs_total{outcome}`,
 * `retention_last_success_timestamp_seconds` (0 before the first) and
 * `retention_last_run_duration_seconds`.
 */
export function registerRetentionMetrics(registry: Registry, source: RetentionMetricsSource): void {
  const counter = (name: string, help: string, read: (t: Readonly<RetentionTotals>) => number): void => {
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = read(source.totals());
        this.inc(now - reported);
        reported = now;
      },
    });
  };
  counter(
    'retention_offers_purged_total',
    'offers never bought deleted by retention on this instance (with their quotes, variants, opt-outs and idempotency records)',
    (t) => t.offers,
  );
  counter('retention_booking_changes_purged_total', 'priced booking changes never applied deleted by retention on this instance', (t) => t.bookingChanges);
  counter('retention_webhook_deliveries_purged_total', 'finished webhook deliveries deleted by retention on this instance', (t) => t.webhookDeliveries);
  counter('retention_batches_total', 'transactions (batches) of the retention purge on this instance', (t) => t.batches);

  const reportedRuns: Record<RetentionOutcome, number> = { success: 0, skipped: 0, stopped: 0, error: 0 };
  new Counter({
    name: 'retention_runs_total',
    help: 'runs of the retention purge on this instance, by outcome (success, skipped: another instance holds the lease, stopped, error)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const now = source.runs();
      for (const outcome of RETENTION_OUTCOMES) {
        this.inc({ outcome }, now[outcome] - reportedRuns[outcome]);
        reportedRuns[outcome] = now[outcome];
      }
    },
  });
  new Gauge({
    name: 'retention_last_success_timestamp_seconds',
    help: 'when the last successful retention run on this instance ended (Unix time; 0: none yet)',
    registers: [registry],
    collect() {
      const at = source.lastSuccessAt();
      this.set(at === null ? 0 : at.getTime() / 1000);
    },
  });
  new Gauge({
    name: 'retention_last_run_duration_seconds',
    help: 'duration of the last retention run on this instance that held the lease',
    registers: [registry],
    collect() {
      this.set(source.lastRunDurationMs() / 1000);
    },
  });
}
