import { Global, Module, type OnApplicationShutdown, type OnModuleInit, Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { ConfigEvents } from '../events/config-events';
import { ConfigInvalidationBus } from './config-invalidation';
import { SharedCounters } from './counters';
import { RedisConnection } from './redis-connection';
import { SharedJsonCache } from './shared-cache';

/** The instance's RedisConnection, or null when REDIS_URL is unset. */
export const REDIS = Symbol('REDIS');

/**
 * Connects at start (in the background: the app serves degraded while Redis is unreachable) and
 * disconnects last on shutdown, after the HTTP server stopped and requests finished.
 */
@Injectable()
export class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Optional() @Inject(REDIS) private readonly redis: RedisConnection | null) {}

  onModuleInit(): void {
    this.redis?.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}

/**
 * REDIS_URL=redis://… shares rate limits (SharedCounters), the partner configuration cache
 * (SharedJsonCache) and configuration changes (ConfigInvalidationBus) between instances. Without
 * it every provider here still exists and works per instance, so consumers need no branches.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): RedisConnection | null =>
        config.redisUrl ? new RedisConnection({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix ?? 'offers:' }) : null,
    },
    { provide: SharedCounters, inject: [REDIS], useFactory: (redis: RedisConnection | null) => new SharedCounters(redis) },
    { provide: SharedJsonCache, inject: [REDIS], useFactory: (redis: RedisConnection | null) => new SharedJsonCache(redis) },
    {
      provide: ConfigInvalidationBus,
      inject: [REDIS, ConfigEvents],
      useFactory: (redis: RedisConnection | null, events: ConfigEvents) => new ConfigInvalidationBus(redis, events),
    },
    RedisLifecycle,
  ],
  exports: [REDIS, SharedCounters, SharedJsonCache, ConfigInvalidationBus],
})
export class RedisModule {}
