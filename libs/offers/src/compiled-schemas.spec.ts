import { runInNewContext } from 'node:vm';
import type { ActiveConfig } from '@app/bundles';
import { SchemaValidatorCache } from '@app/schemas';
import { CompiledSchemas } from './compiled-schemas';

const jsonSchema = () => ({
  type: 'object',
  properties: { context: { type: 'object', properties: { n: { type: 'number', default: 1 }, tags: { type: 'array' } } } },
});

const active = (version: number, partnerId = 'p1'): ActiveConfig => ({
  partnerId,
  partnerCode: 'P',
  version,
  defaultSchema: 's',
  rateLimits: { create: 1, confirm: 1, other: 1, test: 1 },
  schemas: [{ id: 's', json_schema: jsonSchema() }],
  configs: [],
});

describe('CompiledSchemas', () => {
  it('compiles a (partner, version, schema) once; another version compiles again and drops the older entries and validators', () => {
    const validators = new SchemaValidatorCache();
    const cache = new CompiledSchemas(validators);
    const v1 = cache.get(active(1), 's');
    expect(cache.get(active(1), 's')).toBe(v1);
    expect(validators.compileCount).toBe(1);
    expect(cache.get(active(1), 'nope')).toBeNull();

    const v2 = cache.get(active(2), 's');
    expect(v2).not.toBe(v1);
    expect(validators.compileCount).toBe(2);
    expect(validators.size).toBe(1);
    // a late load of an older version compiles it, and the next version drops it again
    cache.get(active(1), 's');
    expect(validators.size).toBe(2);
    cache.get(active(3), 's');
    expect(validators.size).toBe(1);
    // other partners are untouched
    cache.get(active(1, 'p2'), 's');
    cache.get(active(4), 's');
    expect(validators.size).toBe(2);
  });

  it('the validated value is a plain object of this realm, with defaults, even when structuredClone answers from another realm', () => {
    const cache = new CompiledSchemas(new SchemaValidatorCache());
    const compiled = cache.get(active(1), 's')!;
    const foreign = runInNewContext('({ context: { tags: ["a", { b: 1 }] } })') as Record<string, unknown>;
    expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
    const original = globalThis.structuredClone;
    // what Jest's sandbox does: structuredClone returns the outer realm's objects
    globalThis.structuredClone = ((v: unknown) => runInNewContext('JSON.parse(JSON.stringify(v))', { v })) as typeof structuredClone;
    try {
      const r = compiled.validate(foreign);
      expect(r.valid).toBe(true);
      const value = (r as { value: { context: { n: number; tags: unknown[] } } }).value;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(value.context)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(value.context.tags)).toBe(Array.prototype);
      expect(Object.getPrototypeOf(value.context.tags[1])).toBe(Object.prototype);
      expect(value).toEqual({ context: { n: 1, tags: ['a', { b: 1 }] } });
      expect(compiled.evaluate('context.n + 1.0', { customer: {}, context: value.context, partner: {}, now: new Date() })).toBe(2);
    } finally {
      globalThis.structuredClone = original;
    }
  });
});
