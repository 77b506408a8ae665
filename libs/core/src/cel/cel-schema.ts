/**
 * Derives cel-js variable schemas from an offer's JSON Schema (the whole create-offer body), so
 * expressions are type-checked against the fields a partner actually sends. Anything the JSON
 * Schema does not pin down to one CEL type becomes `dyn` (checked at run time instead).
 */

/** A cel-js type string (`double`, `list<string>`, `map<string, dyn>`, ...) or a nested object schema. */
export type CelFieldType = string | CelObjectSchema;

export interface CelObjectSchema {
  [field: string]: CelFieldType;
}

export interface CelVariableSchemas {
  customer: CelFieldType;
  context: CelFieldType;
  partner: CelFieldType;
}

export const CEL_DYN_MAP = 'map<string, dyn>';

type Json = Record<string, unknown>;

const MAX_DEPTH = 24;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolve a local JSON pointer (`#/definitions/x`, `#/$defs/x`, `#/properties/a`). Remote refs → undefined. */
function resolveLocalRef(root: Json, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
    if (node === undefined) return undefined;
  }
  return node;
}

class Converter {
  constructor(private readonly root: Json) {}

  /** Follow `$ref` chains (local only); undefined when unresolvable or cyclic. */
  deref(schema: unknown, seen: Set<string>): unknown {
    let current = schema;
    while (isObject(current) && typeof current.$ref === 'string') {
      const ref = current.$ref;
      if (seen.has(ref)) return undefined;
      seen.add(ref);
      current = resolveLocalRef(this.root, ref);
    }
    return current;
  }

  convert(schema: unknown, seen: Set<string> = new Set(), depth = 0): CelFieldType {
    if (depth > MAX_DEPTH) return 'dyn';
    const s = this.deref(schema, new Set(seen));
    if (!isObject(s)) return 'dyn';
    const refs = isObject(schema) && typeof schema.$ref === 'string' ? new Set([...seen, schema.$ref]) : seen;

    if (Array.isArray(s.allOf)) return this.convertAllOf(s, refs, depth);
    for (const key of ['anyOf', 'oneOf'] as const) {
      const branches = s[key];
      if (Array.isArray(branches)) return this.sameScalar(branches.map((b) => this.convert(b, refs, depth + 1)));
    }
    if (Array.isArray(s.enum)) return scalarOfValues(s.enum);
    if ('const' in s) return scalarOfValues([s.const]);

    let type = s.type;
    if (Array.isArray(type)) {
      if (type.length !== 1) return 'dyn';
      type = type[0];
    }
    if (type === undefined) {
      if (isObject(s.properties) || s.additionalProperties !== undefined || isObject(s.patternProperties)) type = 'object';
      else if (s.items !== undefined) type = 'array';
    }
    switch (type) {
      case 'number':
      case 'integer':
        return 'double';
      case 'string':
        return 'string';
      case 'boolean':
        return 'bool';
      case 'array':
        return this.convertArray(s, refs, depth);
      case 'object':
        return this.convertObject(s, refs, depth);
      default:
        return 'dyn';
    }
  }

  private convertArray(s: Json, seen: Set<string>, depth: number): string {
    if (!isObject(s.items)) return 'list<dyn>';
    const item = this.convert(s.items, seen, depth + 1);
    return `list<${asTypeString(item)}>`;
  }

  private convertObject(s: Json, seen: Set<string>, depth: number): CelFieldType {
    const props = isObject(s.properties) ? s.properties : undefined;
    if (props && Object.keys(props).length > 0) {
      const out: CelObjectSchema = {};
      for (const [key, sub] of Object.entries(props)) {
        // defineProperty: a property named "__proto__" (JSON.parse makes it an own key) must stay a field
        Object.defineProperty(out, key, { value: this.convert(sub, seen, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    if (isObject(s.additionalProperties) && !isObject(s.patternProperties)) {
      const value = this.convert(s.additionalProperties, seen, depth + 1);
      return `map<string, ${asTypeString(value)}>`;
    }
    return CEL_DYN_MAP;
  }

  /** allOf: merge object members' properties; a single non-object member stands alone; else dyn. */
  private convertAllOf(s: Json, seen: Set<string>, depth: number): CelFieldType {
    const members = [...(s.allOf as unknown[])];
    const { allOf: _ignored, ...own } = s;
    if (Object.keys(own).some((k) => k === 'type' || k === 'properties')) members.push(own);
    const converted = members.map((m) => this.convert(m, seen, depth + 1));
    if (converted.length === 1) return converted[0];
    if (converted.every((c) => typeof c === 'object' || c === CEL_DYN_MAP)) {
      const merged: CelObjectSchema = {};
      for (const c of converted) {
        if (typeof c !== 'object') continue;
        for (const [key, value] of Object.entries(c)) {
          Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
        }
      }
      return Object.keys(merged).length > 0 ? merged : CEL_DYN_MAP;
    }
    return this.sameScalar(converted);
  }

  private sameScalar(types: CelFieldType[]): string {
    if (types.length === 0) return 'dyn';
    const first = types[0];
    if (typeof first !== 'string') return 'dyn';
    return types.every((t) => t === first) ? first : 'dyn';
  }
}

/** Nested object schemas inside lists/maps cannot be typed by cel-js without conversion: use a dyn map. */
function asTypeString(t: CelFieldType): string {
  return typeof t === 'string' ? t : CEL_DYN_MAP;
}

function scalarOfValues(values: unknown[]): string {
  if (values.length === 0) return 'dyn';
  if (values.every((v) => typeof v === 'string')) return 'string';
  if (values.every((v) => typeof v === 'number')) return 'double';
  if (values.every((v) => typeof v === 'boolean')) return 'bool';
  return 'dyn';
}

/**
 * `customer`, `context` and `partner` types from the create-offer body schema's top-level
 * `properties`. A variable the schema does not describe is a dyn map (`map<string, dyn>`).
 */
export function celSchemaFromJsonSchema(jsonSchema: unknown): CelVariableSchemas {
  const root = isObject(jsonSchema) ? jsonSchema : {};
  const converter = new Converter(root);
  const top = converter.deref(root, new Set());
  const props = isObject(top) && isObject(top.properties) ? top.properties : {};
  const variable = (name: string): CelFieldType => {
    if (!Object.hasOwn(props, name)) return CEL_DYN_MAP;
    const t = converter.convert(props[name]);
    return t === 'dyn' ? CEL_DYN_MAP : t;
  };
  return { customer: variable('customer'), context: variable('context'), partner: variable('partner') };
}
