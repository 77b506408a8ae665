import type { TemplateSegment } from './content.types';

/**
 * `{{ expression }}` placeholders. The scanner finds the closing `}}` outside CEL string literals
 * and outside nested braces, so `{{ {'a': 1}['a'] }}` and `{{ "}}" }}` work. Text outside
 * placeholders is kept verbatim.
 */
interface Scan {
  segments: TemplateSegment[];
  errors: string[];
}

/** Finds the end of a placeholder opened at `start` (index just past `{{`), or -1. */
function findClose(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      // raw strings (r'…') have no escapes
      const raw = i > 0 && (text[i - 1] === 'r' || text[i - 1] === 'R');
      i += quote.length;
      while (i < text.length && !text.startsWith(quote, i)) {
        if (!raw && text[i] === '\\') i++;
        if (!triple && text[i] === '\n') break;
        i++;
      }
      i += quote.length;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0 && text[i + 1] === '}') return i;
      if (depth > 0) depth--;
    }
    i++;
  }
  return -1;
}

function scan(text: string): Scan {
  const segments: TemplateSegment[] = [];
  const errors: string[] = [];
  let pos = 0;
  let buffer = '';
  while (pos < text.length) {
    const open = text.indexOf('{{', pos);
    if (open < 0) break;
    const close = findClose(text, open + 2);
    if (close < 0) {
      errors.push(`unterminated placeholder at ${open}: "{{" without a closing "}}"`);
      break;
    }
    buffer += text.slice(pos, open);
    const expr = text.slice(open + 2, close).trim();
    if (expr === '') {
      errors.push(`empty placeholder at ${open}`);
      buffer += text.slice(open, close + 2);
    } else {
      if (buffer) segments.push({ kind: 'text', text: buffer });
      buffer = '';
      segments.push({ kind: 'expr', expr });
    }
    pos = close + 2;
  }
  buffer += text.slice(pos);
  if (buffer) segments.push({ kind: 'text', text: buffer });
  return { segments, errors };
}

const cache = new Map<string, TemplateSegment[]>();
const CACHE_LIMIT = 10_000;

/** The template as text and expression segments (cached by text). Malformed parts stay text. */
export function parseTemplate(text: string): TemplateSegment[] {
  let segments = cache.get(text);
  if (segments === undefined) {
    segments = text.includes('{{') ? scan(text).segments : text ? [{ kind: 'text', text }] : [];
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, segments);
  }
  return segments;
}

/** The placeholder expressions of a text, trimmed, in order (for write-time checks). */
export function extractPlaceholders(text: string): string[] {
  return parseTemplate(text)
    .filter((s): s is { kind: 'expr'; expr: string } => s.kind === 'expr')
    .map((s) => s.expr);
}

/** Write-time problems of a template: an unterminated `{{` or an empty `{{ }}`. [] when fine. */
export function templateSyntaxErrors(text: string): string[] {
  return text.includes('{{') ? scan(text).errors : [];
}

/**
 * A placeholder's value as text, as CEL's string() prints it: strings as they are, doubles in
 * their shortest form (5 → "5", 19.485 → "19.485"), ints as digits, bools, timestamps as
 * RFC 3339 UTC (fraction only when not zero), null as an empty string (so a missing optional
 * value does not print "null" to customers), lists as their items joined by ", ", values with
 * their own textual form as that (cel-js durations `3600s`, uints), maps JSON-like
 * (`{"k": 1}`). Bytes are an error: they have no textual form.
 */
export function valueToText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Infinity) return '+Inf';
    if (value === -Infinity) return '-Inf';
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error('invalid timestamp');
    const iso = value.toISOString();
    return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  }
  if (Array.isArray(value)) return value.map(valueToText).join(', ');
  if (typeof value === 'object' && !(value instanceof Uint8Array)) return mapText(value, 0);
  throw new Error('the value has no textual form (bytes)');
}

function quoted(value: unknown, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(valueToText(value));
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => quoted(v, depth + 1)).join(', ')}]`;
  if (typeof value === 'object' && !(value instanceof Uint8Array)) return mapText(value, depth + 1);
  return valueToText(value);
}

function mapText(value: object, depth: number): string {
  if (depth > 32) return '…';
  const plain = Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null;
  if (!(value instanceof Map) && !plain) {
    const fn = (value as { toString?: unknown }).toString;
    if (typeof fn === 'function' && fn !== Object.prototype.toString) return String(fn.call(value));
  }
  const entries: Array<[unknown, unknown]> = value instanceof Map ? [...(value as Map<unknown, unknown>)] : Object.entries(value);
  return `{${entries
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${JSON.stringify(String(k))}: ${quoted(v, depth)}`)
    .join(', ')}}`;
}
