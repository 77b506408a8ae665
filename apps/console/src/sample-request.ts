/**
 * A sample Create Offer body for an offer schema (JSON Schema draft-07): every required property
 * filled from the schema's own `examples`, `default`, `const` or `enum`, else a plausible value by
 * type, format and property name, kept inside the schema's bounds. A start for the Preview page.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  example?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  $ref?: string;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  definitions?: Record<string, JsonSchema>;
  $defs?: Record<string, JsonSchema>;
}

/** Plain values for well-known property names of a Create Offer body. */
const BY_NAME: Record<string, unknown> = {
  language: 'en',
  currency: 'USD',
  country: 'US',
  email: 'customer@example.com',
  first_name: 'Ada',
  last_name: 'Lovelace',
  postcode: '10001',
  region: 'NY',
};

const MAX_DEPTH = 12;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves a local `$ref` (`#/definitions/x`, `#/$defs/x`, any JSON pointer into the root). */
function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[token] : undefined;
  }
  return isObject(node) ? node : undefined;
}

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') ?? schema.type[0];
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

function sampleNumber(schema: JsonSchema, integer: boolean): number {
  const exclusiveMin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const exclusiveMax = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : undefined;
  const step = integer ? 1 : 0.01;
  const low = schema.minimum ?? (exclusiveMin !== undefined ? exclusiveMin + step : undefined);
  const high = schema.maximum ?? (exclusiveMax !== undefined ? exclusiveMax - step : undefined);
  let value = integer ? 1 : 100;
  if (low !== undefined && value < low) value = low;
  if (high !== undefined && value > high) value = high;
  return integer ? Math.ceil(value) : value;
}

function sampleString(schema: JsonSchema, name: string, today: string): string {
  switch (schema.format) {
    case 'date':
      return today;
    case 'date-time':
      return `${today}T12:00:00Z`;
    case 'email':
      return 'customer@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com/';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
  }
  const known = BY_NAME[name];
  if (typeof known === 'string' && (!schema.pattern || new RegExp(schema.pattern).test(known))) return known;
  const fixed = /^\^\[A-Z\]\{(\d+)\}\$$/.exec(schema.pattern ?? '');
  if (fixed) return 'A'.repeat(Number(fixed[1]));
  let text = name || 'text';
  if (schema.minLength !== undefined && text.length < schema.minLength) text = text.padEnd(schema.minLength, 'x');
  if (schema.maxLength !== undefined && text.length > schema.maxLength) text = text.slice(0, schema.maxLength);
  return text;
}

function sample(schema: JsonSchema, root: JsonSchema, name: string, today: string, depth: number): unknown {
  if (depth > MAX_DEPTH) return null;
  if (schema.$ref) {
    const target = resolveRef(root, schema.$ref);
    return target ? sample(target, root, name, today, depth + 1) : null;
  }
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.allOf && schema.allOf.length > 0) {
    const merged: JsonSchema = { ...schema, allOf: undefined };
    for (const part of schema.allOf) {
      const resolved = part.$ref ? (resolveRef(root, part.$ref) ?? {}) : part;
      merged.properties = { ...merged.properties, ...resolved.properties };
      merged.required = [...(merged.required ?? []), ...(resolved.required ?? [])];
      merged.type ??= resolved.type;
    }
    return sample(merged, root, name, today, depth + 1);
  }
  const choice = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (choice) return sample(choice, root, name, today, depth + 1);

  switch (typeOf(schema)) {
    case 'object': {
      const body: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        const property = schema.properties?.[key] ?? {};
        body[key] = sample(property, root, key, today, depth + 1);
      }
      return body;
    }
    case 'array': {
      const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
      const count = Math.max(schema.minItems ?? 0, 0);
      return Array.from({ length: count }, () => sample(items ?? {}, root, name, today, depth + 1));
    }
    case 'integer':
      return sampleNumber(schema, true);
    case 'number':
      return sampleNumber(schema, false);
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'string':
      return sampleString(schema, name, today);
    default: {
      const known = BY_NAME[name];
      return known ?? sampleString(schema, name, today);
    }
  }
}

/** A sample body for `schema`; `today` (YYYY-MM-DD) fills date fields. */
export function sampleRequest(schema: JsonSchema, today: string): Record<string, unknown> {
  const body = sample(schema, schema, '', today, 0);
  return isObject(body) ? body : {};
}
