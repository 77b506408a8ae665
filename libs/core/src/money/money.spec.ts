import { formatMinorUnits, formatMoney, fromMinorUnits, isCurrencyCode, localeFor, minorToDecimalString, minorToNumber, toMinorUnits } from './money';

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

  it('round-trips minor units and JSON numbers', () => {
    expect(toMinorUnits('19.485', 'USD')).toBe(1949);
    expect(toMinorUnits('1.2345', 'KWD')).toBe(1235);
    expect(minorToNumber(1999, 'USD')).toBe(19.99);
    expect(minorToNumber(1234, 'KWD')).toBe(1.234);
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
