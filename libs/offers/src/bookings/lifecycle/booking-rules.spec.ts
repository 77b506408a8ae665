import { CelEnvironment, type CelBookingQuote, type CelVars, type Product } from '@app/core';
import { CancellationNotAllowedError, ModificationNotAllowedError, QuotePricingError } from '../bookings.errors';
import type { BookingItemRecord } from './booking-changes.sql';
import { assertModifiable, bookingVars, fieldsNotModifiable, refundedPremium, refundsFor } from './booking-rules';
import type { BookingTerms } from './booking-terms';

const DAY = 86_400_000;
const CONFIRMED = new Date('2026-05-01T00:00:00Z');
const START = new Date('2026-06-01T00:00:00Z');
const END = new Date('2026-06-11T00:00:00Z');
const PRO_RATA = 'quote.price * double((quote.policy_end_date - now).getSeconds()) / double((quote.policy_end_date - quote.policy_start_date).getSeconds())';

const env = CelEnvironment.forSchema({ type: 'object', properties: { context: { type: 'object' } } }, { bookingQuote: true });

function termsWith(products: Array<Partial<Product> & { code: string }>): BookingTerms {
  return {
    compiled: {} as BookingTerms['compiled'],
    products: new Map(products.map((p) => [p.code, { name: p.code, pricing: { premium: '1.0' }, ...p }])),
    evaluateForQuote: (expr: string, vars: CelVars, quote: CelBookingQuote) => env.compile(expr).evaluate({ ...vars, bookingQuote: quote }),
  };
}

function item(o: Partial<BookingItemRecord> = {}): BookingItemRecord {
  return {
    id: 'item-1',
    quoteId: 'quote-1',
    productCode: 'TRIP',
    policyNumber: 'AAAAA-BBBBB-INS-01',
    premiumMinor: 11000,
    taxMinor: 1000,
    priceMinor: 12000,
    policyStart: START,
    policyEnd: END,
    insured: [],
    status: 'CONFIRMED',
    confirmedAt: CONFIRMED,
    cancelledAt: null,
    refundMinor: null,
    ...o,
  };
}

const at = (d: string | Date) => bookingVars({ context: {} }, new Date(d));

describe('refundsFor', () => {
  const terms = termsWith([{ code: 'TRIP', cancellation: { refund: PRO_RATA } }, { code: 'BAG' }, { code: 'FINAL', cancellation: { allowed: 'false' } }]);

  it('refunds the whole price within the cooling-off period, and tells when it ends', () => {
    const [r] = refundsFor([item()], terms, at('2026-05-10T00:00:00Z'), 'EUR');
    expect(r).toEqual({ quoteId: 'quote-1', refundMinor: 12000, coolingOffEnd: new Date(CONFIRMED.getTime() + 14 * DAY) });
  });

  it('after it: the refund expression, exact to the cent (the worked example: 4 of 10 days left of 120.00 → 48.00)', () => {
    expect(refundsFor([item()], terms, at('2026-06-07T00:00:00Z'), 'EUR')[0].refundMinor).toBe(4800);
  });

  it('clamps the refund to [0, price] and defaults it to 0.0', () => {
    // before the policy starts the pro-rata share is more than 1: the price at most
    expect(refundsFor([item()], terms, at('2026-05-20T00:00:00Z'), 'EUR')[0].refundMinor).toBe(12000);
    const negative = termsWith([{ code: 'TRIP', cancellation: { refund: '-5.0' } }]);
    expect(refundsFor([item()], negative, at('2026-06-07T00:00:00Z'), 'EUR')[0].refundMinor).toBe(0);
    expect(refundsFor([item({ productCode: 'BAG' })], terms, at('2026-06-07T00:00:00Z'), 'EUR')[0].refundMinor).toBe(0);
  });

  it('rounds half up to the minor unit of the currency (JPY has none)', () => {
    const third = termsWith([{ code: 'TRIP', cancellation: { refund: 'quote.price / 3.0' } }]);
    expect(refundsFor([item({ priceMinor: 1000 })], third, at('2026-06-07T00:00:00Z'), 'EUR')[0].refundMinor).toBe(333);
    const half = termsWith([{ code: 'TRIP', cancellation: { refund: 'quote.price / 2.0' } }]);
    expect(refundsFor([item({ priceMinor: 1001 })], half, at('2026-06-07T00:00:00Z'), 'JPY')[0].refundMinor).toBe(501);
  });

  it('refuses a quote its rules do not let be cancelled, and a policy that has ended under the default rule', () => {
    expect(() => refundsFor([item({ productCode: 'FINAL' })], terms, at('2026-05-10T00:00:00Z'), 'EUR')).toThrow(CancellationNotAllowedError);
    expect(() => refundsFor([item({ productCode: 'BAG' })], terms, at('2026-06-12T00:00:00Z'), 'EUR')).toThrow(CancellationNotAllowedError);
  });

  it('lets an open-ended policy be cancelled under the default rule; a refund reading its absent end fails as a pricing error', () => {
    const openEnded = item({ policyEnd: null, productCode: 'BAG' });
    expect(refundsFor([openEnded], terms, at('2026-07-01T00:00:00Z'), 'EUR')[0].refundMinor).toBe(0);
    expect(() => refundsFor([item({ policyEnd: null })], terms, at('2026-07-01T00:00:00Z'), 'EUR')).toThrow(QuotePricingError);
  });

  it('a rule giving the wrong type at run time is a pricing error, not a crash', () => {
    const dyn = termsWith([{ code: 'TRIP', cancellation: { allowed: 'context.flag' } }]);
    expect(() => refundsFor([item()], dyn, bookingVars({ context: { flag: 'yes' } }, new Date('2026-06-07T00:00:00Z')), 'EUR')).toThrow(QuotePricingError);
  });
});

describe('modification rules', () => {
  const terms = termsWith([{ code: 'TRIP', modification: { fields: ['trip_cost'] } }, { code: 'BAG' }]);

  it('allows a change until the policy starts by default', () => {
    expect(() => assertModifiable(item(), terms, at('2026-05-31T23:59:59Z'), 'EUR')).not.toThrow();
    expect(() => assertModifiable(item(), terms, at('2026-06-01T00:00:00Z'), 'EUR')).toThrow(ModificationNotAllowedError);
  });

  it('names the update fields the product does not let change; any field when it lists none', () => {
    expect(fieldsNotModifiable(item(), terms, { trip_cost: 1, destination: 'JP' })).toEqual(['destination']);
    expect(fieldsNotModifiable(item({ productCode: 'BAG' }), terms, { destination: 'JP' })).toEqual([]);
  });
});

describe('refundedPremium', () => {
  it('is the premium share of the refund, rounded half up, exact for large amounts', () => {
    expect(refundedPremium({ premiumMinor: 11000, priceMinor: 12000 }, 12000)).toBe(11000);
    expect(refundedPremium({ premiumMinor: 11000, priceMinor: 12000 }, 4800)).toBe(4400);
    expect(refundedPremium({ premiumMinor: 100, priceMinor: 300 }, 150)).toBe(50);
    expect(refundedPremium({ premiumMinor: 1, priceMinor: 2 }, 1)).toBe(1);
    expect(refundedPremium({ premiumMinor: 2_000_000_000, priceMinor: 2_100_000_000 }, 2_099_999_999)).toBe(1_999_999_999);
    expect(refundedPremium({ premiumMinor: 0, priceMinor: 0 }, 0)).toBe(0);
  });
});
