import fc from 'fast-check';
import Decimal from 'decimal.js';
import { Dec, currencyMinorDigits } from '@app/core';
import type { Product } from '@app/core';
import { quoteProduct } from './quote-product';
import { toProductResponse, toQuoteVars } from './product-response';
import type { CelVars, Evaluate } from './quotes.types';

const vars: CelVars = { customer: {}, context: {}, partner: {}, now: new Date('2026-01-01T00:00:00Z') };

/** a CEL number as an expression can yield it: a double, an int, or a double parsed from decimal text */
const money = (max: number): fc.Arbitrary<number | bigint> =>
  fc.oneof(
    fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true }),
    fc.bigInt({ min: 0n, max: BigInt(max) }),
    fc
      .tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 4 }))
      .map(([i, f, d]) => Number(`${i}.${String(f).padStart(4, '0').slice(0, d)}`)),
  );

const rate = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.constantFrom(0n, 1n),
  fc.integer({ min: 0, max: 1000 }).map((n) => Number(`0.${String(n).padStart(3, '0')}`)),
);

const exact = (v: number | bigint): Decimal => (typeof v === 'bigint' ? new Dec(v.toString()) : new Dec(String(v)));

describe('quoteProduct: properties', () => {
  it('price = premium + surcharge + tax and without_tax = premium + surcharge, exactly, nothing negative', () => {
    fc.assert(
      fc.property(
        fc.record({
          premium: money(50_000),
          surcharge: fc.option(money(500), { nil: undefined }),
          taxRate: fc.option(rate, { nil: undefined }),
          commissionRate: fc.option(rate, { nil: undefined }),
          min: fc.option(money(100), { nil: undefined }),
          maxExtra: fc.option(money(50_000), { nil: undefined }),
          currency: fc.constantFrom('AUD', 'USD', 'EUR', 'JPY', 'KWD', 'GBP'),
        }),
        (c) => {
          const max = c.maxExtra === undefined ? undefined : exact(c.min ?? 0).plus(exact(c.maxExtra));
          const values: Record<string, unknown> = {
            premium: c.premium,
            surcharge: c.surcharge,
            tax_rate: c.taxRate,
            commission_rate: c.commissionRate,
            min_premium: c.min,
            max_premium: max === undefined ? undefined : max.toNumber(),
          };
          const evaluate: Evaluate = (expr) => values[expr];
          const pricing: Product['pricing'] = { premium: 'premium' };
          for (const f of ['surcharge', 'tax_rate', 'commission_rate', 'min_premium', 'max_premium'] as const) {
            if (values[f] !== undefined) pricing[f] = f;
          }
          const r = quoteProduct({ code: 'P', name: 'P', pricing }, { vars, currency: c.currency, locale: 'en', evaluate });
          if (!r.ok) throw new Error(r.message);
          const q = r.quote;
          const amounts = [q.premiumMinor, q.surchargeMinor, q.taxMinor, q.priceMinor, q.priceWithoutTaxMinor, q.commissionMinor];
          for (const a of amounts) {
            expect(Number.isSafeInteger(a)).toBe(true);
            expect(a).toBeGreaterThanOrEqual(0);
          }
          expect(q.priceMinor).toBe(q.premiumMinor + q.surchargeMinor + q.taxMinor);
          expect(q.priceWithoutTaxMinor).toBe(q.premiumMinor + q.surchargeMinor);

          // an independent oracle of the pricing rules in decimal arithmetic
          const digits = currencyMinorDigits(c.currency);
          const round = (d: Decimal) => d.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP);
          const toMinor = (d: Decimal) => round(d).times(new Dec(10).pow(digits)).toNumber();
          let p = exact(c.premium);
          if (c.min !== undefined && p.lessThan(exact(c.min))) p = exact(c.min);
          if (max !== undefined && p.greaterThan(exact(max.toNumber()))) p = exact(max.toNumber());
          const premium = round(p);
          const surcharge = round(c.surcharge === undefined ? new Dec(0) : exact(c.surcharge));
          const tax = round(premium.plus(surcharge).times(c.taxRate === undefined ? 0 : exact(c.taxRate)));
          const commission = round(premium.times(c.commissionRate === undefined ? 0 : exact(c.commissionRate)));
          expect(q.premiumMinor).toBe(toMinor(premium));
          expect(q.surchargeMinor).toBe(toMinor(surcharge));
          expect(q.taxMinor).toBe(toMinor(tax));
          expect(q.commissionMinor).toBe(toMinor(commission));

          // JSON numbers carry exactly the rounded decimal, no float residue
          const res = toProductResponse(q, { id: 'q', extraFields: new Set(['tax', 'surcharge', 'commission']) });
          const price = res.details.finance.price;
          expect(new Dec(String(price.total_amount)).equals(premium.plus(surcharge).plus(tax))).toBe(true);
          expect(new Dec(String(price.total_amount_without_tax)).equals(premium.plus(surcharge))).toBe(true);
          expect(new Dec(String(res.details.finance.tax?.total_amount)).equals(tax)).toBe(true);
          expect(new Dec(String(price.total_amount)).decimalPlaces()).toBeLessThanOrEqual(digits);
          expect(price.total_amount_formatted).toMatch(/\d/);
          expect(toQuoteVars(q).price).toBe(price.total_amount);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('any negative premium fails naming pricing.premium', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }), fc.bigInt({ max: -1n })), (premium) => {
        const r = quoteProduct({ code: 'P', name: 'P', pricing: { premium: 'p' } }, { vars, currency: 'AUD', locale: 'en', evaluate: () => premium });
        expect(r.ok).toBe(false);
        expect(!r.ok && r.message).toContain('pricing.premium');
      }),
    );
  });
});
