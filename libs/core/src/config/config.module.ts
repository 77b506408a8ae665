import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from '../clock/clock';
import { ConfigEvents } from '../events/config-events';
import { AppConfig, loadConfig } from './app-config';

export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class CoreConfigModule {
  /** `overrides` lets tests start the app with a config of their own, `clock` with a time of their own. */
  static forRoot(overrides: Partial<AppConfig> = {}, clock?: Clock): DynamicModule {
    const config: AppConfig = { ...loadConfig(), ...overrides };
    return {
      module: CoreConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        ConfigEvents,
        clock ? { provide: Clock, useValue: clock } : { provide: Clock, useClass: SystemClock },
      ],
      exports: [APP_CONFIG, ConfigEvents, Clock],
    };
  }
}
