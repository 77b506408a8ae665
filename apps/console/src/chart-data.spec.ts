import { conversionPerDay, variantBars } from './chart-data';

describe('conversionPerDay', () => {
  it('makes one series per config over the days, null where a config had no offers', () => {
    const chart = conversionPerDay([
      { date: '2026-11-02', offer_config_id: 'b', offers: 4, conversion_rate: 0.25 },
      { date: '2026-11-01', offer_config_id: 'a', offers: 3, conversion_rate: 0.3333 },
      { date: '2026-11-02', offer_config_id: 'a', offers: 1, conversion_rate: 1 },
    ]);
    expect(chart.configs).toEqual(['a', 'b']);
    expect(chart.data).toEqual([
      [Date.UTC(2026, 10, 1) / 1000, Date.UTC(2026, 10, 2) / 1000],
      [33.3, 100],
      [null, 25],
    ]);
    expect(chart.points).toBe(3);
  });

  it('is empty without days', () => {
    expect(conversionPerDay([])).toEqual({ configs: [], data: [[]], points: 0 });
  });
});

describe('variantBars', () => {
  it('labels each bar with its variant and offers', () => {
    const bars = variantBars([
      { offer_config_id: 'w', experiment_key: 'price', variant: 'a', offers: 10, conversion_rate: 0.1 },
      { offer_config_id: 'w', experiment_key: null, variant: null, offers: 1, conversion_rate: 0 },
    ]);
    expect(bars.labels).toEqual(['w · price: a (10 offers)', 'w · no experiment (1 offer)']);
    expect(bars.data).toEqual([
      [0, 1],
      [10, 0],
    ]);
  });
});
