import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { MemoryCounters, type Counters } from '@app/core';

/**
 * Throttler storage with O(1) cost per request: a fixed-window counter per key (the stock
 * storage keeps and filters one timestamp per hit). The counters are SharedCounters in the app —
 * one Lua round trip to Redis when REDIS_URL is set and Redis answers, per-instance memory
 * otherwise — or plain MemoryCounters. Times are in milliseconds in, seconds out, as
 * @nestjs/throttler expects.
 */
export class FixedWindowThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly counters: Pick<Counters, 'throttle'> = new MemoryCounters()) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const r = await this.counters.throttle(`${throttlerName}:${key}`, ttl, limit, blockDuration);
    return {
      totalHits: r.hits,
      timeToExpire: secs(r.resetInMs),
      isBlocked: r.blocked,
      timeToBlockExpire: r.blocked ? secs(r.blockResetInMs) : 0,
    };
  }
}

function secs(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
