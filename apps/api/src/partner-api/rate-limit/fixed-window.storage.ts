import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

interface Window {
  hits: number;
  resetAt: number;
  blockedUntil: number;
}

/**
 * In-process throttler storage with O(1) cost per request: a fixed-window counter per key
 * (the stock storage keeps and filters one timestamp per hit). Times are in milliseconds in,
 * seconds out, as @nestjs/throttler expects.
 */
export class FixedWindowThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepMs = 10_000) {
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    return this.incrementSync(`${throttlerName}:${key}`, ttl, limit, blockDuration);
  }

  incrementSync(key: string, ttl: number, limit: number, blockDuration: number): ThrottlerStorageRecord {
    const now = Date.now();
    let w = this.windows.get(key);
    if (w === undefined || (w.resetAt <= now && w.blockedUntil <= now)) {
      w = { hits: 0, resetAt: now + ttl, blockedUntil: 0 };
      this.windows.set(key, w);
    }
    if (w.blockedUntil > now) {
      return { totalHits: w.hits, timeToExpire: secs(w.resetAt - now), isBlocked: true, timeToBlockExpire: secs(w.blockedUntil - now) };
    }
    w.hits += 1;
    if (w.hits > limit) {
      w.blockedUntil = now + (blockDuration > 0 ? blockDuration : w.resetAt - now);
      return { totalHits: w.hits, timeToExpire: secs(w.resetAt - now), isBlocked: true, timeToBlockExpire: secs(w.blockedUntil - now) };
    }
    return { totalHits: w.hits, timeToExpire: secs(w.resetAt - now), isBlocked: false, timeToBlockExpire: 0 };
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, w] of this.windows) if (w.resetAt <= now && w.blockedUntil <= now) this.windows.delete(k);
  }
}

function secs(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
