/**
 * The bundle's structure, checked with its JSON Schema (spec/bundle.schema.json, copied beside
 * this file). A separate Ajv instance from the partner-schema one: this one applies the bundle's
 * defaults (status, priority, when, offer_ttl, product type, pricing) to the copy it validates.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import bundleSchemaJson from './bundle.schema.json';
import { pointerToPath } from './bundle-paths';

export const BUNDLE_JSON_SCHEMA: Readonly<Record<string, unknown>> = bundleSchemaJson;

/**
 * The schema gives `pricing_override` fields the same defaults as `pricing`; applied to a variant's
 * override they would replace the product's real tax and commission with 0.0. An override only
 * replaces what it names, so those defaults are dropped before compiling.
 */
function withoutOverrideDefaults(schema: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(schema) as { definitions?: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
  for (const property of Object.values(copy.definitions?.pricing_override?.properties ?? {})) delete property.default;
  return copy as Record<string, unknown>;
}

let validator: ValidateFunction | undefined;

function bundleValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, logger: false });
    addFormats(ajv);
    validator = ajv.compile(withoutOverrideDefaults(bundleSchemaJson));
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
