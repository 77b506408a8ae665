import type { RedisConnection } from './redis-connection';

/** A value read from the shared cache, with the time it has left. */
export interface SharedCacheHit<T> {
  value: T;
  ttlMs: number;
}

/**
 * JSON values shared by every instance through Redis (`SET … PX`). Every call degrades to a miss
 * or a no-op when Redis is not configured or not answering: the caller's own tier and the
 * database stay the source. The expiry is stored with the value, so a copy taken into an
 * in-process tier expires when the shared one does.
 */
export class SharedJsonCache {
  constructor(private readonly redis: RedisConnection | null) {}

  get enabled(): boolean {
    return this.redis !== null;
  }

  async get<T>(key: string, now = Date.now()): Promise<SharedCacheHit<T> | undefined> {
    const redis = this.redis;
    if (!redis) return undefined;
    const r = await redis.run((c) => c.get(redis.key(`cache:${key}`)));
    if (!r.ok || r.value === null) return undefined;
    try {
      const stored = JSON.parse(r.value) as { e: number; v: T };
      const ttlMs = stored.e - now;
      return ttlMs > 0 ? { value: stored.v, ttlMs } : undefined;
    } catch {
      return undefined;
    }
  }

  /** true when stored */
  async set(key: string, value: unknown, ttlMs: number, now = Date.now()): Promise<boolean> {
    const redis = this.redis;
    if (!redis) return false;
    const ms = Math.max(1, Math.round(ttlMs));
    const r = await redis.run((c) => c.set(redis.key(`cache:${key}`), JSON.stringify({ e: now + ms, v: value }), 'PX', ms));
    return r.ok;
  }

  /** true when deleted (or absent) */
  async del(key: string): Promise<boolean> {
    const redis = this.redis;
    if (!redis) return false;
    const r = await redis.run((c) => c.del(redis.key(`cache:${key}`)));
    return r.ok;
  }
}
