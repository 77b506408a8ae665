import type { PartnersService } from '@app/partners';
import type { AnalyticsRepository, ConversionCounts } from './analytics.repository';
import { AnalyticsService, dailyRows } from './analytics.service';
import { conversionCounts } from './conversion-counts.fixture';

const c = conversionCounts;

function report(counts: ConversionCounts[]) {
  const repo = {
    conversion: async () => counts,
    rolledUp: async () => [],
    dailyConversion: async () => [],
    rolledUpDaily: async () => [],
  } as unknown as AnalyticsRepository;
  const partners = { get: async (code: string) => ({ id: 'p1', code }) } as unknown as PartnersService;
  return new AnalyticsService(repo, partners, { now: () => new Date('2026-11-25T00:00:00Z') }).report('ACME', {});
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
        cancellations: 0,
        refunded: [],
        net_premium: [
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
      {
        offer_config_id: 'cfg',
        offers: 10,
        confirmations: 2,
        opt_outs: 6,
        conversion_rate: 0.2,
        premium_confirmed: [{ currency: 'USD', amount: 2, amount_minor: 200 }],
        cancellations: 0,
        refunded: [],
        net_premium: [{ currency: 'USD', amount: 2, amount_minor: 200 }],
      },
    ]);
  });

  it('adds cancellations, refunds and the premium kept (premium minus the refunded premium), per currency', async () => {
    const r = await report([
      // USD: 3 bookings, premium 30.00; 2 quotes cancelled, 12.10 refunded of which 11.00 premium
      c({
        variant: 'a',
        experimentKey: 'x',
        currency: 'USD',
        offers: 5,
        confirmations: 3,
        premiumMinor: 3000,
        cancellations: 2,
        refundedMinor: 1210,
        refundedPremiumMinor: 1100,
      }),
      // JPY (no minor unit): one booking, cancelled after its cooling-off with nothing refunded
      c({ variant: 'a', experimentKey: 'x', currency: 'JPY', offers: 1, confirmations: 1, premiumMinor: 500, cancellations: 1 }),
      // KWD (3 decimals): a partial refund
      c({
        variant: 'a',
        experimentKey: 'x',
        currency: 'KWD',
        offers: 2,
        confirmations: 1,
        premiumMinor: 12345,
        cancellations: 1,
        refundedMinor: 1001,
        refundedPremiumMinor: 999,
      }),
      // EUR: confirmed, nothing cancelled
      c({ variant: 'a', experimentKey: 'x', currency: 'EUR', offers: 1, confirmations: 1, premiumMinor: 250 }),
      // the same offers' second experiment (not primary): in its own row, not in the totals again
      c({
        variant: 'z',
        experimentKey: 'y',
        currency: 'USD',
        primary: false,
        offers: 5,
        confirmations: 3,
        premiumMinor: 3000,
        cancellations: 2,
        refundedMinor: 1210,
        refundedPremiumMinor: 1100,
      }),
    ]);
    const a = r.rows.find((x) => x.variant === 'a');
    expect(a).toMatchObject({
      offers: 9,
      confirmations: 6,
      cancellations: 4,
      refunded: [
        { currency: 'JPY', amount: 0, amount_minor: 0 },
        { currency: 'KWD', amount: 1.001, amount_minor: 1001 },
        { currency: 'USD', amount: 12.1, amount_minor: 1210 },
      ],
      premium_confirmed: [
        { currency: 'EUR', amount: 2.5, amount_minor: 250 },
        { currency: 'JPY', amount: 500, amount_minor: 500 },
        { currency: 'KWD', amount: 12.345, amount_minor: 12345 },
        { currency: 'USD', amount: 30, amount_minor: 3000 },
      ],
      net_premium: [
        { currency: 'EUR', amount: 2.5, amount_minor: 250 },
        { currency: 'JPY', amount: 500, amount_minor: 500 },
        { currency: 'KWD', amount: 11.346, amount_minor: 11346 },
        { currency: 'USD', amount: 19, amount_minor: 1900 },
      ],
    });
    expect(r.rows.find((x) => x.variant === 'z')).toMatchObject({
      cancellations: 2,
      refunded: [{ currency: 'USD', amount: 12.1, amount_minor: 1210 }],
      net_premium: [{ currency: 'USD', amount: 19, amount_minor: 1900 }],
    });
    // per config: every offer once (the primary rows only)
    expect(r.totals).toEqual([
      expect.objectContaining({
        offer_config_id: 'cfg',
        offers: 9,
        cancellations: 4,
        refunded: a?.refunded,
        net_premium: a?.net_premium,
      }),
    ]);
  });

  it('answers the window it used and empty lists when nothing matched', async () => {
    expect(await report([])).toEqual({ partner: 'ACME', from: '2026-10-26T00:00:00+00:00', to: '2026-11-25T00:00:00+00:00', rows: [], totals: [], daily: [] });
  });
});

describe('dailyRows', () => {
  it('adds the rolled-up days to the live ones per day and config, sorted by day then config', () => {
    const live = [
      { date: '2026-11-02', offerConfigId: 'b', offers: 4, confirmations: 1, optOuts: 1 },
      { date: '2026-11-02', offerConfigId: 'a', offers: 3, confirmations: 3, optOuts: 0 },
    ];
    const rolled = [
      { date: '2026-11-02', offerConfigId: 'b', offers: 4, confirmations: 0, optOuts: 2 },
      { date: '2026-11-01', offerConfigId: 'b', offers: 7, confirmations: 0, optOuts: 0 },
    ];
    expect(dailyRows(live, rolled)).toEqual([
      { date: '2026-11-01', offer_config_id: 'b', offers: 7, confirmations: 0, opt_outs: 0, conversion_rate: 0 },
      { date: '2026-11-02', offer_config_id: 'a', offers: 3, confirmations: 3, opt_outs: 0, conversion_rate: 1 },
      { date: '2026-11-02', offer_config_id: 'b', offers: 8, confirmations: 1, opt_outs: 3, conversion_rate: 0.125 },
    ]);
  });
});
