import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, AppConfig, DomainError, SharedCounters } from '@app/core';

const WINDOW_MS = 60_000;

interface Window {
  startedAt: number;
  failures: number;
}

/** 429 for a client IP that failed authentication too often (docs/api.md, "Rate limits"). */
export class AuthRateLimitedError extends DomainError {
  constructor(readonly retryAfterS: number) {
    super('rate_limited', 'rate_limited', 'Too many failed authentication attempts; retry later', undefined, undefined, 'rate_limit_error');
  }
}

/**
 * Failed authentications per client IP, in fixed one-minute windows that start at an IP's first
 * failure. Past the limit, every request from that IP to a guarded route is refused before its
 * key is looked up, until the window ends. O(1) per request; expired windows are swept at most
 * once a minute. Per instance (a shared store can replace the Map when Redis is configured).
 */
export class FailedAuthCounter {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    private readonly windowMs = WINDOW_MS,
  ) {}

  /** seconds until the IP may try again, or 0 when it may proceed */
  retryAfter(ip: string, now = Date.now()): number {
    const w = this.windows.get(ip);
    if (!w) return 0;
    const endsAt = w.startedAt + this.windowMs;
    if (endsAt <= now) {
      this.windows.delete(ip);
      return 0;
    }
    return w.failures >= this.limit ? Math.max(1, Math.ceil((endsAt - now) / 1000)) : 0;
  }

  recordFailure(ip: string, now = Date.now()): void {
    this.sweep(now);
    const w = this.windows.get(ip);
    if (!w || w.startedAt + this.windowMs <= now) this.windows.set(ip, { startedAt: now, failures: 1 });
    else w.failures++;
  }

  get trackedClients(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [ip, w] of this.windows) if (w.startedAt + this.windowMs <= now) this.windows.delete(ip);
  }
}

/**
 * The one counter shared by the partner and admin guards. With REDIS_URL, failures are also
 * counted in Redis across instances: when the shared count for an IP passes the limit, this
 * instance blocks the IP for the rest of the window. So a key-guesser spread over N instances gets
 * at most limit + N − 1 tries a window, and a request that authenticates costs no round trip.
 */
@Injectable()
export class AuthFailThrottle extends FailedAuthCounter {
  private readonly logger = new Logger('AuthFailThrottle');
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() private readonly shared?: SharedCounters,
  ) {
    super(config.authFailLimitPerMin);
  }

  /** Throws 429 (with Retry-After) when the request's IP is over its failure budget. */
  assertAllowed(req: Request, res: Response): void {
    // no IP failed lately (the usual case): nothing to look up, not even the client address
    if (this.trackedClients === 0 && this.blockedUntil.size === 0) return;
    const ip = clientIp(req);
    let wait = this.retryAfter(ip);
    const until = this.blockedUntil.get(ip);
    if (until !== undefined) {
      const now = Date.now();
      if (until <= now) this.blockedUntil.delete(ip);
      else wait = Math.max(wait, Math.ceil((until - now) / 1000));
    }
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      throw new AuthRateLimitedError(wait);
    }
  }

  fail(req: Request): void {
    const ip = clientIp(req);
    this.recordFailure(ip);
    if (!this.shared?.shared) return;
    this.shared
      .increment(`authfail:${ip}`, WINDOW_MS)
      .then(({ count, resetInMs }) => {
        if (count >= this.limit) {
          if (this.blockedUntil.size > 100_000) this.blockedUntil.clear();
          this.blockedUntil.set(ip, Date.now() + resetInMs);
        }
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'could not count a failed authentication in Redis'));
  }
}

/** req.ip honours `trust proxy` (TRUST_PROXY), so X-Forwarded-For counts only from named proxies. */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}
