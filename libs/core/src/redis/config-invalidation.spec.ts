import { ConfigEvents, type ConfigChangeOrigin } from '../events/config-events';
import { ConfigInvalidationBus } from './config-invalidation';
import type { RedisConnection, RedisResult } from './redis-connection';

/** A RedisConnection stand-in: records PUBLISHes, lets the test deliver messages and flip health. */
class FakeRedis {
  instanceId = 'me';
  up = true;
  published: Array<{ channel: string; message: string }> = [];
  onMessage: (m: string) => void = () => undefined;
  onResubscribed: () => void = () => undefined;
  private stateListeners = new Set<(up: boolean) => void>();

  key(name: string) {
    return `p:${name}`;
  }
  subscribe(_channel: string, onMessage: (m: string) => void, onResubscribed: () => void) {
    this.onMessage = onMessage;
    this.onResubscribed = onResubscribed;
  }
  onStateChange(l: (up: boolean) => void) {
    this.stateListeners.add(l);
    return () => this.stateListeners.delete(l);
  }
  setUp(up: boolean) {
    this.up = up;
    for (const l of this.stateListeners) l(up);
  }
  async run<T>(op: (c: { publish(ch: string, m: string): Promise<number> }) => Promise<T>): Promise<RedisResult<T>> {
    if (!this.up) return { ok: false };
    return { ok: true, value: await op({ publish: async (channel, message) => (this.published.push({ channel, message }), 1) }) };
  }
}

const flush = () => new Promise((r) => setImmediate(r));

describe('ConfigInvalidationBus', () => {
  let redis: FakeRedis;
  let events: ConfigEvents;
  let bus: ConfigInvalidationBus;
  let seen: Array<[string, ConfigChangeOrigin]>;
  let resyncs: number;

  beforeEach(() => {
    redis = new FakeRedis();
    events = new ConfigEvents();
    bus = new ConfigInvalidationBus(redis as unknown as RedisConnection, events);
    bus.onModuleInit();
    seen = [];
    resyncs = 0;
    events.onChange((p, origin) => seen.push([p, origin]));
    events.onResync(() => resyncs++);
  });
  afterEach(() => bus.onModuleDestroy());

  it('publishes a local change with this instance id on <prefix>config-changes', async () => {
    events.emitChange('partner-1');
    await flush();
    expect(redis.published).toEqual([{ channel: 'p:config-changes', message: JSON.stringify({ i: 'me', p: 'partner-1' }) }]);
  });

  it("replays another instance's message as a remote change, and does not publish it again", async () => {
    redis.onMessage(JSON.stringify({ i: 'other', p: 'partner-2' }));
    await flush();
    expect(seen).toEqual([['partner-2', 'remote']]);
    expect(redis.published).toEqual([]);
  });

  it('ignores its own messages and garbage', async () => {
    redis.onMessage(JSON.stringify({ i: 'me', p: 'partner-1' }));
    redis.onMessage('not json');
    redis.onMessage(JSON.stringify({ p: 'no-instance' }));
    await flush();
    expect(seen).toEqual([]);
  });

  it('keeps a change made while Redis is down and replays it (refresh here, publish) when it is back, with a resync', async () => {
    redis.setUp(false);
    events.emitChange('partner-3');
    await flush();
    expect(redis.published).toEqual([]);
    expect(bus.pendingCount).toBe(1);
    seen = [];
    redis.setUp(true);
    await flush();
    expect(resyncs).toBe(1);
    expect(seen).toEqual([['partner-3', 'local']]);
    expect(redis.published.map((m) => JSON.parse(m.message))).toEqual([{ i: 'me', p: 'partner-3' }]);
    expect(bus.pendingCount).toBe(0);
  });

  it('asks caches to resync when the subscription comes back after a disconnection', () => {
    redis.onResubscribed();
    expect(resyncs).toBe(1);
  });

  it('does nothing without Redis', () => {
    const alone = new ConfigInvalidationBus(null, events);
    alone.onModuleInit();
    events.emitChange('x');
    expect(alone.channel).toBeUndefined();
  });
});
