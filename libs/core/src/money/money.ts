import Decimal from 'decimal.js';
import { RecentValues } from '../memo/recent-values';

/**
 * Money is exact decimal arithmetic (decimal.js), rounded half-up to the currency's minor unit
 * and stored as integer minor units. The minor unit comes from ICU (JPY 0, KWD 3, most 2).
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = Decimal;

const minorDigitsCache = new Map<string, number>();

let knownCurrencies: Set<string> | undefined;

/** An ISO 4217 code ICU knows (Intl formats any three letters, `XXY` included, so look it up). */
export function isCurrencyCode(code: string): boolean {
  knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return knownCurrencies.has(code);
}

export function currencyMinorDigits(currency: string): number {
  let d = minorDigitsCache.get(currency);
  if (d === undefined) {
    d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigitsCache.set(currency, d);
  }
  return d;
}

/** Decimals are immutable: the numbers seen lately (rates, limits, common prices) are kept. */
const recentDecimals = new RecentValues<number, Decimal>(4096);

/** A JS number becomes a decimal through its shortest round-trip representation (String(x)). */
export function decimalFromNumber(x: number): Decimal {
  // (a Map key does not tell -0 from 0; neither does String(x): both give "0")
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  return recentDecimals.get(x, () => new Dec(String(x)));
}

export function roundToCurrency(amount: Decimal.Value, currency: string): Decimal {
  return new Dec(amount).toDecimalPlaces(currencyMinorDigits(currency), Decimal.ROUND_HALF_UP);
}

const scaleCache = new Map<number, Decimal>();

/** 10^digits as a decimal, made once per digit count (the hot path converts many amounts). */
function scaleOf(digits: number): Decimal {
  let f = scaleCache.get(digits);
  if (f === undefined) {
    f = new Dec(10).pow(digits);
    scaleCache.set(digits, f);
  }
  return f;
}

export function toMinorUnits(amount: Decimal.Value, currency: string): number {
  const digits = currencyMinorDigits(currency);
  const exact = Decimal.isDecimal(amount) ? amount : new Dec(amount);
  const minor = exact.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP).times(scaleOf(digits));
  if (!minor.isInteger()) throw new RangeError('minor units must be integral');
  return minor.toNumber();
}

export function fromMinorUnits(minor: number, currency: string): Decimal {
  // the exact decimal text, parsed: no division
  return new Dec(minorToDecimalString(minor, currency));
}

/**
 * `amount × rate` rounded half-up to the currency's minor unit, in minor units, for an amount
 * already held in minor units: round(m / 10^d × r, d) × 10^d = round(m × r, 0), exactly.
 */
export function timesRateInMinorUnits(minor: number, rate: Decimal): number {
  return new Dec(minor).times(rate).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

/**
 * A JSON number for a response. Dividing two exact integers is correctly rounded, so
 * `1999 / 100` is the very double that parsing "19.99" gives: no decimal needed (|minor| < 2^53).
 */
export function minorToNumber(minor: number, currency: string): number {
  return minor / 10 ** currencyMinorDigits(currency);
}

interface CurrencyFormatter {
  format: Intl.NumberFormat;
  /** minor units → formatted text: the same amounts (benefit limits, common prices) recur */
  recent: RecentValues<number, string>;
}

const formatterCache = new Map<string, CurrencyFormatter>();
const RECENT_PER_FORMATTER = 1024;

const localeCache = new Map<string, string>();

/** `language` like "fr" or "fr-CA", `country` like "CA": the locale is language-COUNTRY when both fit. */
export function localeFor(language: string | undefined, country: string | undefined): string {
  const key = `${language ?? ''}|${country ?? ''}`;
  const hit = localeCache.get(key);
  if (hit !== undefined) return hit;
  const lang = (language ?? 'en').trim() || 'en';
  const candidates: string[] = [];
  if (!lang.includes('-') && country) candidates.push(`${lang}-${country}`);
  candidates.push(lang, 'en');
  let found = 'en';
  for (const c of candidates) {
    try {
      if (Intl.NumberFormat.supportedLocalesOf([c]).length > 0) {
        found = c;
        break;
      }
    } catch {
      // an invalid tag: try the next one
    }
  }
  if (localeCache.size > 5000) localeCache.clear();
  localeCache.set(key, found);
  return found;
}

/** Integer minor units as an exact decimal string (`1999`, USD → `"19.99"`), without arithmetic. */
export function minorToDecimalString(minor: number, currency: string): string {
  const digits = currencyMinorDigits(currency);
  if (!Number.isSafeInteger(minor)) throw new RangeError(`minor units must be a safe integer, got ${minor}`);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor));
  if (digits === 0) return sign + abs;
  const padded = abs.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** The localised currency string of an amount held as integer minor units. */
export function formatMinorUnits(minor: number, currency: string, locale: string): string {
  const f = formatter(locale, currency);
  return f.recent.get(minor, () => f.format.format(minorToDecimalString(minor, currency) as unknown as number));
}

function formatter(locale: string, currency: string): CurrencyFormatter {
  const key = `${locale}|${currency}`;
  let f = formatterCache.get(key);
  if (f === undefined) {
    f = { format: new Intl.NumberFormat(locale, { style: 'currency', currency }), recent: new RecentValues(RECENT_PER_FORMATTER) };
    if (formatterCache.size > 5000) formatterCache.clear();
    formatterCache.set(key, f);
  }
  return f;
}

export function formatMoney(amount: Decimal.Value, currency: string, locale: string): string {
  // Intl accepts a decimal string and formats it exactly (no binary float rounding).
  return formatter(locale, currency).format.format(new Dec(amount).toFixed(currencyMinorDigits(currency)) as unknown as number);
}
