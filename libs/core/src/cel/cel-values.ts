/**
 * Turning CEL results (cel-js values: double → number, int → bigint, timestamp → Date, map → Map
 * or object, list → Array) into what the domain needs. Each throws ExpressionEvaluationError so a
 * caller handles one error type for "the expression did not give what the field needs".
 */
import { ExpressionEvaluationError } from './expression-evaluation-error';

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a timestamp';
  if (v instanceof Map || typeof v === 'object') return 'a map';
  return `a ${typeof v === 'bigint' ? 'int' : typeof v === 'number' ? 'double' : typeof v}`;
}

/** double or int → JS number; anything else (including NaN and ±Infinity) → ExpressionEvaluationError. */
export function celValueToNumber(v: unknown, expression = ''): number {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') n = Number(v);
  else if (isUnsigned(v)) n = Number(v.valueOf());
  if (n === undefined) throw new ExpressionEvaluationError(expression, `expected a number, got ${describe(v)}`);
  if (!Number.isFinite(n)) throw new ExpressionEvaluationError(expression, `expected a finite number, got ${String(n)}`);
  return n;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** timestamp (Date) → Date; an RFC 3339 string (from a dyn field) is accepted too. */
export function celValueToDate(v: unknown, expression = ''): Date {
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v;
  if (typeof v === 'string' && RFC3339.test(v)) {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new ExpressionEvaluationError(expression, `expected a timestamp, got ${describe(v)}`);
}

/** ISO 8601 in UTC without zero milliseconds: `2026-12-01T00:00:00Z`. */
export function formatCelTimestamp(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function isUnsigned(v: unknown): v is { valueOf(): bigint } {
  return typeof v === 'object' && v !== null && v.constructor?.name === 'UnsignedInt';
}

/** Own toString other than Object's (cel-js Duration prints `3600s`, UnsignedInt its digits). */
function customToString(v: object): string | undefined {
  const fn = (v as { toString?: unknown }).toString;
  if (typeof fn === 'function' && fn !== Object.prototype.toString) return String(fn.call(v));
  return undefined;
}

function entriesOf(v: object): Array<[unknown, unknown]> {
  // spread (not .entries()): cel-js typed objects are lazy Maps whose iterator loads every field
  if (v instanceof Map) return [...(v as Map<unknown, unknown>)].filter(([, value]) => value !== undefined);
  return Object.entries(v).filter(([, value]) => value !== undefined);
}

function jsonish(v: unknown, depth: number): string {
  if (depth > 32) return '…';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Date) return JSON.stringify(formatCelTimestamp(v));
  if (Array.isArray(v) || v instanceof Set) return `[${[...v].map((x) => jsonish(x, depth + 1)).join(', ')}]`;
  if (v instanceof Uint8Array || (typeof v !== 'object' && typeof v !== 'function') || v === null) return celValueToText(v);
  if (v instanceof Map || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
    return `{${entriesOf(v)
      .map(([k, x]) => `${jsonish(String(k), depth + 1)}: ${jsonish(x, depth + 1)}`)
      .join(', ')}}`;
  }
  return customToString(v) ?? `{${entriesOf(v).map(([k, x]) => `${JSON.stringify(String(k))}: ${jsonish(x, depth + 1)}`).join(', ')}}`;
}

/**
 * A placeholder's value as text: numbers as CEL prints them (`5`, `19.485`), ints as digits,
 * timestamps ISO 8601 (`2026-12-01T00:00:00Z`), strings as they are, `true`/`false`, `null`,
 * lists and maps JSON-ish (`[1, "a"]`, `{"k": 2}`).
 */
export function celValueToText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return formatCelTimestamp(v);
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (typeof v === 'object') {
    if (Array.isArray(v) || v instanceof Set || v instanceof Map) return jsonish(v, 0);
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) return jsonish(v, 0);
    return customToString(v) ?? jsonish(v, 0);
  }
  return String(v);
}
