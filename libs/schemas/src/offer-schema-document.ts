/**
 * Write-time checks of a partner offer schema: draft-07 only, no remote `$ref`,
 * ≤ 256 kB, every `pattern` a valid regex without catastrophic backtracking, and it compiles.
 */
import { SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUED } from './inline-refs';
import { compilePartnerSchema } from './partner-ajv';
import { checkRegexSafety } from './regex-safety';

export const MAX_OFFER_SCHEMA_BYTES = 256 * 1024;
/** time allowed for analysing one document's patterns (each pattern is also capped by recheck's timeout) */
const PATTERN_BUDGET_MS = 10_000;

const DRAFT_07 = new Set([
  'http://json-schema.org/draft-07/schema#',
  'http://json-schema.org/draft-07/schema',
  'https://json-schema.org/draft-07/schema#',
  'https://json-schema.org/draft-07/schema',
]);

/** `pointer` is a JSON pointer into the schema document ('' for the document itself). */
export interface OfferSchemaProblem {
  pointer: string;
  message: string;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Visits every subschema (not `enum`/`const`/`default`/`examples` data), depth-first. */
function walkSchema(schema: unknown, pointer: string, visit: (s: Json, pointer: string) => void, depth = 0): void {
  if (!isObject(schema) || depth > 200) return;
  visit(schema, pointer);
  for (const key of SCHEMA_VALUED) {
    if (isObject(schema[key])) walkSchema(schema[key], `${pointer}/${key}`, visit, depth + 1);
  }
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (!isObject(map)) continue;
    for (const [name, sub] of Object.entries(map)) {
      walkSchema(sub, `${pointer}/${key}/${escapePointerToken(name)}`, visit, depth + 1);
    }
  }
  for (const key of SCHEMA_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((sub, i) => walkSchema(sub, `${pointer}/${key}/${i}`, visit, depth + 1));
  }
  const items = schema.items;
  if (Array.isArray(items)) items.forEach((sub, i) => walkSchema(sub, `${pointer}/items/${i}`, visit, depth + 1));
  else if (isObject(items)) walkSchema(items, `${pointer}/items`, visit, depth + 1);
  const deps = schema.dependencies;
  if (isObject(deps)) {
    for (const [name, sub] of Object.entries(deps)) {
      if (isObject(sub)) walkSchema(sub, `${pointer}/dependencies/${escapePointerToken(name)}`, visit, depth + 1);
    }
  }
}

function byteSize(v: unknown): number | undefined {
  try {
    const text = JSON.stringify(v);
    return text === undefined ? undefined : Buffer.byteLength(text, 'utf8');
  } catch {
    return undefined;
  }
}

/** Every problem of an offer schema document, each with the JSON pointer of the offending part. */
export function findOfferSchemaProblems(jsonSchema: unknown): OfferSchemaProblem[] {
  if (!isObject(jsonSchema)) return [{ pointer: '', message: 'must be a JSON Schema object' }];
  const size = byteSize(jsonSchema);
  if (size === undefined) return [{ pointer: '', message: 'must be JSON' }];
  if (size > MAX_OFFER_SCHEMA_BYTES) {
    return [{ pointer: '', message: `is ${Math.ceil(size / 1024)} kB, over the ${MAX_OFFER_SCHEMA_BYTES / 1024} kB limit` }];
  }

  const problems: OfferSchemaProblem[] = [];
  let compilable = true;
  const declared = jsonSchema.$schema;
  if (declared !== undefined && (typeof declared !== 'string' || !DRAFT_07.has(declared))) {
    problems.push({ pointer: '/$schema', message: `must be http://json-schema.org/draft-07/schema# (got ${JSON.stringify(declared)})` });
    compilable = false;
  }

  const deadline = Date.now() + PATTERN_BUDGET_MS;
  walkSchema(jsonSchema, '', (s, pointer) => {
    const ref = s.$ref;
    if (typeof ref === 'string' && !ref.startsWith('#')) {
      problems.push({ pointer: `${pointer}/$ref`, message: `remote $ref "${ref}" is not allowed; use a local reference such as #/definitions/name` });
      compilable = false;
    }
    if (typeof s.pattern === 'string') {
      const verdict = checkRegexSafety(s.pattern, deadline);
      if (!verdict.ok) {
        problems.push({ pointer: `${pointer}/pattern`, message: `pattern ${JSON.stringify(s.pattern)} ${verdict.message}` });
        compilable = false;
      }
    }
    if (isObject(s.patternProperties)) {
      for (const source of Object.keys(s.patternProperties)) {
        const verdict = checkRegexSafety(source, deadline);
        if (!verdict.ok) {
          problems.push({
            pointer: `${pointer}/patternProperties/${escapePointerToken(source)}`,
            message: `pattern ${JSON.stringify(source)} ${verdict.message}`,
          });
          compilable = false;
        }
      }
    }
  });

  if (compilable) {
    const message = compileError(jsonSchema);
    if (message) problems.push({ pointer: '', message: `does not compile: ${message}` });
  }
  return problems;
}

/** Ajv's message when the schema does not compile (a schema that does is kept compiled, by content, for its use). */
function compileError(jsonSchema: Json): string | undefined {
  try {
    compilePartnerSchema(jsonSchema);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The same checks as messages (`/properties/code/pattern: pattern "…" is vulnerable…`); empty when the schema is fine. */
export function checkOfferSchemaDocument(jsonSchema: unknown): string[] {
  return findOfferSchemaProblems(jsonSchema).map((p) => (p.pointer ? `${p.pointer}: ${p.message}` : p.message));
}
