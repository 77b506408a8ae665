import { DynamicModule, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { CacheModule } from '@nestjs/cache-manager';
import { APP_CONFIG, AppConfig, Clock, CoreConfigModule, loadConfig, RedisModule } from '@app/core';
import { BundlesModule } from '@app/bundles';
import { PartnersModule } from '@app/partners';
import { OffersModule, registerRetentionMetrics, RetentionService } from '@app/offers';
import { registerWebhookMetrics, WebhookDispatcher, WebhooksModule } from '@app/webhooks';
import { DemoSeedService } from './seed/demo-seed.service';
import { buildDataSourceOptions, DatabaseModule } from '@app/database';
import { ALL_ENTITIES } from './entities';
import { HealthController } from './ops/health.controller';
import { HttpMetrics } from './ops/metrics';
import { ShutdownState } from './ops/shutdown';
import { WarmUp } from './ops/warm-up';
import { TestHooksController, testHooksEnabled } from './ops/test-hooks.controller';
import { logDestination, loggerOptions } from './common/logging';
import { AdminApiModule } from './admin-api/admin-api.module';
import { PartnerApiModule } from './partner-api/partner-api.module';
import { BrowserModule } from './browser/browser.module';

/** Composition root. `overrides` lets tests boot the real app on a config of their own. */
@Module({})
export class AppModule implements OnApplicationBootstrap {
  constructor(private readonly warmUp: WarmUp) {}

  /**
   * Called after every provider's own bootstrap (migrations have run, the demo seed is written):
   * the warm-up starts, and /health/ready answers 503 until it is over. Not awaited, so the
   * server listens (and says "not ready") meanwhile.
   */
  onApplicationBootstrap(): void {
    void this.warmUp.start();
  }

  /** `clock`: the time the app reads (tests pin and move it); the system's by default. */
  static forRoot(overrides: Partial<AppConfig> = {}, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreConfigModule.forRoot(overrides, clock),
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            // the app's logger only: nestjs-pino mounts no middleware (configureApp mounts the
            // request log itself, without nestjs-pino's per-request context; see common/logging.ts)
            forRoutes: [],
            pinoHttp: [loggerOptions(config), logDestination(config.logSync)],
          }),
        }),
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            ...buildDataSourceOptions(config, ALL_ENTITIES),
            migrationsRun: true,
          }),
        }),
        DatabaseModule,
        // the in-process tier of the partner configuration cache; RedisModule adds the shared tier,
        // shared rate limits and invalidation messages when REDIS_URL is set (see libs/core/src/redis)
        CacheModule.register({ isGlobal: true }),
        RedisModule,
        PartnersModule,
        BundlesModule,
        OffersModule,
        // (OffersModule also runs the retention purge in the background: RETENTION_ENABLED, one instance at a time)
        // the webhook dispatcher runs in the background of every instance (WEBHOOKS_ENABLED)
        WebhooksModule,
        TerminusModule,
        // routes are mounted per prefix when the module is built, so the prefixes are read here.
        // Express tries routes in the order they were registered: the partner API, which takes
        // nearly all traffic, comes before the admin API (module order is route order)
        PartnerApiModule.forRoot(overrides.apiPrefixes ?? loadConfig().apiPrefixes),
        AdminApiModule,
        // the offer panel and the operations console (their files come from PUBLIC_DIR)
        BrowserModule,
      ],
      controllers: [HealthController, ...(testHooksEnabled() ? [TestHooksController] : [])],
      providers: [
        {
          provide: HttpMetrics,
          inject: [WebhookDispatcher, RetentionService],
          useFactory: (webhooks: WebhookDispatcher, retention: RetentionService) => {
            const metrics = new HttpMetrics();
            registerWebhookMetrics(metrics.registry, webhooks);
            registerRetentionMetrics(metrics.registry, retention);
            return metrics;
          },
        },
        ShutdownState,
        DemoSeedService,
        WarmUp,
      ],
    };
  }
}
