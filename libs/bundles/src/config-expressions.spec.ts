import type { OfferConfig } from '@app/core';
import { configExpressions } from './config-expressions';

describe('configExpressions', () => {
  const config: OfferConfig = {
    id: 'c',
    name: 'C',
    schema: 's',
    when: 'true',
    products: [
      {
        code: 'P',
        name: 'P',
        pricing: { premium: '1.0' },
        cancellation: { cooling_off: '14d', allowed: 'now < quote.policy_end_date', refund: 'quote.price * 0.5' },
        modification: { allowed: 'now < quote.policy_start_date', fields: ['trip_cost'] },
      },
      { code: 'Q', name: 'Q', pricing: { premium: '2.0' }, cancellation: { refund: '0.0' } },
    ],
    content: { default_language: 'en', en: { title: 'Cover {{ customer.name }}', products: { P: { title: '{{ quote.price_formatted }}' } } } },
  };

  it('lists every expression with the quote it sees and the type it must give', () => {
    expect(configExpressions(config).map(({ path, expr, expected, quote }) => ({ path, expr, expected, quote }))).toEqual([
      { path: 'when', expr: 'true', expected: 'bool', quote: 'none' },
      { path: 'products[0].pricing.premium', expr: '1.0', expected: 'number', quote: 'none' },
      { path: 'products[0].cancellation.allowed', expr: 'now < quote.policy_end_date', expected: 'bool', quote: 'booking' },
      { path: 'products[0].cancellation.refund', expr: 'quote.price * 0.5', expected: 'number', quote: 'booking' },
      { path: 'products[0].modification.allowed', expr: 'now < quote.policy_start_date', expected: 'bool', quote: 'booking' },
      { path: 'products[1].pricing.premium', expr: '2.0', expected: 'number', quote: 'none' },
      { path: 'products[1].cancellation.refund', expr: '0.0', expected: 'number', quote: 'booking' },
      { path: 'content.en.title', expr: 'customer.name', expected: 'any', quote: 'none' },
      { path: 'content.en.products.P.title', expr: 'quote.price_formatted', expected: 'any', quote: 'content' },
    ]);
  });
});
