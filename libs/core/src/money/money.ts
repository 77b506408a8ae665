import Decimal from 'decimal.js';

/**
 * Money is exact decimal arithmetic (decimal.js), rounded half-up to the currency's minor unit
 * and stored as integer minor units. The minor unit comes from ICU (JPY 0, KWD 3, most 2).
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = Decimal;

const minorDigitsCache = new Map<string, number>();

export function isCurrencyCode(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: code });
    return true;
  } catch {
    return false;
  }
}

export function currencyMinorDigits(currency: string): number {
  let d = minorDigitsCache.get(currency);
  if (d === undefined) {
    d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigitsCache.set(currency, d);
  }
  return d;
}

/** A JS number becomes a decimal through its shortest round-trip representation (String(x)). */
export function decimalFromNumber(x: number): Decimal {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  return new Dec(String(x));
}

export function roundToCurrency(amount: Decimal.Value, currency: string): Decimal {
  return new Dec(amount).toDecimalPlaces(currencyMinorDigits(currency), Decimal.ROUND_HALF_UP);
}

export function toMinorUnits(amount: Decimal.Value, currency: string): number {
  const digits = currencyMinorDigits(currency);
  const minor = new Dec(amount).toDecimalPlaces(digits, Decimal.ROUND_HALF_UP).times(new Dec(10).pow(digits));
  if (!minor.isInteger()) throw new RangeError('minor units must be integral');
  return minor.toNumber();
}

export function fromMinorUnits(minor: number, currency: string): Decimal {
  return new Dec(minor).dividedBy(new Dec(10).pow(currencyMinorDigits(currency)));
}

/** A JSON number for a response: exact for any amount that fits a double's 15 significant digits. */
export function minorToNumber(minor: number, currency: string): number {
  return fromMinorUnits(minor, currency).toNumber();
}

const formatterCache = new Map<string, Intl.NumberFormat>();

/** `language` like "fr" or "fr-CA", `country` like "CA": the locale is language-COUNTRY when both fit. */
export function localeFor(language: string | undefined, country: string | undefined): string {
  const lang = (language ?? 'en').trim() || 'en';
  const candidates: string[] = [];
  if (!lang.includes('-') && country) candidates.push(`${lang}-${country}`);
  candidates.push(lang, 'en');
  for (const c of candidates) {
    try {
      if (Intl.NumberFormat.supportedLocalesOf([c]).length > 0) return c;
    } catch {
      // an invalid tag: try the next one
    }
  }
  return 'en';
}

export function formatMoney(amount: Decimal.Value, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let f = formatterCache.get(key);
  if (f === undefined) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    if (formatterCache.size > 5000) formatterCache.clear();
    formatterCache.set(key, f);
  }
  // Intl accepts a decimal string and formats it exactly (no binary float rounding).
  return f.format(new Dec(amount).toFixed(currencyMinorDigits(currency)) as unknown as number);
}
