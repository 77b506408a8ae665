import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, Clock, CoreConfigModule, SystemClock } from '@app/core';
import { buildDataSourceOptions } from '@app/database';
import { ALL_ENTITIES } from './entities';
import { HealthController } from './ops/health.controller';
import { HttpMetrics } from './ops/metrics';
import { requestIdOf } from './common/request-id';

/** Composition root. `overrides` lets tests boot the real app on a config of their own. */
@Module({})
export class AppModule {
  static forRoot(overrides: Partial<AppConfig> = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreConfigModule.forRoot(overrides),
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            pinoHttp: {
              level: config.logLevel,
              genReqId: (req) => requestIdOf(req as never),
              // Bodies and headers are never logged: they hold keys and personal data.
              serializers: {
                req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] }),
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              },
              redact: ['req.headers', 'res.headers'],
              customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
              autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
            },
          }),
        }),
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            ...buildDataSourceOptions(config, ALL_ENTITIES),
            migrationsRun: true,
          }),
        }),
        TerminusModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: HttpMetrics, useFactory: () => new HttpMetrics() },
        { provide: Clock, useClass: SystemClock },
      ],
    };
  }
}
