/**
 * Compiled partner-schema validators, compiled once per schema version and looked up by key
 * (`${partnerId}:${version}:${schemaId}`). Validation never mutates the caller's body: Ajv's
 * `useDefaults` writes into a structured clone, which is returned with the defaults applied.
 */
import { Injectable } from '@nestjs/common';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { escapePointerToken } from './offer-schema-document';
import { compilePartnerSchema } from './partner-ajv';

/** JSON pointer of the failing value (`/context/trip_cost`; `/` for the body itself) → messages. */
export type BodyValidationErrors = Record<string, string[]>;
export type BodyValidationResult = { valid: true; value: unknown } | { valid: false; errors: BodyValidationErrors };
export interface BodyValidationOptions {
  /**
   * The caller owns the body and will not use it unvalidated again: defaults are written into it
   * instead of into a copy (saves a structured clone per request on Create Offer).
   */
  inPlace?: boolean;
}
export type BodyValidator = (body: unknown, options?: BodyValidationOptions) => BodyValidationResult;

const MAX_ENTRIES = 2000;

function messageFor(e: ErrorObject): { path: string; message: string } {
  const params = e.params as Record<string, unknown>;
  const at = (name: unknown): string => `${e.instancePath}/${escapePointerToken(String(name))}`;
  switch (e.keyword) {
    case 'required':
      return { path: at(params.missingProperty), message: 'is required' };
    case 'dependencies':
    case 'dependentRequired':
      return { path: at(params.missingProperty), message: `is required when ${String(params.property)} is present` };
    case 'additionalProperties':
      return { path: at(params.additionalProperty), message: 'is not allowed' };
    case 'unevaluatedProperties':
      return { path: at(params.unevaluatedProperty), message: 'is not allowed' };
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map((v) => JSON.stringify(v)).join(', ') : '';
      return { path: e.instancePath, message: allowed ? `must be one of ${allowed}` : (e.message ?? 'is invalid') };
    }
    default:
      return { path: e.instancePath, message: e.message ?? 'is invalid' };
  }
}

/** Ajv errors as `{ "/json/pointer": ["message", …] }`, each message once per path. */
export function ajvErrorsToPointers(errors: ErrorObject[] | null | undefined): BodyValidationErrors {
  const out: BodyValidationErrors = {};
  for (const e of errors ?? []) {
    const { path, message } = messageFor(e);
    const key = path || '/';
    const list = (out[key] ??= []);
    if (!list.includes(message)) list.push(message);
  }
  return out;
}

function toValidator(validate: ValidateFunction): BodyValidator {
  return (body, options) => {
    const value = options?.inPlace ? body : structuredClone(body);
    if (validate(value)) return { valid: true, value };
    return { valid: false, errors: ajvErrorsToPointers(validate.errors) };
  };
}

@Injectable()
export class SchemaValidatorCache {
  private readonly entries = new Map<string, BodyValidator>();
  private misses = 0;

  /**
   * Validators this cache had to make (a lookup hit does not count). Each is an Ajv compile unless
   * the same schema content was compiled recently (compilePartnerSchema).
   */
  get compileCount(): number {
    return this.misses;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The validator for `cacheKey`, compiling `jsonSchema` on first use. The key must identify the
   * schema's content (partner, bundle version, schema id): a later call with the same key gets the
   * first compile. Throws if the schema does not compile (schemas are checked when written).
   */
  getValidator(cacheKey: string, jsonSchema: object): BodyValidator {
    const hit = this.entries.get(cacheKey);
    if (hit) return hit;
    this.misses++;
    const validator = toValidator(compilePartnerSchema(jsonSchema));
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(cacheKey, validator);
    return validator;
  }

  /** A validator for one use (a preview's candidate schema), not kept under a key. */
  compileOnce(jsonSchema: object): BodyValidator {
    this.misses++;
    return toValidator(compilePartnerSchema(jsonSchema));
  }

  /** Drops every entry whose key starts with `prefix` (e.g. `${partnerId}:`); all when empty. Returns how many. */
  invalidate(prefix = ''): number {
    let dropped = 0;
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }
}
