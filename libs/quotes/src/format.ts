import { formatMinorUnits, minorToNumber, RecentValues } from '@app/core';
import type { MoneyJson } from './quotes.types';

const recentDates = new RecentValues<number, string>(4096);

/** Response timestamps: `2026-12-01T00:00:00+00:00` (UTC; milliseconds only when not zero). */
export function formatApiDate(d: Date): string {
  return recentDates.get(d.getTime(), () => {
    const iso = d.toISOString();
    return (iso.endsWith('.000Z') ? iso.slice(0, -5) : iso.slice(0, -1)) + '+00:00';
  });
}

/** Minor units → `{ total_amount, total_amount_formatted }` (JSON number + Intl string). */
export function moneyJson(minor: number, currency: string, locale: string): MoneyJson {
  return { total_amount: minorToNumber(minor, currency), total_amount_formatted: formatMinor(minor, currency, locale) };
}

/** Minor units → the localised currency string, formatted from the exact decimal. */
export function formatMinor(minor: number, currency: string, locale: string): string {
  return formatMinorUnits(minor, currency, locale);
}
