import { COMPILED_BY_CONTENT_MAX, compilePartnerSchema, partnerSchemaCompileCount } from './partner-ajv';
import { findOfferSchemaProblems } from './offer-schema-document';
import { SchemaValidatorCache } from './schema-validator-cache';

let unique = 0;
/** A schema no other test has compiled: `code` required, `cover` defaulted, `email` a format. */
function freshSchema(): Record<string, unknown> {
  unique++;
  return {
    type: 'object',
    required: ['code'],
    properties: {
      code: { type: 'string', description: `schema ${unique} ${Math.random()}` },
      cover: { type: 'string', enum: ['basic', 'plus'], default: 'basic' },
      email: { type: 'string', format: 'email' },
    },
    additionalProperties: false,
  };
}

describe('compilePartnerSchema: one Ajv compile per schema content', () => {
  it('the same JSON text in another object gets the same validator, without a second compile', () => {
    const schema = freshSchema();
    const before = partnerSchemaCompileCount();
    const first = compilePartnerSchema(schema);
    expect(compilePartnerSchema(structuredClone(schema))).toBe(first);
    expect(compilePartnerSchema(schema)).toBe(first);
    expect(partnerSchemaCompileCount() - before).toBe(1);
  });

  it('other content compiles again; a caller changing its object afterwards gets the new content, and the first validator is unchanged', () => {
    const schema = freshSchema();
    const first = compilePartnerSchema(schema);
    const before = partnerSchemaCompileCount();
    (schema.required as string[]).push('email');
    const second = compilePartnerSchema(schema);
    expect(second).not.toBe(first);
    expect(partnerSchemaCompileCount() - before).toBe(1);
    expect(first({ code: 'A' })).toBe(true);
    expect(second({ code: 'A' })).toBe(false);
    expect(second.errors?.[0]).toEqual(expect.objectContaining({ keyword: 'required', params: { missingProperty: 'email' } }));
  });

  it('a schema that does not compile throws every time (nothing remembered) and leaves the others working', () => {
    const good = compilePartnerSchema(freshSchema());
    const bad = { type: 'object', properties: { a: { type: 'no-such-type' } } };
    const before = partnerSchemaCompileCount();
    expect(() => compilePartnerSchema(bad)).toThrow(/type/);
    expect(() => compilePartnerSchema(structuredClone(bad))).toThrow(/type/);
    expect(partnerSchemaCompileCount() - before).toBe(2);
    expect(good({ code: 'A', email: 'not an email' })).toBe(false);
  });

  it(`keeps the ${COMPILED_BY_CONTENT_MAX} most recently used; a validator handed out before its eviction keeps validating, defaults and formats included`, () => {
    const oldest = freshSchema();
    const kept = freshSchema();
    const validateOldest = compilePartnerSchema(oldest);
    compilePartnerSchema(kept);
    for (let i = 0; i < COMPILED_BY_CONTENT_MAX - 2; i++) {
      compilePartnerSchema(freshSchema());
      compilePartnerSchema(kept); // used again: stays
    }
    const before = partnerSchemaCompileCount();
    compilePartnerSchema(freshSchema()); // evicts `oldest`
    compilePartnerSchema(kept);
    expect(partnerSchemaCompileCount() - before).toBe(1);
    expect(compilePartnerSchema(oldest)).not.toBe(validateOldest);
    expect(partnerSchemaCompileCount() - before).toBe(2);

    const body: Record<string, unknown> = { code: 'A' };
    expect(validateOldest(body)).toBe(true);
    expect(body).toEqual({ code: 'A', cover: 'basic' });
    expect(validateOldest({ code: 'A', email: 'nope' })).toBe(false);
  });

  it("a bundle write's check and the validator made from the same schema afterwards share one compile", () => {
    const schema = freshSchema();
    const before = partnerSchemaCompileCount();
    expect(findOfferSchemaProblems(schema)).toEqual([]);
    const cache = new SchemaValidatorCache();
    const validate = cache.getValidator('p:1:s', structuredClone(schema));
    cache.compileOnce(structuredClone(schema));
    expect(partnerSchemaCompileCount() - before).toBe(1);
    expect(cache.compileCount).toBe(2);
    expect(validate({ code: 'A' })).toEqual({ valid: true, value: { code: 'A', cover: 'basic' } });
    expect(validate({})).toEqual({ valid: false, errors: { '/code': ['is required'] } });
  });
});
