import type { Clock } from '@app/core';
import type { PartnersService } from '@app/partners';
import type { AnalyticsRepository, ConversionCounts } from './analytics.repository';
import { AnalyticsService } from './analytics.service';

const c = (over: Partial<ConversionCounts>): ConversionCounts => ({
  offerConfigId: 'cfg',
  experimentKey: null,
  variant: null,
  currency: 'USD',
  primary: true,
  offers: 0,
  confirmations: 0,
  optOuts: 0,
  premiumMinor: 0,
  ...over,
});

function report(counts: ConversionCounts[]) {
  const repo = { conversion: async () => counts } as unknown as AnalyticsRepository;
  const partners = { get: async (code: string) => ({ id: 'p1', code }) } as unknown as PartnersService;
  return new AnalyticsService(repo, partners, { now: () => new Date('2026-11-25T00:00:00Z') } as Clock).report('ACME', {});
}

describe('AnalyticsService.report', () => {
  it('merges currencies into one row per config and variant, with premium per currency', async () => {
    const r = await report([
      c({ experimentKey: 'x', variant: 'a', currency: 'USD', offers: 10, confirmations: 3, optOuts: 2, premiumMinor: 1234 }),
      c({ experimentKey: 'x', variant: 'a', currency: 'EUR', offers: 5, confirmations: 1, optOuts: 0, premiumMinor: 99 }),
      c({ experimentKey: 'x', variant: 'a', currency: 'JPY', offers: 2 }),
    ]);
    expect(r.rows).toEqual([
      {
        offer_config_id: 'cfg',
        experiment_key: 'x',
        variant: 'a',
        offers: 17,
        confirmations: 4,
        opt_outs: 2,
        conversion_rate: 0.2353,
        premium_confirmed: [
          { currency: 'EUR', amount: 0.99, amount_minor: 99 },
          { currency: 'USD', amount: 12.34, amount_minor: 1234 },
        ],
      },
    ]);
  });

  it('counts an offer in two experiments in both rows but once in the per-config totals', async () => {
    const r = await report([
      c({ experimentKey: 'e1', variant: 'a', primary: true, offers: 4, confirmations: 2, premiumMinor: 200 }),
      c({ experimentKey: 'e2', variant: 'z', primary: false, offers: 4, confirmations: 2, premiumMinor: 200 }),
      c({ offers: 6, confirmations: 0, optOuts: 6 }),
    ]);
    expect(r.rows.map((x) => [x.experiment_key, x.variant, x.offers])).toEqual([
      [null, null, 6],
      ['e1', 'a', 4],
      ['e2', 'z', 4],
    ]);
    expect(r.totals).toEqual([
      { offer_config_id: 'cfg', offers: 10, confirmations: 2, opt_outs: 6, conversion_rate: 0.2, premium_confirmed: [{ currency: 'USD', amount: 2, amount_minor: 200 }] },
    ]);
  });

  it('answers the window it used and empty lists when nothing matched', async () => {
    expect(await report([])).toEqual({ partner: 'ACME', from: '2026-10-26T00:00:00+00:00', to: '2026-11-25T00:00:00+00:00', rows: [], totals: [] });
  });
});
