import { Test } from '@nestjs/testing';
import { SchemasModule } from './schemas.module';
import { SchemaValidatorCache } from './schema-validator-cache';

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['customer', 'context'],
  properties: {
    customer: {
      type: 'object',
      required: ['country'],
      properties: {
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
        email: { type: 'string', format: 'email' },
        language: { type: 'string', default: 'en' },
      },
    },
    context: {
      type: 'object',
      required: ['departure_date', 'trip_cost'],
      additionalProperties: false,
      properties: {
        departure_date: { type: 'string', format: 'date' },
        trip_cost: { type: 'number', minimum: 0 },
        cover: { enum: ['basic', 'plus'], default: 'basic' },
      },
    },
  },
};

describe('SchemaValidatorCache', () => {
  let cache: SchemaValidatorCache;
  beforeEach(() => {
    cache = new SchemaValidatorCache();
  });

  it('applies defaults to a copy and returns it', () => {
    const body = { customer: { country: 'AU' }, context: { departure_date: '2026-12-01', trip_cost: 100 } };
    const result = cache.getValidator('p:1:travel', schema)(body);
    expect(result).toEqual({
      valid: true,
      value: { customer: { country: 'AU', language: 'en' }, context: { departure_date: '2026-12-01', trip_cost: 100, cover: 'basic' } },
    });
    expect(body.customer).toEqual({ country: 'AU' });
  });

  it('lists every violation by JSON pointer', () => {
    const result = cache.getValidator(
      'p:1:travel',
      schema,
    )({
      customer: { country: 'australia', email: 'not-an-email' },
      context: { departure_date: '2026-13-45', trip_cost: -1, cover: 'gold', surprise: 1 },
    });
    expect(result).toEqual({
      valid: false,
      errors: {
        '/customer/country': ['must match pattern "^[A-Z]{2}$"'],
        '/customer/email': ['must match format "email"'],
        '/context/departure_date': ['must match format "date"'],
        '/context/trip_cost': ['must be >= 0'],
        '/context/cover': ['must be one of "basic", "plus"'],
        '/context/surprise': ['is not allowed'],
      },
    });
  });

  it('names missing properties by their own path', () => {
    const result = cache.getValidator('p:1:travel', schema)({ customer: { country: 'AU' }, context: {} });
    expect(result).toEqual({
      valid: false,
      errors: { '/context/departure_date': ['is required'], '/context/trip_cost': ['is required'] },
    });
    expect(cache.getValidator('p:1:travel', schema)('nope')).toEqual({ valid: false, errors: { '/': ['must be object'] } });
  });

  it('compiles once per key and drops entries by prefix', () => {
    const first = cache.getValidator('p:1:travel', schema);
    expect(cache.getValidator('p:1:travel', schema)).toBe(first);
    cache.getValidator('p:2:travel', schema);
    cache.getValidator('q:1:travel', { ...schema });
    expect(cache.compileCount).toBe(3);
    expect(cache.invalidate('p:')).toBe(2);
    expect(cache.size).toBe(1);
    // still works after its sibling sharing the schema object was dropped
    expect(cache.getValidator('q:1:travel', schema)({ customer: { country: 'AU' }, context: { departure_date: '2026-12-01', trip_cost: 1 } }).valid).toBe(true);
    cache.getValidator('p:1:travel', schema);
    expect(cache.compileCount).toBe(4);
  });

  it('is one provider of SchemasModule', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [SchemasModule] }).compile();
    expect(moduleRef.get(SchemaValidatorCache)).toBeInstanceOf(SchemaValidatorCache);
  });
});
