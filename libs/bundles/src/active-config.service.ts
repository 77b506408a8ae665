import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { APP_CONFIG, AppConfig, type BundleSchema, type OfferConfig } from '@app/core';
import { PartnersService } from '@app/partners';
import { BundlesRepository } from './bundles.repository';
import { ConfigEvents, SharedJsonCache } from '@app/core';

export interface RateLimits {
  create: number;
  confirm: number;
  other: number;
  test: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { create: 50, confirm: 50, other: 20, test: 2 };

/** What the request path needs of a partner's configuration: plain, serialisable data. */
export interface ActiveConfig {
  partnerId: string;
  partnerCode: string;
  version: number;
  defaultSchema: string | null;
  rateLimits: RateLimits;
  schemas: BundleSchema[];
  configs: OfferConfig[];
}

/**
 * The partner configuration in force, cached for CONFIG_CACHE_TTL_S in two tiers: in process
 * (@nestjs/cache-manager, TTL in milliseconds), so a request does not cross the network, and —
 * with REDIS_URL — in Redis (SharedJsonCache), so an instance that lacks it reads it there
 * instead of from the database. Compiled artefacts stay per instance (see onLoad).
 * Every change (ConfigEvents: made here, or announced by another instance through the Redis
 * invalidation channel) drops both tiers and reloads from the database at once; a resync
 * (messages may have been missed) drops the in-process tier. Redis unreachable: the shared tier
 * reads as a miss and writes are skipped, the in-process tier and the TTL carry on.
 */
@Injectable()
export class ActiveConfigService implements OnModuleDestroy {
  private readonly logger = new Logger('ActiveConfig');
  private readonly ttlMs: number;
  private readonly unsubscribe: () => void;
  private readonly listeners = new Set<(config: ActiveConfig) => void | Promise<void>>();
  /**
   * Bumped on every change of a partner's configuration. A load that started before a change may
   * read the old version; it still answers its own request but must not cache what it read, or the
   * old configuration would be served until the TTL ran out.
   */
  private readonly generations = new Map<string, number>();
  /**
   * The load under way per partner for requests that missed the cache: requests arriving meanwhile
   * wait for it instead of each reading the database and compiling the configuration again (an
   * instance that starts under traffic would otherwise load one partner hundreds of times at once).
   */
  private readonly loading = new Map<string, Promise<ActiveConfig>>();
  /** the reload under way per partner, so a writer can wait for it (see settled) */
  private readonly reloads = new Map<string, Promise<void>>();
  /** bumped on a resync: every load under way is then too old to cache */
  private epoch = 0;
  /** partners whose configuration this instance cached (what a resync drops) */
  private readonly known = new Set<string>();
  private readonly unsubscribeResync: () => void;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repo: BundlesRepository,
    private readonly partners: PartnersService,
    events: ConfigEvents,
    @Optional() private readonly shared?: SharedJsonCache,
  ) {
    this.ttlMs = config.configCacheTtlS * 1000;
    this.unsubscribe = events.onChange((partnerId) => {
      // a listener cannot be awaited: a failed reload must not become an unhandled rejection
      // (the entry is dropped first, so the next request loads it again)
      this.refresh(partnerId).catch((err: unknown) => {
        this.logger.warn({ err, partnerId }, 'could not reload the partner configuration after a change');
      });
    });
    this.unsubscribeResync = events.onResync(() => this.dropLocal());
  }

  onModuleDestroy(): void {
    this.unsubscribe();
    this.unsubscribeResync();
  }

  /**
   * Called with every configuration loaded into this instance (from the database or the shared
   * tier), so compiled artefacts can be warmed.
   */
  onLoad(listener: (config: ActiveConfig) => void | Promise<void>): void {
    this.listeners.add(listener);
  }

  async get(partnerId: string): Promise<ActiveConfig> {
    const cached = await this.cache.get<ActiveConfig>(this.key(partnerId));
    if (cached) return cached;
    const under = this.loading.get(partnerId);
    if (under) return under;
    const load = this.load(partnerId, true);
    this.loading.set(partnerId, load);
    const done = () => {
      if (this.loading.get(partnerId) === load) this.loading.delete(partnerId);
    };
    load.then(done, done);
    return load;
  }

  /** Drops the cached entry and loads (and warms) the new one at once. */
  refresh(partnerId: string): Promise<void> {
    this.generations.set(partnerId, this.generation(partnerId) + 1);
    // a load that started before the change may read the old configuration: later requests do not wait for it
    this.loading.delete(partnerId);
    const reload = (async () => {
      await this.cache.del(this.key(partnerId));
      await this.shared?.del(this.key(partnerId));
      await this.load(partnerId, false);
    })();
    this.reloads.set(partnerId, reload);
    const done = () => {
      if (this.reloads.get(partnerId) === reload) this.reloads.delete(partnerId);
    };
    reload.then(done, done);
    return reload;
  }

  /**
   * Resolves once the reload started by the latest change is over (a failed one included: the
   * entry was dropped, so the next request loads it). The admin writer awaits this so its answer
   * means "in force on this instance".
   */
  async settled(partnerId: string): Promise<void> {
    await this.reloads.get(partnerId)?.catch(() => undefined);
  }

  private generation(partnerId: string): number {
    return this.generations.get(partnerId) ?? 0;
  }

  /** what a load must still match, when it ends, to cache what it read */
  private stamp(partnerId: string): string {
    return `${this.epoch}:${this.generation(partnerId)}`;
  }

  /** Drops the in-process tier (changes may have been missed); loads under way will not cache. */
  private dropLocal(): void {
    this.epoch += 1;
    this.loading.clear();
    for (const partnerId of this.known) {
      this.cache.del(this.key(partnerId)).catch(() => undefined);
    }
    this.known.clear();
  }

  /** `useShared`: false after a change, when the shared tier may still hold the old configuration */
  private async load(partnerId: string, useShared: boolean): Promise<ActiveConfig> {
    const stamp = this.stamp(partnerId);
    if (useShared && this.shared?.enabled) {
      const hit = await this.shared.get<ActiveConfig>(this.key(partnerId));
      if (hit) {
        await this.notify(hit.value);
        if (stamp === this.stamp(partnerId)) await this.setLocal(partnerId, hit.value, hit.ttlMs);
        return hit.value;
      }
    }
    const partner = await this.partners.getById(partnerId);
    const version = partner.currentVersion;
    const [schemas, configs] =
      version > 0 ? await Promise.all([this.repo.listSchemas(partnerId, version), this.repo.listConfigs(partnerId, version)]) : [[], []];
    const active: ActiveConfig = {
      partnerId,
      partnerCode: partner.code,
      version,
      defaultSchema: partner.defaultSchema,
      rateLimits: { ...DEFAULT_RATE_LIMITS, ...(partner.rateLimits ?? {}) },
      schemas: schemas.map((s) => ({ id: s.id, ...(s.description ? { description: s.description } : {}), json_schema: s.jsonSchema })),
      configs,
    };
    await this.notify(active);
    // changed while this was loading: what was read may be older than what a reload cached
    if (stamp === this.stamp(partnerId)) {
      await this.setLocal(partnerId, active, this.ttlMs);
      await this.shared?.set(this.key(partnerId), active, this.ttlMs);
    }
    return active;
  }

  /** the listeners (compilers) done with a configuration before it is served */
  private async notify(config: ActiveConfig): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const l of this.listeners) {
      const r = l(config);
      if (r) waits.push(r);
    }
    if (waits.length > 0) await Promise.all(waits);
  }

  private async setLocal(partnerId: string, config: ActiveConfig, ttlMs: number): Promise<void> {
    this.known.add(partnerId);
    await this.cache.set(this.key(partnerId), config, ttlMs);
  }

  private key(partnerId: string): string {
    return `partner-config:${partnerId}`;
  }
}
