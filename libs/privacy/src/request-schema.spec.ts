import { schemaRefusesErased, schemasAt } from './request-schema';

const schema = {
  type: 'object',
  definitions: { person: { type: 'object', properties: { first_name: { type: 'string' }, birth_date: { type: 'string', format: 'date' } } } },
  properties: {
    customer: {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email' },
        ip_address: { type: 'string' },
        postcode: { type: 'string', pattern: '^[0-9]{4}$' },
        phone: { type: 'integer' },
        name: { type: 'string', maxLength: 5 },
        title: { enum: ['Mr', 'Ms'] },
      },
    },
    partner: { type: 'object', properties: { customer_id: { type: ['string', 'null'] } }, additionalProperties: { type: 'number' } },
    context: { type: 'object', properties: { travellers: { type: 'array', items: { $ref: '#/definitions/person' } } } },
    extra: { allOf: [{ type: 'string' }, { format: 'uri' }] },
  },
};

describe('the request schema decides "[erased]" or removal', () => {
  it.each([
    [['customer', 'email'], true],
    [['customer', 'ip_address'], false],
    [['customer', 'postcode'], true],
    [['customer', 'phone'], true],
    [['customer', 'name'], true],
    [['customer', 'title'], true],
    [['partner', 'customer_id'], false],
    [['partner', 'other'], true],
    [['context', 'travellers', 0, 'first_name'], false],
    [['context', 'travellers', 1, 'birth_date'], true],
    [['extra'], true],
    [['customer', 'unknown_field'], false],
    [['nowhere', 'email'], false],
  ] as Array<[Array<string | number>, boolean]>)('%j → refuses: %s', (path, refuses) => {
    expect(schemaRefusesErased(schema, path)).toBe(refuses);
  });

  it('says nothing without a schema, or for a remote $ref', () => {
    expect(schemaRefusesErased(undefined, ['customer', 'email'])).toBe(false);
    expect(schemasAt({ properties: { a: { $ref: 'https://example.com/s.json' } } }, ['a'])).toEqual([]);
  });
});
