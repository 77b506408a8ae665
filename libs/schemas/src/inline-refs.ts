/**
 * A partner schema with its local references replaced by what they point at, for Ajv to compile.
 *
 * Ajv validates each `$ref` in a function of its own and, with `allErrors`, appends that function's
 * errors to the caller's by copying the caller's whole list (`concat`): the work grows with the
 * square of the number of errors. A 100 kB Create Offer body of 33 000 items failing a definition
 * that itself uses a `$ref` held a thread for 30 s. Inlined, every error is pushed once.
 */

type Json = Record<string, unknown>;

/** Keywords whose value is a schema, a map of schemas, or a list of schemas (draft-07, plus $defs). */
export const SCHEMA_VALUED = ['additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else'];
export const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs'];
export const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];

/** schema nodes an inlined copy may have: past it, the schema is compiled with its references */
export const INLINED_NODES_MAX = 50_000;

class NotInlinable extends Error {}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** an own property, whatever its name (`out.__proto__ = x` would set the prototype instead) */
function put(obj: Json, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `#/a/b~1c` → the value at /a/b/c of `root`; undefined when there is none or the fragment is not a JSON pointer */
function resolve(root: Json, fragment: string): { pointer: string; target: unknown } {
  let pointer: string;
  try {
    pointer = decodeURIComponent(fragment.slice(1));
  } catch {
    throw new NotInlinable();
  }
  if (pointer !== '' && !pointer.startsWith('/')) throw new NotInlinable();
  let node: unknown = root;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(token)) node = node[Number(token)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else throw new NotInlinable();
  }
  if (node === undefined) throw new NotInlinable();
  return { pointer, target: node };
}

/**
 * `schema` (draft-07) with every `$ref` replaced by its target: `{ "$ref": r }` becomes the target,
 * `{ "$ref": r, ...others }` becomes `{ ...others, "allOf": [...others.allOf, target] }` (Ajv applies
 * a reference's neighbours as well). The root's `definitions` and `$defs` are left out: nothing
 * refers to them any more. Undefined when that cannot be done exactly or cheaply, and the schema
 * is then compiled as it is: a reference that is not a local JSON pointer, points at nothing or,
 * through others, at itself; an `$id` below the root (it changes what references resolve against);
 * a copy of more than `maxNodes` schemas.
 */
export function inlineLocalRefs(schema: Json, maxNodes = INLINED_NODES_MAX): Json | undefined {
  let nodes = 0;

  const copySchema = (node: unknown, resolving: readonly string[]): unknown => {
    if (++nodes > maxNodes) throw new NotInlinable();
    if (!isObject(node)) return node;
    if (node !== schema && Object.hasOwn(node, '$id')) throw new NotInlinable();
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' || (node === schema && (key === 'definitions' || key === '$defs'))) continue;
      put(out, key, copyKeyword(key, value, resolving));
    }
    if (!Object.hasOwn(node, '$ref')) return out;
    const ref = node.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#')) throw new NotInlinable();
    const { pointer, target } = resolve(schema, ref);
    // the target is being inlined already, or holds what is: a reference to itself
    if (resolving.some((p) => p === pointer || p.startsWith(`${pointer}/`)) || pointer === '') throw new NotInlinable();
    const inlined = copySchema(target, [...resolving, pointer]);
    if (Object.keys(out).length === 0) return inlined;
    return { ...out, allOf: [...(Array.isArray(out.allOf) ? (out.allOf as unknown[]) : []), inlined] };
  };

  const copyKeyword = (key: string, value: unknown, resolving: readonly string[]): unknown => {
    if (SCHEMA_VALUED.includes(key)) return copySchema(value, resolving);
    if (SCHEMA_LISTS.includes(key) && Array.isArray(value)) return value.map((s) => copySchema(s, resolving));
    if ((SCHEMA_MAPS.includes(key) || key === 'dependencies') && isObject(value)) {
      const map: Json = {};
      // a dependency may be a list of property names rather than a schema
      for (const [name, sub] of Object.entries(value)) put(map, name, key === 'dependencies' && Array.isArray(sub) ? sub : copySchema(sub, resolving));
      return map;
    }
    if (key === 'items') return Array.isArray(value) ? value.map((s) => copySchema(s, resolving)) : copySchema(value, resolving);
    // data (enum, const, default, examples) and annotations, as they are
    return value;
  };

  try {
    return copySchema(schema, []) as Json;
  } catch (e) {
    if (e instanceof NotInlinable) return undefined;
    throw e;
  }
}
