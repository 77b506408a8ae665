import { createCache } from 'cache-manager';
import { ConfigEvents, type AppConfig } from '@app/core';
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
    const partners = {
      getById: jest.fn(async () => {
        const seen = version; // what the database held when the read ran
        const wait = gate;
        gate = undefined;
        if (failNext) {
          failNext = false;
          throw new Error('database is down');
        }
        if (wait) await wait;
        return partner(seen);
      }),
    } as unknown as PartnersService;
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
