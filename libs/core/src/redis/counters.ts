import { Logger } from '@nestjs/common';
import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisConnection } from './redis-connection';

/** One fixed-window throttle decision. Times in milliseconds. */
export interface ThrottleResult {
  /** hits counted in the current window (this one included, unless blocked) */
  hits: number;
  /** until the window resets */
  resetInMs: number;
  blocked: boolean;
  /** until the block ends (0 when not blocked) */
  blockResetInMs: number;
}

/** A counter in a fixed window. */
export interface WindowCount {
  count: number;
  /** until the window resets (0 when there is no window) */
  resetInMs: number;
}

/**
 * Fixed-window counters, O(1) per call. A window starts at a key's first hit and lasts
 * `windowMs`; its count is dropped when it ends.
 */
export interface Counters {
  /**
   * Counts a hit against `limit` per `windowMs`. Past the limit the key is blocked for `blockMs`
   * (≤ 0: until the window ends); hits while blocked are refused and not counted.
   */
  throttle(key: string, windowMs: number, limit: number, blockMs: number): Promise<ThrottleResult>;
  /** +1 in the key's window (started now when there is none) */
  increment(key: string, windowMs: number): Promise<WindowCount>;
  /** the key's current count, without counting */
  peek(key: string): Promise<WindowCount>;
}

interface MemoryWindow {
  hits: number;
  resetAt: number;
  blockedUntil: number;
}

/** Per-process counters: a Map, swept of ended windows every `sweepMs`. */
export class MemoryCounters implements Counters {
  private readonly windows = new Map<string, MemoryWindow>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepMs = 10_000) {
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  get size(): number {
    return this.windows.size;
  }

  async throttle(key: string, windowMs: number, limit: number, blockMs: number): Promise<ThrottleResult> {
    return this.throttleSync(key, windowMs, limit, blockMs);
  }

  throttleSync(key: string, windowMs: number, limit: number, blockMs: number, now = Date.now()): ThrottleResult {
    let w = this.windows.get(key);
    if (w === undefined || (w.resetAt <= now && w.blockedUntil <= now)) {
      w = { hits: 0, resetAt: now + windowMs, blockedUntil: 0 };
      this.windows.set(key, w);
    }
    if (w.blockedUntil > now) return { hits: w.hits, resetInMs: Math.max(0, w.resetAt - now), blocked: true, blockResetInMs: w.blockedUntil - now };
    w.hits += 1;
    if (w.hits > limit) {
      w.blockedUntil = now + (blockMs > 0 ? blockMs : w.resetAt - now);
      return { hits: w.hits, resetInMs: w.resetAt - now, blocked: true, blockResetInMs: w.blockedUntil - now };
    }
    return { hits: w.hits, resetInMs: w.resetAt - now, blocked: false, blockResetInMs: 0 };
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    return this.incrementSync(key, windowMs);
  }

  incrementSync(key: string, windowMs: number, now = Date.now()): WindowCount {
    let w = this.windows.get(key);
    if (w === undefined || w.resetAt <= now) {
      w = { hits: 0, resetAt: now + windowMs, blockedUntil: 0 };
      this.windows.set(key, w);
    }
    w.hits += 1;
    return { count: w.hits, resetInMs: w.resetAt - now };
  }

  async peek(key: string): Promise<WindowCount> {
    return this.peekSync(key);
  }

  peekSync(key: string, now = Date.now()): WindowCount {
    const w = this.windows.get(key);
    if (w === undefined || w.resetAt <= now) return { count: 0, resetInMs: 0 };
    return { count: w.hits, resetInMs: w.resetAt - now };
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(now = Date.now()): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now && w.blockedUntil <= now) this.windows.delete(k);
  }
}

/*
 * The same windows in Redis, each decision one atomic script (one round trip). A window is a key
 * with a PEXPIRE set at its first hit; a block is a second key with its own expiry.
 */
const THROTTLE_LUA = `
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then ttl = 0 end
  return {hits, ttl, 1, blockTtl}
end
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  local block = tonumber(ARGV[3])
  if block <= 0 then block = ttl end
  redis.call('SET', KEYS[2], '1', 'PX', block)
  return {hits, ttl, 1, block}
end
return {hits, ttl, 0, 0}
`;

const INCREMENT_LUA = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`;

const PEEK_LUA = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {n, ttl}
`;

interface CounterCommands {
  offersThrottle(hitsKey: string, blockKey: string, windowMs: number, limit: number, blockMs: number): Promise<number[]>;
  offersIncrement(key: string, windowMs: number): Promise<number[]>;
  offersPeek(key: string): Promise<number[]>;
}

function withCommands(client: Redis): Redis & CounterCommands {
  const c = client as Redis & Partial<CounterCommands>;
  if (typeof c.offersThrottle !== 'function') {
    // EVALSHA, falling back to EVAL when the server does not know the script yet
    client.defineCommand('offersThrottle', { numberOfKeys: 2, lua: THROTTLE_LUA });
    client.defineCommand('offersIncrement', { numberOfKeys: 1, lua: INCREMENT_LUA });
    client.defineCommand('offersPeek', { numberOfKeys: 1, lua: PEEK_LUA });
  }
  return client as Redis & CounterCommands;
}

interface PendingThrottle {
  key: string;
  windowMs: number;
  limit: number;
  blockMs: number;
  resolve: (r: ThrottleResult) => void;
  settled?: boolean;
}

/**
 * Counters shared by every instance through Redis when it is configured and answering, and per
 * instance otherwise (REDIS_URL unset, or Redis down: see RedisConnection). While Redis is down
 * each instance counts on its own, so a limit may be exceeded up to once per instance; counts
 * start again from Redis's when it is back.
 *
 * Throttle decisions (one per partner request) asked during one turn of the event loop go to
 * Redis together, in the check phase of that turn: one pipeline, so one socket write and usually
 * one read for all of them, instead of a system call each way per request. Redis runs them in the
 * order asked, each its own atomic script.
 */
export class SharedCounters implements Counters {
  readonly memory = new MemoryCounters();
  private readonly logger = new Logger(SharedCounters.name);
  private pending: PendingThrottle[] = [];

  constructor(private readonly redis: RedisConnection | null) {}

  /** true when the last decisions are shared (Redis configured and answering) */
  get shared(): boolean {
    return this.redis?.available ?? false;
  }

  throttle(key: string, windowMs: number, limit: number, blockMs: number): Promise<ThrottleResult> {
    if (!this.redis?.available) return Promise.resolve(this.memory.throttleSync(key, windowMs, limit, blockMs));
    return new Promise((resolve) => {
      if (this.pending.push({ key, windowMs, limit, blockMs, resolve }) === 1) setImmediate(this.flushThrottles);
    });
  }

  private readonly flushThrottles = (): void => {
    const batch = this.pending;
    this.pending = [];
    this.sendThrottles(batch).catch((e: unknown) => {
      // a bug, not Redis (its failures are answers of run): no request is left waiting for it
      this.logger.error({ err: e }, 'rate-limit decisions failed; taken in memory');
      for (const t of batch) if (!t.settled) t.resolve(this.memory.throttleSync(t.key, t.windowMs, t.limit, t.blockMs));
    });
  };

  private async sendThrottles(batch: PendingThrottle[]): Promise<void> {
    const redis = this.redis as RedisConnection;
    const args = (t: PendingThrottle): Parameters<CounterCommands['offersThrottle']> => {
      // a hash tag keeps both keys of a decision in one cluster slot
      const base = redis.key(`rl:{${t.key}}`);
      return [base, `${base}:blocked`, Math.max(1, Math.round(t.windowMs)), t.limit, Math.round(t.blockMs)];
    };
    let replies: [error: Error | null, reply: unknown][] | null = null;
    if (batch.length === 1) {
      // alone in its turn (a light load): a pipeline would only cost more
      const r = await redis.run((c) => withCommands(c).offersThrottle(...args(batch[0])));
      if (r.ok) replies = [[null, r.value]];
    } else {
      const r = await redis.run((c) => {
        const pipeline = withCommands(c).pipeline() as ChainableCommander & CounterCommands;
        for (const t of batch) void pipeline.offersThrottle(...args(t));
        return pipeline.exec();
      });
      if (r.ok) replies = r.value;
    }
    for (let i = 0; i < batch.length; i++) {
      const t = batch[i];
      // a decision that Redis did not take (the batch failed, or this script did) is taken in memory
      const [error, reply] = replies?.[i] ?? [null, undefined];
      if (error) redis.failed(error);
      let decision: ThrottleResult;
      if (!error && Array.isArray(reply)) {
        const [hits, ttl, blocked, blockTtl] = reply as number[];
        decision = { hits, resetInMs: ttl, blocked: blocked === 1, blockResetInMs: blockTtl };
      } else {
        decision = this.memory.throttleSync(t.key, t.windowMs, t.limit, t.blockMs);
      }
      t.settled = true;
      t.resolve(decision);
    }
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    const redis = this.redis;
    if (redis?.available) {
      const r = await redis.run((c) => withCommands(c).offersIncrement(redis.key(`cnt:${key}`), Math.max(1, Math.round(windowMs))));
      if (r.ok) return { count: r.value[0], resetInMs: r.value[1] };
    }
    return this.memory.incrementSync(key, windowMs);
  }

  async peek(key: string): Promise<WindowCount> {
    const redis = this.redis;
    if (redis?.available) {
      const r = await redis.run((c) => withCommands(c).offersPeek(redis.key(`cnt:${key}`)));
      if (r.ok) return { count: r.value[0], resetInMs: r.value[1] };
    }
    return this.memory.peekSync(key);
  }

  onModuleDestroy(): void {
    this.memory.close();
  }
}
