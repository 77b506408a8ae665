import { DEFAULT_RATE_LIMITS, type ActiveConfig } from '@app/bundles';
import { DEMO_BUNDLE } from '../../apps/api/src/seed/demo-bundle';

/** The demo partner's bundle as the configuration in force (version 1) of partner `partnerId`. */
export function demoActiveConfig(partnerId: string): ActiveConfig {
  return {
    partnerId,
    partnerCode: DEMO_BUNDLE.partner.code,
    version: 1,
    defaultSchema: DEMO_BUNDLE.partner.default_schema ?? null,
    rateLimits: DEFAULT_RATE_LIMITS,
    schemas: DEMO_BUNDLE.schemas,
    configs: DEMO_BUNDLE.offer_configs,
  };
}
