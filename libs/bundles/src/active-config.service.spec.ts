import { createCache } from 'cache-manager';
import { ConfigEvents, type AppConfig, type SharedJsonCache } from '@app/core';
import type { PartnersService, PartnerView } from '@app/partners';
import { ActiveConfigService } from './active-config.service';
import type { BundlesRepository } from './bundles.repository';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('ActiveConfigService', () => {
  let version: number;
  let events: ConfigEvents;
  let service: ActiveConfigService;
  /** when set, the next getById waits for it (to hold a load in flight) */
  let gate: Promise<void> | undefined;
  let failNext = false;
  /** the partners' reads (the PartnersService the service was given) */
  let getById: jest.Mock;

  const partner = (v: number): PartnerView => ({
    id: 'p1',
    code: 'P1',
    name: 'P1',
    status: 'active',
    defaultSchema: null,
    rateLimits: null,
    currentVersion: v,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  });

  beforeEach(() => {
    version = 1;
    gate = undefined;
    failNext = false;
    events = new ConfigEvents();
    getById = jest.fn(async () => {
      const seen = version; // what the database held when the read ran
      const wait = gate;
      gate = undefined;
      if (failNext) {
        failNext = false;
        throw new Error('database is down');
      }
      if (wait) await wait;
      return partner(seen);
    });
    const partners = { getById } as unknown as PartnersService;
    const repo = {
      listSchemas: jest.fn(async () => []),
      listConfigs: jest.fn(async (_p: string, v: number) => [{ id: `config-v${v}` }]),
    } as unknown as BundlesRepository;
    service = new ActiveConfigService(createCache(), { configCacheTtlS: 300 } as AppConfig, repo, partners, events);
  });
  afterEach(() => service.onModuleDestroy());

  it('caches what it loaded and reloads on a change event', async () => {
    expect((await service.get('p1')).version).toBe(1);
    version = 2;
    expect((await service.get('p1')).version).toBe(1); // cached
    events.emitChange('p1');
    await flush();
    expect((await service.get('p1')).version).toBe(2);
  });

  it('a load that read the old version before a change does not overwrite the reloaded entry', async () => {
    const hold = deferred<void>();
    gate = hold.promise;
    const slow = service.get('p1'); // reads version 1, then waits
    await flush();
    version = 2; // the admin API commits version 2 ...
    events.emitChange('p1'); // ... and says so
    await flush();
    hold.resolve();
    expect((await slow).version).toBe(1); // its own request was already under way
    await flush();
    expect((await service.get('p1')).version).toBe(2); // but version 1 was not cached over version 2
  });

  it('requests that miss the cache together share one load (one read, one compile)', async () => {
    const compiled = jest.fn();
    service.onLoad(compiled);
    const hold = deferred<void>();
    gate = hold.promise;
    const waiting = Array.from({ length: 50 }, () => service.get('p1'));
    await flush();
    hold.resolve();
    const loaded = await Promise.all(waiting);
    expect(new Set(loaded.map((c) => c.version))).toEqual(new Set([1]));
    expect(compiled).toHaveBeenCalledTimes(1);
    expect(getById).toHaveBeenCalledTimes(1);
  });

  it('a request after a change does not wait for a load that started before it', async () => {
    const hold = deferred<void>();
    gate = hold.promise;
    const before = service.get('p1'); // reads version 1, then waits
    await flush();
    version = 2;
    events.emitChange('p1');
    const after = service.get('p1');
    hold.resolve();
    expect((await before).version).toBe(1);
    expect((await after).version).toBe(2);
  });

  it('a shared load that fails fails its waiters, and the next request loads again', async () => {
    failNext = true;
    const both = await Promise.allSettled([service.get('p1'), service.get('p1')]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await service.get('p1')).version).toBe(1);
  });

  it('a reload that fails is logged, not an unhandled rejection, and the next request loads again', async () => {
    expect((await service.get('p1')).version).toBe(1);
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      version = 2;
      failNext = true;
      events.emitChange('p1');
      await flush();
      await flush();
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
    expect((await service.get('p1')).version).toBe(2);
  });
});

describe('ActiveConfigService with a shared tier (REDIS_URL)', () => {
  /** SharedJsonCache stand-in: a Map with expiries */
  class FakeShared {
    readonly enabled = true;
    readonly store = new Map<string, { value: unknown; expiresAt: number }>();
    async get<T>(key: string) {
      const hit = this.store.get(key);
      return hit && hit.expiresAt > Date.now() ? { value: hit.value as T, ttlMs: hit.expiresAt - Date.now() } : undefined;
    }
    async set(key: string, value: unknown, ttlMs: number) {
      this.store.set(key, { value: JSON.parse(JSON.stringify(value)), expiresAt: Date.now() + ttlMs });
      return true;
    }
    async del(key: string) {
      this.store.delete(key);
      return true;
    }
  }

  let version: number;
  let shared: FakeShared;
  let events: ConfigEvents;
  let getById: jest.Mock;
  const services: ActiveConfigService[] = [];

  const instance = (ev = new ConfigEvents()) => {
    const partners = { getById } as unknown as PartnersService;
    const repo = {
      listSchemas: jest.fn(async () => []),
      listConfigs: jest.fn(async (_p: string, v: number) => [{ id: `config-v${v}` }]),
    } as unknown as BundlesRepository;
    const s = new ActiveConfigService(createCache(), { configCacheTtlS: 300 } as AppConfig, repo, partners, ev, shared as unknown as SharedJsonCache);
    services.push(s);
    return s;
  };

  beforeEach(() => {
    version = 1;
    shared = new FakeShared();
    events = new ConfigEvents();
    getById = jest.fn(async () => ({
      id: 'p1',
      code: 'P1',
      name: 'P1',
      status: 'active',
      defaultSchema: null,
      rateLimits: null,
      currentVersion: version,
      createdAt: new Date(0),
      updatedAt: new Date(0),
    }));
  });
  afterEach(() => {
    for (const s of services.splice(0)) s.onModuleDestroy();
  });

  it('an instance that lacks the configuration reads it from the shared tier, not the database', async () => {
    const a = instance();
    expect((await a.get('p1')).version).toBe(1);
    expect(getById).toHaveBeenCalledTimes(1);
    expect(shared.store.has('partner-config:p1')).toBe(true);

    const b = instance();
    const warmed = jest.fn();
    b.onLoad(warmed);
    expect((await b.get('p1')).configs).toEqual([{ id: 'config-v1' }]);
    expect(getById).toHaveBeenCalledTimes(1);
    expect(warmed).toHaveBeenCalledTimes(1); // compiled artefacts are still built per instance
    await b.get('p1'); // then from its own tier
    expect(getById).toHaveBeenCalledTimes(1);
  });

  it('a change (local or remote) reloads from the database and replaces the shared entry', async () => {
    const a = instance(events);
    await a.get('p1');
    version = 2;
    events.emitChange('p1', 'remote');
    await a.settled('p1');
    expect((await a.get('p1')).version).toBe(2);
    expect((await shared.get<{ version: number }>('partner-config:p1'))?.value.version).toBe(2);
  });

  it('a resync drops the in-process tier (changes may have been missed)', async () => {
    const a = instance(events);
    await a.get('p1');
    version = 2;
    await shared.set('partner-config:p1', { ...(await a.get('p1')), version: 2 }, 300_000);
    expect((await a.get('p1')).version).toBe(1); // its own tier
    events.emitResync();
    await flush();
    expect((await a.get('p1')).version).toBe(2); // read again (here: from the shared tier)
  });
});
