import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  url: string;
  /** prepended to every key and channel (REDIS_KEY_PREFIX) */
  keyPrefix?: string;
  /** TCP connect budget (ms) */
  connectTimeoutMs?: number;
  /** budget of one command (ms); past it the command fails and Redis is taken to be down */
  commandTimeoutMs?: number;
  /** how often Redis is pinged to notice it froze, or came back (ms) */
  probeEveryMs?: number;
}

export type RedisResult<T> = { ok: true; value: T } | { ok: false; error?: unknown };

type Health = 'starting' | 'up' | 'down';

const DEFAULTS = { connectTimeoutMs: 500, commandTimeoutMs: 300, probeEveryMs: 1000 };

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** a Redis answer to a bad command (a bug), as opposed to Redis being unreachable */
function isReplyError(e: unknown): boolean {
  return e instanceof Error && e.name === 'ReplyError';
}

/**
 * The one Redis connection of an instance (ioredis 5), built so that Redis being slow, frozen or
 * gone never holds a request: commands are refused at once while it is not connected (no offline
 * queue), each command has a short timeout, a stuck socket is dropped and reconnection backs off
 * up to 2 s. `run` answers `{ ok: false }` instead of throwing, and callers fall back to
 * per-instance memory. Health is tracked here: a command failing for a reason other than a Redis
 * reply error, or the periodic PING failing, marks Redis down (one warning per outage) and
 * further commands are not even tried until a PING answers again (an info on recovery).
 * Pub/sub uses a second connection (a subscribed connection cannot run commands).
 */
export class RedisConnection {
  private readonly logger = new Logger('Redis');
  /** identifies this process on the invalidation channel */
  readonly instanceId = randomUUID();
  readonly keyPrefix: string;
  readonly client: Redis;
  private subscriber: Redis | undefined;
  private health: Health = 'starting';
  private lastProblem: string | undefined;
  private probing = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly stateListeners = new Set<(up: boolean) => void>();
  private readonly replyErrorsLogged = new Set<string>();
  private readonly probeEveryMs: number;

  constructor(options: RedisConnectionOptions) {
    const connectTimeout = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    const commandTimeout = options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs;
    this.probeEveryMs = options.probeEveryMs ?? DEFAULTS.probeEveryMs;
    this.keyPrefix = options.keyPrefix ?? 'offers:';
    this.client = new Redis(options.url, this.clientOptions(connectTimeout, commandTimeout));
    this.client.on('error', (e: unknown) => this.markDown(describe(e)));
    this.client.on('close', () => this.markDown('connection closed'));
    this.client.on('ready', () => void this.probe());
  }

  /** `prefix + name`: every key and channel goes through here */
  key(name: string): string {
    return `${this.keyPrefix}${name}`;
  }

  /** Connected and answering: commands are worth trying. */
  get available(): boolean {
    return this.health === 'up' && this.client.status === 'ready';
  }

  /** Why Redis is taken to be down (for /health/ready), or undefined when it is up. */
  get problem(): string | undefined {
    return this.available ? undefined : (this.lastProblem ?? `connection ${this.client.status}`);
  }

  /** Called with `true` when Redis comes (back) up, `false` when it goes down. */
  onStateChange(listener: (up: boolean) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Starts connecting (in the background: the app serves, degraded, until Redis answers). */
  connect(): void {
    this.client.connect().catch((e: unknown) => this.markDown(describe(e)));
    this.probeTimer = setInterval(() => void this.probe(), this.probeEveryMs);
    this.probeTimer.unref();
  }

  /**
   * Runs `op` when Redis is available; `{ ok: false }` at once when it is not, or when `op`
   * fails. A failure that is not a Redis reply error marks Redis down.
   */
  async run<T>(op: (client: Redis) => Promise<T>): Promise<RedisResult<T>> {
    if (!this.available) return { ok: false };
    try {
      return { ok: true, value: await op(this.client) };
    } catch (e) {
      this.failed(e);
      return { ok: false, error: e };
    }
  }

  /**
   * Judges a command's failure (for the commands of a pipeline, which fail one by one): a Redis
   * reply error (a bug) is logged once per message; anything else marks Redis down.
   */
  failed(e: unknown): void {
    if (isReplyError(e)) {
      const message = describe(e);
      if (!this.replyErrorsLogged.has(message)) {
        this.replyErrorsLogged.add(message);
        this.logger.error({ err: e }, 'Redis refused a command');
      }
    } else {
      this.markDown(describe(e));
    }
  }

  /**
   * Subscribes to `channel` on a connection of its own. `onMessage` gets every message;
   * `onResubscribed` is called each time the subscription is back after a disconnection (messages
   * may have been missed in between).
   */
  subscribe(channel: string, onMessage: (message: string) => void, onResubscribed: () => void): void {
    if (this.subscriber) throw new Error('RedisConnection.subscribe: one channel per connection');
    const sub = this.client.duplicate({ enableOfflineQueue: true, autoResubscribe: false, lazyConnect: true });
    this.subscriber = sub;
    let subscriptions = 0;
    sub.on('error', () => undefined); // reconnects on its own; health is judged on the command connection
    sub.on('message', (ch: string, message: string) => {
      if (ch === channel) onMessage(message);
    });
    sub.on('ready', () => {
      sub.subscribe(channel).then(
        () => {
          subscriptions += 1;
          if (subscriptions > 1) onResubscribed();
        },
        (e: unknown) => {
          // the connection dropped again before SUBSCRIBE was answered: the next 'ready' retries
          this.logger.debug({ err: e }, 'subscribe failed');
        },
      );
    });
    sub.connect().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.stateListeners.clear();
    await Promise.all([quit(this.client), this.subscriber ? quit(this.subscriber) : undefined]);
  }

  private clientOptions(connectTimeout: number, commandTimeout: number): RedisOptions {
    return {
      lazyConnect: true,
      connectTimeout,
      commandTimeout,
      // a socket that sent a command and hears nothing for this long is dropped and reconnected
      // (a frozen server keeps the TCP connection open)
      socketTimeout: Math.max(1000, commandTimeout * 3),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      enableReadyCheck: true,
      retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    };
  }

  private async probe(): Promise<void> {
    if (this.probing || this.closed) return;
    if (this.client.status !== 'ready') {
      this.markDown(`connection ${this.client.status}`);
      return;
    }
    this.probing = true;
    try {
      await this.client.ping();
      this.markUp();
    } catch (e) {
      this.markDown(describe(e));
    } finally {
      this.probing = false;
    }
  }

  private markUp(): void {
    if (this.closed || this.health === 'up') return;
    const was = this.health;
    this.health = 'up';
    this.lastProblem = undefined;
    if (was === 'starting') this.logger.log({ prefix: this.keyPrefix }, 'Redis connected: shared rate limits, config cache and invalidation in use');
    else this.logger.log('Redis reachable again: shared rate limits, config cache and invalidation resumed');
    this.notify(true);
  }

  private markDown(problem: string): void {
    if (this.closed) return;
    this.lastProblem = problem;
    if (this.health === 'down') return;
    this.health = 'down';
    this.logger.warn(
      { problem },
      'Redis unreachable: rate limits and the config cache fall back to per-instance memory, config changes reach other instances only by CONFIG_CACHE_TTL_S, until it is back',
    );
    this.notify(false);
  }

  private notify(up: boolean): void {
    for (const l of this.stateListeners) {
      try {
        l(up);
      } catch (e) {
        this.logger.error({ err: e }, 'Redis state listener failed');
      }
    }
  }
}

async function quit(c: Redis): Promise<void> {
  if (c.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([c.quit().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 500)))]);
    clearTimeout(timer);
  }
  c.disconnect();
}
