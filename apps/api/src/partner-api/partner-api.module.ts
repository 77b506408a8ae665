import { DynamicModule, Module, Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { AuthGuardsModule } from './guards/auth-guards.module';
import { ThrottlerModule } from '@nestjs/throttler';
import { ActiveConfigService, BundlesModule } from '@app/bundles';
import { OffersModule } from '@app/offers';
import { OffersController } from './offers.controller';
import { BookingsController } from './bookings.controller';
import { BookingLifecycleController } from './booking-lifecycle.controller';
import { PartnerThrottlerGuard, partnerThrottlerOptions } from './rate-limit/partner-throttler';
import { FixedWindowThrottlerStorage } from './rate-limit/fixed-window.storage';
import { SharedCounters } from '@app/core';
import { PartnerSchemasController } from './schemas.controller';
import { WhoAmIController } from './whoami.controller';

/**
 * Partner controllers, each declaring only the path after the API prefix
 * (`@Controller('partners/:partner_code')`). Add new partner controllers here.
 */
export const PARTNER_API_CONTROLLERS: Type<unknown>[] = [
  OffersController,
  PartnerSchemasController,
  WhoAmIController,
  BookingsController,
  BookingLifecycleController,
];

const DECLARED_PATH = Symbol('partner-api:declared-path');

function joinPath(prefix: string, path: string): string {
  const p = prefix.replace(/\/+$/, '');
  const rest = path.replace(/^\/+/, '');
  return rest ? `${p}/${rest}` : p || '/';
}

/**
 * Serves one controller under every prefix: rewrites its route path metadata to one path per
 * prefix (Nest accepts an array). The declared path is kept aside, so calling it again (another
 * app in the same process, with other prefixes) starts from the declaration, not the last rewrite.
 */
export function mountUnderPrefixes(controller: Type<unknown>, prefixes: readonly string[]): string[] {
  let declared = Reflect.getMetadata(DECLARED_PATH, controller) as string | string[] | undefined;
  if (declared === undefined) {
    declared = (Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined) ?? '/';
    Reflect.defineMetadata(DECLARED_PATH, declared, controller);
  }
  const paths = Array.isArray(declared) ? declared : [declared];
  const mounted = prefixes.flatMap((prefix) => paths.map((path) => joinPath(prefix, path)));
  Reflect.defineMetadata(PATH_METADATA, mounted, controller);
  return mounted;
}

/** The partner surface: `/<prefix>/partners/:partner_code/...` for each of API_PREFIXES (default `/x,/xcover`). */
@Module({})
export class PartnerApiModule {
  /** Call while building the app module, before Nest resolves routes: `forRoot(config.apiPrefixes)`. */
  static forRoot(prefixes: readonly string[]): DynamicModule {
    for (const c of PARTNER_API_CONTROLLERS) mountUnderPrefixes(c, prefixes);
    return {
      module: PartnerApiModule,
      imports: [
        AuthGuardsModule,
        BundlesModule,
        OffersModule,
        ThrottlerModule.forRootAsync({
          imports: [BundlesModule],
          // SharedCounters (RedisModule): counts in Redis when REDIS_URL is set, per instance otherwise
          inject: [ActiveConfigService, { token: SharedCounters, optional: true }],
          useFactory: (active: ActiveConfigService, counters?: SharedCounters) => partnerThrottlerOptions(active, new FixedWindowThrottlerStorage(counters)),
        }),
      ],
      controllers: PARTNER_API_CONTROLLERS,
      providers: [PartnerThrottlerGuard],
    };
  }
}
