/** The analytics charts' data, shaped as uPlot takes it: x values first, then one array per series. */

export interface DailyFigure {
  date: string;
  offer_config_id: string;
  offers: number;
  conversion_rate: number;
}

export interface VariantFigure {
  offer_config_id: string;
  experiment_key: string | null;
  variant: string | null;
  offers: number;
  conversion_rate: number;
}

export interface ConversionPerDay {
  /** the series' names: one per offer config */
  configs: string[];
  /** [x: day starts in Unix seconds, ...per config: conversion % or null on days without its offers] */
  data: [number[], ...Array<Array<number | null>>];
  /** the points drawn: days × configs with offers */
  points: number;
}

/** Conversion per UTC day, one series per offer config, in percent. */
export function conversionPerDay(daily: readonly DailyFigure[]): ConversionPerDay {
  const days = [...new Set(daily.map((d) => d.date))].sort();
  const configs = [...new Set(daily.map((d) => d.offer_config_id))].sort();
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const series = configs.map(() => days.map((): number | null => null));
  let points = 0;
  for (const d of daily) {
    const row = series[configs.indexOf(d.offer_config_id)];
    const at = dayIndex.get(d.date);
    if (at === undefined) continue;
    if (row[at] === null) points++;
    row[at] = Math.round(d.conversion_rate * 1000) / 10;
  }
  const x = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  return { configs, data: [x, ...series], points };
}

export interface VariantBars {
  /** one label per bar: config, variant and the offers behind it */
  labels: string[];
  /** [x: 0..n-1, conversion %] */
  data: [number[], number[]];
}

/** One bar per offer config and variant: its conversion, labelled with the number of offers behind it. */
export function variantBars(rows: readonly VariantFigure[]): VariantBars {
  const labels = rows.map((r) => {
    const variant = r.experiment_key === null ? 'no experiment' : `${r.experiment_key}: ${r.variant ?? '—'}`;
    return `${r.offer_config_id} · ${variant} (${r.offers} offer${r.offers === 1 ? '' : 's'})`;
  });
  return { labels, data: [rows.map((_r, i) => i), rows.map((r) => Math.round(r.conversion_rate * 1000) / 10)] };
}
