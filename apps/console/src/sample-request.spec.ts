import retailBundle from '../../../libs/bundles/src/validation/__fixtures__/retail-bundle.json';
import { sampleRequest, type JsonSchema } from './sample-request';

const retail = retailBundle as unknown as { schemas: Array<{ json_schema: JsonSchema }> };

describe('sampleRequest', () => {
  it('fills every required property of the retail schema with values it accepts', () => {
    expect(sampleRequest(retail.schemas[0].json_schema, '2026-11-25')).toEqual({
      customer: { language: 'en', currency: 'USD', country: 'US' },
      context: { purchase_date: '2026-11-25', item: { sku: 'sku', title: 'title', category: 'phone', retail_value: 100 } },
    });
  });

  it('prefers the schema’s examples, defaults, consts and enums', () => {
    const schema: JsonSchema = {
      type: 'object',
      required: ['a', 'b', 'c', 'd', 'e'],
      properties: {
        a: { type: 'number', examples: [250] },
        b: { type: 'string', default: 'x' },
        c: { const: 3 },
        d: { enum: ['red', 'blue'] },
        e: { type: 'boolean' },
        optional: { type: 'string' },
      },
    };
    expect(sampleRequest(schema, '2026-01-01')).toEqual({ a: 250, b: 'x', c: 3, d: 'red', e: false });
  });

  it('keeps numbers and strings inside their bounds', () => {
    const schema: JsonSchema = {
      type: 'object',
      required: ['low', 'high', 'count', 'code', 'short', 'long'],
      properties: {
        low: { type: 'number', minimum: 500 },
        high: { type: 'number', exclusiveMaximum: 10 },
        count: { type: 'integer', minimum: 2, maximum: 9 },
        code: { type: 'string', pattern: '^[A-Z]{4}$' },
        short: { type: 'string', maxLength: 3 },
        long: { type: 'string', minLength: 8 },
      },
    };
    expect(sampleRequest(schema, '2026-01-01')).toEqual({ low: 500, high: 9.99, count: 2, code: 'AAAA', short: 'sho', long: 'longxxxx' });
  });

  it('follows local references, allOf and arrays with a minimum', () => {
    const schema: JsonSchema = {
      type: 'object',
      required: ['trip', 'people'],
      definitions: { person: { type: 'object', required: ['first_name', 'age'], properties: { first_name: { type: 'string' }, age: { type: 'integer' } } } },
      properties: {
        trip: { allOf: [{ type: 'object', required: ['start'], properties: { start: { type: 'string', format: 'date' } } }] },
        people: { type: 'array', minItems: 1, items: { $ref: '#/definitions/person' } },
      },
    };
    expect(sampleRequest(schema, '2026-01-01')).toEqual({ trip: { start: '2026-01-01' }, people: [{ first_name: 'Ada', age: 1 }] });
  });

  it('answers an empty object for a schema that is no object', () => {
    expect(sampleRequest({ type: 'string' }, '2026-01-01')).toEqual({});
    expect(sampleRequest({ $ref: '#/nowhere' }, '2026-01-01')).toEqual({});
  });
});
