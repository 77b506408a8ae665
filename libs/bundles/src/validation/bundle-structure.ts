/**
 * The bundle's structure, checked with its JSON Schema (bundle.schema.json, beside
 * this file). A separate Ajv instance from the partner-schema one: this one applies the bundle's
 * defaults (status, priority, when, offer_ttl, product type, pricing, and the fields of a
 * `cancellation` or `modification` block that is given) to the copy it validates. A variant's
 * `pricing_override` has no defaults: it replaces only the fields it names.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import bundleSchemaJson from './bundle.schema.json';
import { pointerToPath } from './bundle-paths';

export const BUNDLE_JSON_SCHEMA: Readonly<Record<string, unknown>> = bundleSchemaJson;

/** keywords that annotate a schema without constraining what it accepts */
const ANNOTATIONS = new Set(['description', 'title', 'default', 'examples', '$comment']);
const DEFINITION_REF = /^#\/definitions\/(.+)$/;

/**
 * The schema with every `#/definitions/…` reference replaced by the definition itself (the bundle
 * schema has no recursive definition; one would throw). Ajv validates a referenced schema in a
 * function of its own, whose errors the caller appends to its list by copying it (`concat`): with
 * `allErrors`, a bundle with tens of thousands of broken items made that copying quadratic (a
 * 100 kB body held the event loop for 20 s). Inlined, each error is pushed once. A reference's
 * annotations (`default`, `description`) are kept on the inlined copy.
 */
export function inlineDefinitions(schema: Record<string, unknown>): Record<string, unknown> {
  const definitions = (schema.definitions ?? {}) as Record<string, unknown>;
  const inline = (node: unknown, resolving: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((n) => inline(n, resolving));
    if (typeof node !== 'object' || node === null) return node;
    const { $ref, ...rest } = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rest)) out[key] = inline(value, resolving);
    const name = typeof $ref === 'string' ? DEFINITION_REF.exec($ref)?.[1] : undefined;
    if (name === undefined) return $ref === undefined ? out : { ...out, $ref };
    if (resolving.includes(name)) throw new Error(`the definition "${name}" refers to itself: it cannot be inlined`);
    if (!(name in definitions)) throw new Error(`no definition "${name}"`);
    const target = inline(definitions[name], [...resolving, name]) as Record<string, unknown>;
    const clash = Object.keys(out).some((key) => key in target && !ANNOTATIONS.has(key));
    return clash ? { ...out, allOf: [...(Array.isArray(out.allOf) ? (out.allOf as unknown[]) : []), target] } : { ...target, ...out };
  };
  const { definitions: _definitions, ...root } = schema;
  return inline(root, []) as Record<string, unknown>;
}

let validator: ValidateFunction | undefined;

function bundleValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, logger: false });
    addFormats(ajv);
    validator = ajv.compile(inlineDefinitions(bundleSchemaJson));
  }
  return validator;
}

export interface StructuralProblem {
  /** JSON pointer of the value the problem is about (a missing or extra property's own pointer) */
  pointer: string;
  path: string;
  message: string;
}

function describe(e: ErrorObject): { pointer: string; message: string } {
  const params = e.params as Record<string, unknown>;
  const child = (name: unknown): string => `${e.instancePath}/${String(name).replace(/~/g, '~0').replace(/\//g, '~1')}`;
  switch (e.keyword) {
    case 'required':
      return { pointer: child(params.missingProperty), message: 'is required' };
    case 'additionalProperties':
      return { pointer: child(params.additionalProperty), message: 'is not an allowed property' };
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map((v) => JSON.stringify(v)).join(', ') : '';
      return { pointer: e.instancePath, message: `must be one of ${allowed}` };
    }
    default:
      return { pointer: e.instancePath, message: e.message ?? 'is invalid' };
  }
}

/**
 * Validates `data` in place (defaults are written into it: pass a copy) and returns every
 * structural problem, with bundle paths.
 */
export function checkBundleStructure(data: unknown): StructuralProblem[] {
  const validate = bundleValidator();
  if (validate(data)) return [];
  const seen = new Set<string>();
  const problems: StructuralProblem[] = [];
  for (const e of validate.errors ?? []) {
    const { pointer, message } = describe(e);
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ pointer, path: pointerToPath('', pointer, data), message });
  }
  return problems;
}

/** Whether anything at `pointer` or above it is structurally broken (deeper checks skip it). */
export function isUnder(pointer: string, broken: ReadonlySet<string>): boolean {
  if (broken.has('') || broken.has(pointer)) return true;
  let p = pointer;
  while (p) {
    p = p.slice(0, p.lastIndexOf('/'));
    if (broken.has(p)) return true;
  }
  return false;
}
