/** The bundle a new partner starts from: one schema, one active config with one product, English content. */

export function starterBundle(code: string): Record<string, unknown> {
  return {
    partner: { code, name: code, status: 'active', default_schema: 'purchase:v1' },
    schemas: [
      {
        id: 'purchase:v1',
        description: 'One purchase at checkout',
        json_schema: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          required: ['customer', 'context'],
          properties: {
            schema: { type: 'string' },
            customer: {
              type: 'object',
              required: ['language', 'currency', 'country'],
              properties: {
                language: { type: 'string', minLength: 2, maxLength: 10 },
                currency: { type: 'string', pattern: '^[A-Z]{3}$' },
                country: { type: 'string', pattern: '^[A-Z]{2}$' },
                email: { type: 'string', format: 'email' },
              },
            },
            partner: {
              type: 'object',
              properties: { subsidiary: { type: 'string' }, transaction_id: { type: 'string' }, customer_id: { type: 'string' } },
            },
            context: {
              type: 'object',
              required: ['purchase_value'],
              properties: { purchase_value: { type: 'number', exclusiveMinimum: 0, examples: [250] } },
            },
          },
        },
      },
    ],
    offer_configs: [
      {
        id: 'purchase-protection',
        name: 'Purchase protection',
        schema: 'purchase:v1',
        status: 'active',
        priority: 10,
        when: 'context.purchase_value > 0.0',
        offer_ttl: '24h',
        products: [
          {
            code: 'PURCHASE_PROTECTION',
            type: 'xcover-product',
            name: 'Purchase protection',
            pricing: { premium: 'context.purchase_value * 0.05', tax_rate: '0.0', min_premium: '2.0' },
          },
        ],
        content: {
          default_language: 'en',
          en: {
            title: 'Protect your purchase',
            description: 'Cover against accidental damage and theft.',
            products: { PURCHASE_PROTECTION: { title: 'Purchase protection for {{ quote.price_formatted }}', benefits: ['Accidental damage', 'Theft'] } },
          },
        },
      },
    ],
  };
}
