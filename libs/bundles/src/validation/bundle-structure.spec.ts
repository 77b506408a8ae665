import { BUNDLE_JSON_SCHEMA, checkBundleStructure, inlineDefinitions } from './bundle-structure';

describe('inlineDefinitions', () => {
  it('replaces each reference with its definition, keeping the annotations written beside it', () => {
    const schema = {
      type: 'object',
      properties: {
        when: { $ref: '#/definitions/expr', default: 'true', description: 'a condition' },
        list: { type: 'array', items: { $ref: '#/definitions/item' } },
      },
      definitions: {
        expr: { type: 'string', maxLength: 10, description: 'an expression' },
        item: { type: 'object', properties: { e: { $ref: '#/definitions/expr' } } },
      },
    };
    expect(inlineDefinitions(schema)).toEqual({
      type: 'object',
      properties: {
        when: { type: 'string', maxLength: 10, default: 'true', description: 'a condition' },
        list: { type: 'array', items: { type: 'object', properties: { e: { type: 'string', maxLength: 10, description: 'an expression' } } } },
      },
    });
  });

  it('keeps both sides of a reference whose neighbours constrain too (allOf), and leaves other references alone', () => {
    const schema = { properties: { a: { $ref: '#/definitions/s', type: 'string' }, b: { $ref: 'other.json' } }, definitions: { s: { type: 'number' } } };
    expect(inlineDefinitions(schema)).toEqual({ properties: { a: { type: 'string', allOf: [{ type: 'number' }] }, b: { $ref: 'other.json' } } });
  });

  it('refuses a recursive or missing definition', () => {
    expect(() => inlineDefinitions({ $ref: '#/definitions/a', definitions: { a: { items: { $ref: '#/definitions/a' } } } })).toThrow('refers to itself');
    expect(() => inlineDefinitions({ $ref: '#/definitions/nope' })).toThrow('no definition "nope"');
  });

  it('inlines the whole bundle schema: no reference is left', () => {
    expect(JSON.stringify(inlineDefinitions(BUNDLE_JSON_SCHEMA as Record<string, unknown>))).not.toContain('$ref');
  });
});

describe('checkBundleStructure', () => {
  it('applies the defaults of inlined definitions, also where a reference carries its own', () => {
    const bundle = {
      partner: { code: 'ABC', name: 'A' },
      schemas: [{ id: 's', json_schema: { type: 'object' } }],
      offer_configs: [{ id: 'c', name: 'C', schema: 's', products: [{ code: 'P', name: 'P', pricing: { premium: '1.0' } }] }],
    };
    expect(checkBundleStructure(bundle)).toEqual([]);
    expect(bundle.offer_configs[0]).toMatchObject({
      when: 'true',
      products: [{ when: 'true', pricing: { tax_rate: '0.0', surcharge: '0.0', commission_rate: '0.0' } }],
    });
  });

  it('gives a variant override no defaults: it replaces only what it names (the product keeps its tax_rate)', () => {
    const bundle = {
      partner: { code: 'ABC', name: 'A' },
      schemas: [{ id: 's', json_schema: { type: 'object' } }],
      offer_configs: [
        {
          id: 'c',
          name: 'C',
          schema: 's',
          products: [{ code: 'P', name: 'P', pricing: { premium: '1.0', tax_rate: '0.1' } }],
          experiments: [
            {
              key: 'e',
              variants: [
                { name: 'a', weight: 1 },
                { name: 'b', weight: 1, overrides: { P: { pricing: { premium: '2.0' } } } },
              ],
            },
          ],
        },
      ],
    };
    expect(checkBundleStructure(bundle)).toEqual([]);
    expect(bundle.offer_configs[0].experiments[0].variants[1].overrides).toEqual({ P: { pricing: { premium: '2.0' } } });
    expect(bundle.offer_configs[0].products[0].pricing).toEqual({
      premium: '1.0',
      tax_rate: '0.1',
      surcharge: '0.0',
      commission_rate: '0.0',
    });
    const overrideSchema = (BUNDLE_JSON_SCHEMA.definitions as Record<string, { properties: Record<string, object> }>).pricing_override;
    for (const field of Object.values(overrideSchema.properties)) expect(field).not.toHaveProperty('default');
  });

  it('fills the defaults of a given cancellation or modification block, and adds neither block', () => {
    const product = (extra: object) => ({ code: 'P', name: 'P', pricing: { premium: '1.0' }, ...extra });
    const bundle = {
      partner: { code: 'ABC', name: 'A' },
      schemas: [{ id: 's', json_schema: { type: 'object' } }],
      offer_configs: [{ id: 'c', name: 'C', schema: 's', products: [product({}), product({ code: 'Q', cancellation: {}, modification: { fields: ['a'] } })] }],
    };
    expect(checkBundleStructure(bundle)).toEqual([]);
    const [bare, given] = bundle.offer_configs[0].products as Array<Record<string, unknown>>;
    expect(bare).not.toHaveProperty('cancellation');
    expect(bare).not.toHaveProperty('modification');
    expect(given.cancellation).toEqual({ cooling_off: '14d', allowed: 'now < quote.policy_end_date', refund: '0.0' });
    expect(given.modification).toEqual({ allowed: 'now < quote.policy_start_date', fields: ['a'] });
  });

  it('refuses a cooling-off that is not a duration, at its path', () => {
    const bundle = {
      partner: { code: 'ABC', name: 'A' },
      schemas: [{ id: 's', json_schema: { type: 'object' } }],
      offer_configs: [
        { id: 'c', name: 'C', schema: 's', products: [{ code: 'P', name: 'P', pricing: { premium: '1.0' }, cancellation: { cooling_off: '14x' } }] },
      ],
    };
    expect(checkBundleStructure(bundle)).toEqual([
      {
        pointer: '/offer_configs/0/products/0/cancellation/cooling_off',
        path: 'offer_configs[0].products[0].cancellation.cooling_off',
        message: 'must match pattern "^[0-9]+(s|m|h|d)$"',
      },
    ]);
  });
});
