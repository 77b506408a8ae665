import type { PartnersService } from '@app/partners';
import { fromRollupKey, NO_EXPERIMENT, rolledUpDays, withRollups } from './analytics-rollups';
import type { AnalyticsRepository, ConversionCounts } from './analytics.repository';
import { AnalyticsService } from './analytics.service';
import { conversionCounts } from './conversion-counts.fixture';

const c = conversionCounts;

describe('rolledUpDays: the days of purged offers a window counts', () => {
  it('counts exactly the days of a window of whole UTC days', () => {
    expect(rolledUpDays(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-03T00:00:00Z'))).toEqual({
      first: new Date('2026-11-01T00:00:00Z'),
      end: new Date('2026-11-03T00:00:00Z'),
    });
  });

  it('counts a day cut by the window with the window that holds its start', () => {
    // [Nov 1 10:00, Nov 3 10:00): Nov 2 and Nov 3 start inside it; Nov 1 started before it
    expect(rolledUpDays(new Date('2026-11-01T10:00:00Z'), new Date('2026-11-03T10:00:00Z'))).toEqual({
      first: new Date('2026-11-02T00:00:00Z'),
      end: new Date('2026-11-04T00:00:00Z'),
    });
  });

  it('counts no day when no day starts inside the window', () => {
    const { first, end } = rolledUpDays(new Date('2026-11-01T10:00:00Z'), new Date('2026-11-01T20:00:00Z'));
    expect(first.getTime()).toBe(end.getTime());
  });

  it('splits the days between two adjacent windows without counting one twice', () => {
    const cut = new Date('2026-11-02T12:00:00Z');
    const a = rolledUpDays(new Date('2026-11-01T00:00:00Z'), cut);
    const b = rolledUpDays(cut, new Date('2026-11-05T00:00:00Z'));
    expect(a.end).toEqual(b.first);
  });
});

describe('fromRollupKey', () => {
  it('reads the stored "no experiment" back as null', () => {
    expect(fromRollupKey(NO_EXPERIMENT)).toBeNull();
    expect(fromRollupKey(null)).toBeNull();
    expect(fromRollupKey('price-test')).toBe('price-test');
  });
});

describe('withRollups', () => {
  it('adds rolled-up offers and opt-outs to the live group with the same key, and keeps the others', () => {
    const live = [
      c({
        experimentKey: 'x',
        variant: 'a',
        offers: 10,
        confirmations: 3,
        optOuts: 1,
        premiumMinor: 900,
        cancellations: 1,
        refundedMinor: 100,
        refundedPremiumMinor: 90,
      }),
      c({ experimentKey: 'x', variant: 'b', offers: 4 }),
    ];
    const rolled = [
      c({ experimentKey: 'x', variant: 'a', offers: 7, optOuts: 2 }),
      c({ experimentKey: 'x', variant: 'a', currency: 'EUR', offers: 1 }),
      c({ primary: false, offers: 2 }),
    ];
    expect(withRollups(live, rolled)).toEqual([
      c({
        experimentKey: 'x',
        variant: 'a',
        offers: 17,
        confirmations: 3,
        optOuts: 3,
        premiumMinor: 900,
        cancellations: 1,
        refundedMinor: 100,
        refundedPremiumMinor: 90,
      }),
      c({ experimentKey: 'x', variant: 'b', offers: 4 }),
      c({ experimentKey: 'x', variant: 'a', currency: 'EUR', offers: 1 }),
      c({ primary: false, offers: 2 }),
    ]);
  });

  it('does not change its inputs', () => {
    const live = [c({ offers: 1 })];
    withRollups(live, [c({ offers: 2 })]);
    expect(live).toEqual([c({ offers: 1 })]);
  });
});

describe('AnalyticsService.report with purged offers', () => {
  function report(live: ConversionCounts[], rolled: ConversionCounts[]) {
    const calls: Array<[string, Date, Date]> = [];
    const repo = {
      conversion: async () => live,
      rolledUp: async (p: string, from: Date, to: Date) => {
        calls.push([p, from, to]);
        return rolled;
      },
      dailyConversion: async () => [],
      rolledUpDaily: async () => [],
    } as unknown as AnalyticsRepository;
    const partners = { get: async (code: string) => ({ id: 'p1', code }) } as unknown as PartnersService;
    const clock = { now: () => new Date('2026-11-25T00:00:00Z') };
    return { calls, report: new AnalyticsService(repo, partners, clock).report('ACME', { from: '2026-11-01', to: '2026-11-30' }) };
  }

  it('reports the same figures whether an offer is live or rolled up', async () => {
    // before: 3 offers live, one confirmed, one opted out; after: the two never bought are rolled up
    const before = report([c({ experimentKey: 'x', variant: 'a', offers: 3, confirmations: 1, optOuts: 1, premiumMinor: 500 })], []);
    const after = report(
      [c({ experimentKey: 'x', variant: 'a', offers: 1, confirmations: 1, premiumMinor: 500 })],
      [c({ experimentKey: 'x', variant: 'a', offers: 2, optOuts: 1 })],
    );
    expect(await after.report).toEqual(await before.report);
    expect(after.calls).toEqual([['p1', new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z')]]);
    expect((await after.report).rows[0]).toMatchObject({ offers: 3, confirmations: 1, opt_outs: 1, conversion_rate: 0.3333 });
  });
});
