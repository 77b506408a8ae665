import { Counter, Gauge, type Registry } from 'prom-client';

/** What an attempt came to: delivered, to be retried, or failed for good (410, too old, not sendable). */
export type DeliveryOutcome = 'delivered' | 'retried' | 'failed';

/** What the metrics read of the dispatcher. */
export interface WebhookMetricsSource {
  /** attempts by outcome since this instance started */
  outcomes(): Readonly<Record<DeliveryOutcome, number>>;
  /** deliveries still pending (every instance's), and how old the oldest is */
  backlog(): Promise<{ pending: number; oldestPendingSeconds: number }>;
}

/**
 * Adds the webhook metrics to `registry`, read at each scrape: `webhook_delivery_attempts_total`
 * by outcome (this instance's attempts), `webhook_deliveries_pending` and
 * `webhook_oldest_pending_delivery_seconds` (from the database: the whole backlog).
 */
export function registerWebhookMetrics(registry: Registry, source: WebhookMetricsSource): void {
  const reported: Record<DeliveryOutcome, number> = { delivered: 0, retried: 0, failed: 0 };
  new Counter({
    name: 'webhook_delivery_attempts_total',
    help: 'webhook delivery attempts made by this instance, by outcome (delivered, retried, failed)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const now = source.outcomes();
      for (const outcome of Object.keys(reported) as DeliveryOutcome[]) {
        this.inc({ outcome }, now[outcome] - reported[outcome]);
        reported[outcome] = now[outcome];
      }
    },
  });
  let backlog: Promise<{ pending: number; oldestPendingSeconds: number }> | undefined;
  // one read of the backlog per scrape for both gauges
  const read = () => (backlog ??= source.backlog().finally(() => setImmediate(() => (backlog = undefined))));
  new Gauge({
    name: 'webhook_deliveries_pending',
    help: 'webhook deliveries not yet delivered or failed',
    registers: [registry],
    async collect() {
      this.set((await read()).pending);
    },
  });
  new Gauge({
    name: 'webhook_oldest_pending_delivery_seconds',
    help: 'age of the oldest pending webhook delivery (0 when none)',
    registers: [registry],
    async collect() {
      this.set((await read()).oldestPendingSeconds);
    },
  });
}
