import { Logger } from '@nestjs/common';
import type { ConfigEvents } from '../events/config-events';
import type { RedisConnection } from './redis-connection';

interface InvalidationMessage {
  /** the publishing instance */
  i: string;
  /** the partner whose configuration changed */
  p: string;
}

function parseMessage(raw: string): InvalidationMessage | undefined {
  try {
    const m = JSON.parse(raw) as Partial<InvalidationMessage>;
    return typeof m.i === 'string' && typeof m.p === 'string' ? { i: m.i, p: m.p } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Invalidation messages: every configuration change committed on this instance
 * (ConfigEvents, origin `local`) is published on `<prefix>config-changes` with this instance's id;
 * a message from another instance is replayed here as a `remote` change (its listeners refresh
 * their caches; remote changes are not published again). Pub/sub delivers at most once, so:
 * - a change whose publication failed (Redis down) is kept and replayed — locally, which also
 *   publishes it — as soon as Redis answers again;
 * - after the subscription was lost, or Redis was down, `ConfigEvents.emitResync()` tells caches
 *   to drop what they hold, since messages may have been missed.
 * CONFIG_CACHE_TTL_S stays the bound when all else fails.
 */
export class ConfigInvalidationBus {
  private readonly logger = new Logger('ConfigInvalidation');
  private readonly pending = new Set<string>();
  private readonly unsubscribe: Array<() => void> = [];
  private wasDown = false;

  constructor(
    private readonly redis: RedisConnection | null,
    private readonly events: ConfigEvents,
  ) {}

  get channel(): string | undefined {
    return this.redis?.key('config-changes');
  }

  /** changes not yet published (Redis was down when they were made) */
  get pendingCount(): number {
    return this.pending.size;
  }

  onModuleInit(): void {
    const redis = this.redis;
    if (!redis) return;
    const channel = redis.key('config-changes');
    redis.subscribe(
      channel,
      (raw) => this.receive(raw),
      () => this.resync('the invalidation channel was disconnected'),
    );
    this.unsubscribe.push(
      this.events.onChange((partnerId, origin) => {
        if (origin === 'local') void this.publish(partnerId);
      }),
      redis.onStateChange((up) => {
        if (!up) {
          this.wasDown = true;
          return;
        }
        if (this.wasDown) {
          this.wasDown = false;
          this.resync('Redis was unreachable');
        }
        this.flushPending();
      }),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private async publish(partnerId: string): Promise<void> {
    const redis = this.redis;
    if (!redis) return;
    const message: InvalidationMessage = { i: redis.instanceId, p: partnerId };
    const r = await redis.run((c) => c.publish(redis.key('config-changes'), JSON.stringify(message)));
    if (!r.ok) this.pending.add(partnerId);
  }

  private flushPending(): void {
    if (this.pending.size === 0) return;
    const partners = [...this.pending];
    this.pending.clear();
    this.logger.log({ partners: partners.length }, 'publishing configuration changes made while Redis was unreachable');
    // replayed as local changes: this instance refreshes (the shared cache included) and publishes
    for (const partnerId of partners) this.events.emitChange(partnerId, 'local');
  }

  private receive(raw: string): void {
    const m = parseMessage(raw);
    if (!m || m.i === this.redis?.instanceId) return;
    this.events.emitChange(m.p, 'remote');
  }

  private resync(why: string): void {
    this.logger.log({ why }, 'dropping cached partner configuration: changes may have been missed');
    this.events.emitResync();
  }
}
