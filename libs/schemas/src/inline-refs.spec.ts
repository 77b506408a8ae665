import Ajv, { type ValidateFunction } from 'ajv';
import { inlineLocalRefs } from './inline-refs';
import { compilePartnerSchema } from './partner-ajv';

describe('inlineLocalRefs', () => {
  it('replaces references (definitions, $defs, any pointer) with their targets, and drops the root definitions', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { $ref: '#/definitions/name' },
        b: { $ref: '#/$defs/pair' },
        c: { $ref: '#/properties/a' },
        d: { $ref: '#/definitions/odd%20~1name~0' },
      },
      definitions: { name: { type: 'string', maxLength: 3 }, 'odd /name~': { type: 'integer' } },
      $defs: { pair: { type: 'array', items: [{ $ref: '#/definitions/name' }, { type: 'number' }] } },
    };
    expect(inlineLocalRefs(schema)).toEqual({
      type: 'object',
      properties: {
        a: { type: 'string', maxLength: 3 },
        b: { type: 'array', items: [{ type: 'string', maxLength: 3 }, { type: 'number' }] },
        c: { type: 'string', maxLength: 3 },
        d: { type: 'integer' },
      },
    });
  });

  it("keeps a reference's neighbours beside its target (allOf), and data that looks like a reference as it is", () => {
    const schema = {
      properties: {
        a: { $ref: '#/definitions/s', maxLength: 2, default: 'x', allOf: [{ minLength: 1 }] },
        b: { enum: [{ $ref: '#/definitions/s' }], default: { $ref: '#/nowhere' } },
        $ref: { type: 'string' },
      },
      definitions: { s: { type: 'string' } },
    };
    expect(inlineLocalRefs(schema)).toEqual({
      properties: {
        a: { maxLength: 2, default: 'x', allOf: [{ minLength: 1 }, { type: 'string' }] },
        b: { enum: [{ $ref: '#/definitions/s' }], default: { $ref: '#/nowhere' } },
        $ref: { type: 'string' },
      },
    });
  });

  it('keeps a property named __proto__ as a property', () => {
    const schema = JSON.parse('{"properties":{"__proto__":{"$ref":"#/definitions/s"}},"definitions":{"s":{"type":"string"}}}') as Record<string, unknown>;
    const inlined = inlineLocalRefs(schema) as { properties: Record<string, unknown> };
    expect(Object.keys(inlined.properties)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(inlined.properties, '__proto__')?.value).toEqual({ type: 'string' });
  });

  it('leaves alone (undefined) what it cannot inline exactly: recursion, a nested $id, a reference to nothing or elsewhere, a copy too large', () => {
    expect(
      inlineLocalRefs({
        properties: { tree: { $ref: '#/definitions/node' } },
        definitions: { node: { properties: { kids: { items: { $ref: '#/definitions/node' } } } } },
      }),
    ).toBeUndefined();
    expect(inlineLocalRefs({ properties: { self: { $ref: '#' } } })).toBeUndefined();
    expect(inlineLocalRefs({ properties: { a: { properties: { b: { $ref: '#/properties/a' } } } } })).toBeUndefined();
    expect(inlineLocalRefs({ properties: { a: { $id: 'a.json', $ref: '#/definitions/s' } }, definitions: { s: {} } })).toBeUndefined();
    expect(inlineLocalRefs({ properties: { a: { $ref: '#/definitions/missing' } } })).toBeUndefined();
    expect(inlineLocalRefs({ properties: { a: { $ref: 'other.json#/x' } } })).toBeUndefined();
    expect(inlineLocalRefs({ properties: { a: { $ref: '#/definitions/%E0%A4%A' } } })).toBeUndefined();
    // each level refers to the next twice: 2^20 copies
    const definitions: Record<string, unknown> = { d20: { type: 'string' } };
    for (let i = 0; i < 20; i++) definitions[`d${i}`] = { properties: { x: { $ref: `#/definitions/d${i + 1}` }, y: { $ref: `#/definitions/d${i + 1}` } } };
    expect(inlineLocalRefs({ $ref: '#/definitions/d0', definitions })).toBeUndefined();
    // a root $id is fine: fragments resolve against the document either way
    expect(
      inlineLocalRefs({ $id: 'https://example.com/s.json', properties: { a: { $ref: '#/definitions/s' } }, definitions: { s: { type: 'string' } } }),
    ).toEqual({
      $id: 'https://example.com/s.json',
      properties: { a: { type: 'string' } },
    });
  });

  it('validates as the schema it came from: same verdicts, same errors', () => {
    const schema = {
      type: 'object',
      required: ['travellers'],
      properties: {
        travellers: { type: 'array', maxItems: 3, items: { $ref: '#/definitions/traveller' } },
        cover: { $ref: '#/definitions/level', default: 'basic' },
      },
      additionalProperties: false,
      definitions: {
        traveller: { type: 'object', required: ['name', 'age'], properties: { name: { $ref: '#/definitions/name' }, age: { type: 'integer', minimum: 0 } } },
        name: { type: 'string', minLength: 1 },
        level: { enum: ['basic', 'plus'] },
      },
    };
    const inlined = inlineLocalRefs(schema);
    expect(inlined).toBeDefined();
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    const original = ajv.compile(schema);
    const flat = ajv.compile(inlined as object);
    const samples: unknown[] = [
      { travellers: [{ name: 'Ada', age: 36 }] },
      { travellers: [{ name: '', age: -1 }, {}, { name: 3 }, 'x'], cover: 'gold', extra: 1 },
      { travellers: [] },
      {},
      [],
    ];
    const errorsOf = (v: ValidateFunction, data: unknown) => {
      const copy = structuredClone(data);
      const ok = v(copy);
      return { ok, copy, errors: (v.errors ?? []).map((e) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)}`).sort() };
    };
    for (const data of samples) expect(errorsOf(flat, data)).toEqual(errorsOf(original, data));
  });
});

describe('compilePartnerSchema with references', () => {
  it('validates 30 000 items failing a definition that uses references in time linear in the errors', () => {
    const schema = {
      type: 'object',
      properties: { context: { type: 'object', properties: { travellers: { type: 'array', items: { $ref: '#/definitions/traveller' } } } } },
      definitions: {
        traveller: { type: 'object', required: ['name', 'age'], properties: { name: { $ref: '#/definitions/name' }, age: { type: 'integer' } } },
        name: { type: 'string', description: `inline-refs spec ${Math.random()}` },
      },
    };
    const validate = compilePartnerSchema(schema);
    const body = { context: { travellers: Array.from({ length: 30_000 }, () => ({})) } };
    const started = performance.now();
    expect(validate(body)).toBe(false);
    const elapsed = performance.now() - started;
    expect(validate.errors).toHaveLength(60_000);
    expect(validate.errors?.[59_999]).toMatchObject({ instancePath: '/context/travellers/29999', keyword: 'required', params: { missingProperty: 'age' } });
    // quadratic (Ajv's own references), this took ~30 s; linear, a few tens of ms
    expect(elapsed).toBeLessThan(3000);
  });

  it('reports an invalid schema as Ajv does, by the places the partner wrote', () => {
    expect(() => compilePartnerSchema({ properties: { a: { $ref: '#/definitions/s' } }, definitions: { s: { type: 'no-such-type' } } })).toThrow(
      /^schema is invalid: data\/definitions\/s\/type must be equal to one of the allowed values/,
    );
  });
});
