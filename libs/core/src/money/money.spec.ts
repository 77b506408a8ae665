import fc from 'fast-check';
import {
  Dec,
  decimalFromNumber,
  formatMinorUnits,
  formatMoney,
  fromMinorUnits,
  isCurrencyCode,
  localeFor,
  minorToDecimalString,
  minorToNumber,
  timesRateInMinorUnits,
  toMinorUnits,
} from './money';

describe('money', () => {
  it('minor units as exact decimal strings, per currency exponent', () => {
    expect(minorToDecimalString(1999, 'USD')).toBe('19.99');
    expect(minorToDecimalString(5, 'USD')).toBe('0.05');
    expect(minorToDecimalString(-5, 'USD')).toBe('-0.05');
    expect(minorToDecimalString(0, 'USD')).toBe('0.00');
    expect(minorToDecimalString(1234, 'JPY')).toBe('1234');
    expect(minorToDecimalString(1234, 'KWD')).toBe('1.234');
  });

  it('formats from minor units exactly as from the decimal', () => {
    for (const [minor, cur, loc] of [
      [1861, 'AUD', 'en'],
      [1861, 'AUD', 'en-AU'],
      [500000, 'EUR', 'fr-FR'],
      [1234, 'JPY', 'ja-JP'],
      [1234, 'KWD', 'en'],
      [-5, 'USD', 'en-US'],
    ] as const) {
      expect(formatMinorUnits(minor, cur, loc)).toBe(formatMoney(fromMinorUnits(minor, cur), cur, loc));
    }
    expect(formatMinorUnits(1861, 'AUD', 'en')).toBe('A$18.61');
  });

  it('remembers recent amounts per locale and currency without mixing them, past its bound too', () => {
    expect(formatMinorUnits(1861, 'AUD', 'en-AU')).toBe('$18.61');
    expect(formatMinorUnits(1861, 'AUD', 'en')).toBe('A$18.61');
    expect(formatMinorUnits(1861, 'USD', 'en')).toBe('$18.61');
    expect(formatMinorUnits(1861, 'JPY', 'en')).toBe('¥1,861');
    // more distinct amounts than one formatter keeps: every answer still exact
    for (let minor = 0; minor < 3000; minor += 1) {
      expect(formatMinorUnits(minor, 'EUR', 'de-DE')).toBe(formatMoney(fromMinorUnits(minor, 'EUR'), 'EUR', 'de-DE'));
    }
    expect(formatMinorUnits(1861, 'AUD', 'en')).toBe('A$18.61');
  });

  it('a rate applied in minor units equals rounding amount × rate to the currency (USD, JPY, KWD)', () => {
    expect(timesRateInMinorUnits(1299, new Dec('0.015'))).toBe(19); // 12.99 × 0.015 = 0.19485 → 0.19
    expect(timesRateInMinorUnits(1300, new Dec('0.0125'))).toBe(16); // 16.25 → half up
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000 }),
        fc.integer({ min: 0, max: 3_000_000 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom('USD', 'JPY', 'KWD'),
        (minor, rateDigits, scale, currency) => {
          const rate = new Dec(rateDigits).dividedBy(new Dec(10).pow(scale));
          const viaDecimal = toMinorUnits(fromMinorUnits(minor, currency).times(rate), currency);
          expect(timesRateInMinorUnits(minor, rate)).toBe(viaDecimal);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('numbers become decimals through their shortest text, the same object when seen again', () => {
    expect(decimalFromNumber(19.485).toString()).toBe('19.485');
    expect(decimalFromNumber(19.485)).toBe(decimalFromNumber(19.485));
    expect(decimalFromNumber(1e21).toString()).toBe('1e+21');
    // String(-0) is "0": -0 and 0 are the same decimal, remembered or not
    expect(decimalFromNumber(-0).toString()).toBe('0');
    expect(decimalFromNumber(0).isNegative()).toBe(false);
    expect(() => decimalFromNumber(Number.NaN)).toThrow(RangeError);
  });

  it('round-trips minor units and JSON numbers', () => {
    expect(toMinorUnits('19.485', 'USD')).toBe(1949);
    expect(toMinorUnits('1.2345', 'KWD')).toBe(1235);
    expect(minorToNumber(1999, 'USD')).toBe(19.99);
    expect(minorToNumber(1234, 'KWD')).toBe(1.234);
    expect(fromMinorUnits(1999, 'USD').toString()).toBe('19.99');
    expect(fromMinorUnits(-5, 'KWD').toString()).toBe('-0.005');
    expect(fromMinorUnits(1234, 'JPY').toString()).toBe('1234');
  });

  it('knows real currencies only', () => {
    expect(isCurrencyCode('AUD')).toBe(true);
    expect(isCurrencyCode('XXY')).toBe(false);
    expect(isCurrencyCode('aud')).toBe(false);
  });

  it('locale from language and country, cached', () => {
    expect(localeFor('en', 'AU')).toBe('en-AU');
    expect(localeFor('fr-CA', 'US')).toBe('fr-CA');
    expect(localeFor(undefined, undefined)).toBe('en');
    expect(localeFor('en', 'AU')).toBe('en-AU');
  });
});
