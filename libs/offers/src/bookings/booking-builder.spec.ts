import { buildBooking, type BookableQuote } from './booking-builder';

const quote = (over: Partial<BookableQuote>): BookableQuote => ({
  id: 'q',
  productCode: 'P',
  productName: 'Product',
  currency: 'AUD',
  premiumMinor: 0,
  taxMinor: 0,
  priceMinor: 0,
  policyStart: new Date('2027-01-01T00:00:00Z'),
  policyEnd: null,
  pdsUrl: null,
  ...over,
});

const base = {
  bookingId: '8EB89-4A3H7-INS',
  offer: { id: 'offer-1', partnerId: 'p-1', offerConfigId: 'cfg', currency: 'AUD' },
  policyholder: { first_name: 'Ada', last_name: 'Lovelace', country: 'GB' },
  partnerTransactionId: 'TX',
  apiKeyId: 'k-1',
  locale: 'en-AU',
  now: new Date('2026-11-25T10:00:00.250Z'),
  newId: (() => {
    let n = 0;
    return () => `item-${++n}`;
  })(),
};

describe('buildBooking', () => {
  it('totals are the sums of the selected quotes in minor units, formatted in the offer locale', () => {
    const a = quote({ id: 'a', productCode: 'A', premiumMinor: 1235, taxMinor: 124, priceMinor: 1359 });
    const b = quote({
      id: 'b',
      productCode: 'B',
      premiumMinor: 235,
      taxMinor: 24,
      priceMinor: 259,
      policyEnd: new Date('2027-12-31T23:59:59Z'),
      pdsUrl: 'https://x/pds',
    });
    const { response, booking, items } = buildBooking({
      ...base,
      selected: [
        { quote: a, insured: [{ first_name: 'A', last_name: 'B' }] },
        { quote: b, insured: [] },
      ],
    });
    expect(response.total_price).toBe(16.18);
    expect(response.total_tax).toBe(1.48);
    expect(response.total_price_formatted).toBe(new Intl.NumberFormat('en-AU', { style: 'currency', currency: 'AUD' }).format(16.18));
    expect(booking).toMatchObject({ totalPriceMinor: 1618, totalTaxMinor: 148, totalPremiumMinor: 1470, status: 'CONFIRMED', response });
    expect(response.created_at).toBe('2026-11-25T10:00:00.250+00:00');
    expect(response.quotes.map((q) => [q.id, q.policy_number, q.price, q.tax, q.policy_end_date])).toEqual([
      ['a', '8EB89-4A3H7-INS-01', 13.59, 1.24, null],
      ['b', '8EB89-4A3H7-INS-02', 2.59, 0.24, '2027-12-31T23:59:59+00:00'],
    ]);
    expect(items.map((i) => [i.quoteId, i.policyNumber, i.priceMinor, i.bookingId])).toEqual([
      ['a', '8EB89-4A3H7-INS-01', 1359, '8EB89-4A3H7-INS'],
      ['b', '8EB89-4A3H7-INS-02', 259, '8EB89-4A3H7-INS'],
    ]);
  });

  it('adds many small amounts exactly (no binary float drift)', () => {
    const selected = Array.from({ length: 10 }, (_, i) => ({ quote: quote({ id: `q${i}`, priceMinor: 10, taxMinor: 1 }), insured: [] }));
    const { response } = buildBooking({ ...base, selected });
    expect(response.total_price).toBe(1); // 10 × 0.10, not 0.9999999999999999
    expect(response.total_tax).toBe(0.1);
  });

  it('uses the currency’s minor unit (JPY has none, KWD three)', () => {
    const jpy = buildBooking({
      ...base,
      offer: { ...base.offer, currency: 'JPY' },
      locale: 'ja-JP',
      selected: [{ quote: quote({ currency: 'JPY', priceMinor: 1980, taxMinor: 180 }), insured: [] }],
    });
    expect(jpy.response.total_price).toBe(1980);
    expect(jpy.response.total_price_formatted).toBe(new Intl.NumberFormat('ja-JP', { style: 'currency', currency: 'JPY' }).format(1980));
    const kwd = buildBooking({
      ...base,
      offer: { ...base.offer, currency: 'KWD' },
      locale: 'en',
      selected: [{ quote: quote({ currency: 'KWD', priceMinor: 12345 }), insured: [] }],
    });
    expect(kwd.response.total_price).toBe(12.345);
  });
});
