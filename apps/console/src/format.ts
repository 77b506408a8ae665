/** How amounts, rates and instants read in the console. */

export interface MinorAmount {
  currency: string;
  amount_minor: number;
}

const digitsCache = new Map<string, number>();

/** Digits after the decimal point of a currency (2 for USD, 0 for JPY, 3 for KWD). */
export function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** An amount in a currency's major unit (as the API writes amounts) in integer minor units. */
export function toMinor(amount: number, currency: string): number {
  return Math.round(amount * 10 ** minorDigits(currency));
}

/** An integer amount of minor units as text, e.g. (123456, 'USD') → "US$1,234.56" in en-GB. */
export function formatMinor(amountMinor: number, currency: string, locale = 'en-GB'): string {
  const digits = minorDigits(currency);
  const major = amountMinor / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(major);
  } catch {
    return `${major.toFixed(digits)} ${currency}`;
  }
}

/** The locale amounts are written in for a customer (as the API does): language-country when known to Intl, else the language, else en. */
export function customerLocale(language: string | undefined, country: string | undefined): string {
  const lang = language?.trim() || 'en';
  const candidates = !lang.includes('-') && country ? [`${lang}-${country}`, lang, 'en'] : [lang, 'en'];
  for (const candidate of candidates) {
    try {
      if (Intl.NumberFormat.supportedLocalesOf([candidate]).length > 0) return candidate;
    } catch {
      // not a locale tag
    }
  }
  return 'en';
}

/** Several currencies' amounts as one text ("—" for none). */
export function formatMinorAmounts(amounts: readonly MinorAmount[], locale = 'en-GB'): string {
  if (amounts.length === 0) return '—';
  return amounts.map((a) => formatMinor(a.amount_minor, a.currency, locale)).join(', ');
}

/** The sum of amounts in a currency's major unit, added exactly in minor units. */
export function sumMajor(amounts: readonly number[], currency: string): MinorAmount {
  return { currency, amount_minor: amounts.reduce((sum, a) => sum + toMinor(a, currency), 0) };
}

/** A rate 0–1 as a percentage with one decimal: 0.1234 → "12.3%". */
export function formatRate(rate: number): string {
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** An ISO 8601 instant as "YYYY-MM-DD HH:MM UTC" (the text itself when it is no instant). */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A date as YYYY-MM-DD in UTC, `days` days after `date`. */
export function isoDay(date: Date, days = 0): string {
  return new Date(date.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
