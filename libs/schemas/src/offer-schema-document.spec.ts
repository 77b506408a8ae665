import { checkOfferSchemaDocument, findOfferSchemaProblems, MAX_OFFER_SCHEMA_BYTES } from './offer-schema-document';

const base = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    customer: {
      type: 'object',
      properties: { currency: { type: 'string', pattern: '^[A-Z]{3}$' }, email: { type: 'string', format: 'email' } },
    },
    context: { type: 'object', properties: { trip_cost: { type: 'number', minimum: 0 } } },
  },
};

describe('checkOfferSchemaDocument', () => {
  it('accepts a typical draft-07 schema with local refs, annotations and safe patterns', () => {
    const schema = {
      ...base,
      definitions: { code: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$' } },
      properties: {
        ...base.properties,
        partner: { type: 'object', properties: { code: { $ref: '#/definitions/code' } }, example: { code: 'x' } },
        // a property literally named "pattern" is not a regex
        context: { type: 'object', properties: { pattern: { type: 'string' } }, patternProperties: { '^x-[a-z]+$': { type: 'string' } } },
      },
    };
    expect(checkOfferSchemaDocument(schema)).toEqual([]);
  });

  it('refuses remote $ref with its pointer', () => {
    const schema = { ...base, properties: { context: { $ref: 'https://example.com/context.json' } } };
    expect(findOfferSchemaProblems(schema)).toEqual([
      { pointer: '/properties/context/$ref', message: expect.stringContaining('remote $ref "https://example.com/context.json" is not allowed') },
    ]);
  });

  it('refuses another draft', () => {
    const problems = checkOfferSchemaDocument({ ...base, $schema: 'https://json-schema.org/draft/2020-12/schema' });
    expect(problems).toEqual([expect.stringMatching(/^\/\$schema: must be http:\/\/json-schema.org\/draft-07\/schema#/)]);
  });

  it('caps the size at 256 kB', () => {
    const big = { ...base, description: 'x'.repeat(MAX_OFFER_SCHEMA_BYTES) };
    expect(checkOfferSchemaDocument(big)).toEqual([expect.stringMatching(/over the 256 kB limit/)]);
  });

  it('refuses catastrophic backtracking and accepts a plain pattern', () => {
    const schema = {
      ...base,
      properties: {
        context: {
          type: 'object',
          properties: { a: { type: 'string', pattern: '^(a+)+$' }, b: { type: 'string', pattern: '^[A-Z]{3}$' } },
          patternProperties: { '^(x|x)*y$': { type: 'string' } },
        },
      },
    };
    const problems = findOfferSchemaProblems(schema);
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          pointer: '/properties/context/properties/a/pattern',
          message: expect.stringContaining('pattern "^(a+)+$" is vulnerable to catastrophic backtracking'),
        },
        { pointer: '/properties/context/patternProperties/^(x|x)*y$', message: expect.stringContaining('vulnerable') },
      ]),
    );
  });

  it('refuses patterns that are not valid unicode regexes', () => {
    const problems = findOfferSchemaProblems({ ...base, properties: { x: { type: 'string', pattern: '\\p{Nope}' } } });
    expect(problems).toEqual([{ pointer: '/properties/x/pattern', message: expect.stringContaining('is not a valid regular expression') }]);
  });

  it('reports schemas that do not compile', () => {
    const problems = checkOfferSchemaDocument({ ...base, properties: { x: { type: 'strnig' } } });
    expect(problems).toEqual([expect.stringMatching(/^does not compile: /)]);
    expect(checkOfferSchemaDocument({ ...base, properties: { x: { $ref: '#/definitions/missing' } } })).toEqual([
      expect.stringMatching(/^does not compile: .*missing/),
    ]);
    expect(checkOfferSchemaDocument([])).toEqual(['must be a JSON Schema object']);
  });

  it('lets two schemas share an $id', () => {
    expect(checkOfferSchemaDocument({ ...base, $id: 'https://example.com/offer' })).toEqual([]);
    expect(checkOfferSchemaDocument({ ...base, $id: 'https://example.com/offer' })).toEqual([]);
  });
});
