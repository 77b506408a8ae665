import type { ConversionCounts } from './analytics.repository';

/** One (config, experiment, variant, currency) group of conversion counts, zero unless given. */
export function conversionCounts(over: Partial<ConversionCounts>): ConversionCounts {
  return {
    offerConfigId: 'cfg',
    experimentKey: null,
    variant: null,
    currency: 'USD',
    primary: true,
    offers: 0,
    confirmations: 0,
    optOuts: 0,
    premiumMinor: 0,
    cancellations: 0,
    refundedMinor: 0,
    refundedPremiumMinor: 0,
    ...over,
  };
}
