import { customerLocale, formatInstant, formatMinor, formatMinorAmounts, formatRate, isoDay, minorDigits, sumMajor, toMinor } from './format';

describe('minor units', () => {
  it('knows the digits of a currency', () => {
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
    expect(minorDigits('nope')).toBe(2);
  });

  it('formats minor units in the currency', () => {
    expect(formatMinor(123456, 'GBP')).toBe('£1,234.56');
    expect(formatMinor(500, 'JPY')).toBe('JP¥500');
    expect(formatMinor(1005, 'KWD').replace(/\s/g, ' ')).toBe('KWD 1.005');
    expect(formatMinor(-250, 'EUR')).toBe('-€2.50');
  });

  it('lists several currencies, or a dash for none', () => {
    expect(
      formatMinorAmounts([
        { currency: 'GBP', amount_minor: 630 },
        { currency: 'EUR', amount_minor: 100 },
      ]),
    ).toBe('£6.30, €1.00');
    expect(formatMinorAmounts([])).toBe('—');
  });

  it('writes amounts in the customer’s locale', () => {
    expect(customerLocale(undefined, 'AU')).toBe('en-AU');
    expect(formatMinor(12375, 'AUD', customerLocale('en', 'AU'))).toBe('$123.75');
    expect(customerLocale('fr-CA', 'FR')).toBe('fr-CA');
    expect(customerLocale('??', undefined)).toBe('en');
  });

  it('adds major amounts exactly', () => {
    expect(toMinor(18.61, 'AUD')).toBe(1861);
    expect(sumMajor([0.1, 0.2, 18.61], 'AUD')).toEqual({ currency: 'AUD', amount_minor: 1891 });
    expect(sumMajor([], 'JPY')).toEqual({ currency: 'JPY', amount_minor: 0 });
  });
});

describe('rates and instants', () => {
  it('formats a rate as a percentage', () => {
    expect(formatRate(0.1234)).toBe('12.3%');
    expect(formatRate(1)).toBe('100.0%');
    expect(formatRate(0)).toBe('0.0%');
  });

  it('formats instants in UTC', () => {
    expect(formatInstant('2026-11-25T10:00:00+02:00')).toBe('2026-11-25 08:00 UTC');
    expect(formatInstant(null)).toBe('—');
    expect(formatInstant('soon')).toBe('soon');
    expect(isoDay(new Date('2026-03-01T12:00:00Z'), -1)).toBe('2026-02-28');
  });
});
