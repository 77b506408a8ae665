/**
 * The one Ajv instance for partner offer schemas (architecture: "two validators, two jobs").
 * Draft-07 (Ajv's default), all formats, every error, schema defaults applied. Never `loadSchema`:
 * offer schemas are self-contained (remote `$ref` is refused when they are written).
 */
import { hash } from 'node:crypto';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { inlineLocalRefs } from './inline-refs';

export type PartnerAjv = Ajv;

function createPartnerAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    // partner schemas carry annotations Ajv's strict mode dislikes (example, x-*, unknown formats)
    strict: false,
    validateFormats: true,
    // schemas are not registered by `$id`: two partners may reuse one, and we look validators up ourselves
    addUsedSchema: false,
    logger: false,
  });
  addFormats(ajv);
  return ajv;
}

let instance: Ajv | undefined;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function partnerAjv(): Ajv {
  instance ??= createPartnerAjv();
  return instance;
}

/** How many distinct schema texts keep their compiled validator (the most recently used). */
export const COMPILED_BY_CONTENT_MAX = 32;
/** sha256 of the schema's JSON text → the validator compiled from it, and the object Ajv keeps it under */
const byContent = new Map<string, { validate: ValidateFunction; schema: object }>();
let compiles = 0;

/**
 * A partner schema compiled by Ajv, once per content: the same JSON text gets the same validator,
 * whichever object carries it. A bundle write checks that its schemas compile and then loads
 * them; an admin preview of a candidate bundle checks it and then builds with it; a preview
 * repeated while an operator edits the bundle's pricing sends the same schemas again. Each would
 * otherwise compile the schema anew (~5 ms of the event loop for a schema of ~20 fields).
 * Throws Ajv's error when the schema does not compile (not remembered).
 */
export function compilePartnerSchema(jsonSchema: object): ValidateFunction {
  const text = JSON.stringify(jsonSchema);
  const key = hash('sha256', text);
  const hit = byContent.get(key);
  if (hit) {
    // most recently used last, so the first key is the one to evict
    byContent.delete(key);
    byContent.set(key, hit);
    return hit.validate;
  }
  const ajv = partnerAjv();
  compiles++;
  // Ajv caches by object: compile a private copy of the text hashed, which no caller can change
  const parsed = JSON.parse(text) as object;
  // its references inlined where that is exact (validation then takes time linear in its errors),
  // once the schema as written is known valid: errors name the places the partner wrote
  const inlined = isObject(parsed) ? inlineLocalRefs(parsed) : undefined;
  const schema = inlined ?? parsed;
  let validate: ValidateFunction;
  try {
    if (inlined) void ajv.validateSchema(parsed, true);
    validate = ajv.compile(schema);
  } catch (err) {
    ajv.removeSchema(schema);
    throw err;
  }
  if (byContent.size >= COMPILED_BY_CONTENT_MAX) {
    const [oldest, entry] = byContent.entries().next().value as [string, { schema: object }];
    byContent.delete(oldest);
    // Ajv keeps compiled schemas by object; a validator already handed out keeps working without it
    ajv.removeSchema(entry.schema);
  }
  byContent.set(key, { validate, schema });
  return validate;
}

/** Real Ajv compiles by compilePartnerSchema since the process started (a content hit does not count). */
export function partnerSchemaCompileCount(): number {
  return compiles;
}
