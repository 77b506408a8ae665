import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isRehearsal } from '../common/rehearsal';

type Label = 'method' | 'route' | 'status';

/** The request counter and latency histogram, in one registry. */
class RequestCounters {
  readonly requests: Counter<Label>;
  readonly latency: Histogram<Label>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  }
}

/** One registry per app instance so tests that start several apps do not collide. */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly counted: RequestCounters;
  /** where a warm-up's rehearsals are counted: the same code, in a registry /metrics never shows (see common/rehearsal.ts) */
  private readonly rehearsals = new RequestCounters(new Registry());

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.counted = new RequestCounters(this.registry);
  }

  /** Labels use the route template (never the raw URL) so cardinality stays bounded. */
  middleware = (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    const counters = isRehearsal(req) ? this.rehearsals : this.counted;
    res.once('finish', () => {
      const path = (req.route as { path?: string } | undefined)?.path;
      const template = path !== undefined ? `${req.baseUrl}${path}` : undefined;
      const route = template === undefined || template === '/{*path}' ? 'unmatched' : template;
      const labels = { method: req.method, route, status: String(res.statusCode) };
      counters.requests.inc(labels);
      counters.latency.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}
