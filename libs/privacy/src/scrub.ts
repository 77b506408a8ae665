import { ERASED } from './lookup-key';
import { KEPT_FIELDS, KEPT_FIELD_SUFFIXES, PERSONAL_FIELDS } from './personal-fields';

/** Where a field is in a document: object keys and array positions from the root. */
export type FieldPath = ReadonlyArray<string | number>;

type Json = unknown;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * PERSONAL_FIELDS compiled: by last name, the names a match needs before it (innermost first).
 * A path of object keys matches when it ends with one of them.
 */
export class PersonalFieldMatcher {
  private readonly byLast = new Map<string, string[][]>();

  constructor(paths: readonly string[] = PERSONAL_FIELDS) {
    for (const path of paths) {
      const segments = path.split('.');
      const last = segments[segments.length - 1];
      if (segments.some((s) => s === '')) throw new Error(`a personal field path has an empty name: "${path}"`);
      const before = segments.slice(0, -1).reverse();
      const list = this.byLast.get(last) ?? [];
      list.push(before);
      this.byLast.set(last, list);
    }
  }

  /** whether the field reached by `keys` (the object keys from the root, array positions left out) is personal */
  matches(keys: readonly string[]): boolean {
    const candidates = this.byLast.get(keys[keys.length - 1]);
    if (!candidates) return false;
    return candidates.some((before) => before.every((name, i) => keys[keys.length - 2 - i] === name));
  }
}

const DEFAULT_MATCHER = new PersonalFieldMatcher();
const KEPT = new Set(KEPT_FIELDS);

function isKept(name: string): boolean {
  return KEPT.has(name) || KEPT_FIELD_SUFFIXES.some((s) => name.endsWith(s));
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

/**
 * Adds to `into` the text of every personal field of `doc` (strings, and numbers as written):
 * what the other fields of the person's documents are then cleared of (personalValuePattern).
 */
export function collectPersonalValues(doc: Json, into: Set<string>, root: readonly string[] = [], matcher: PersonalFieldMatcher = DEFAULT_MATCHER): void {
  const all = (v: unknown): void => {
    if (typeof v === 'string') into.add(v);
    else if (typeof v === 'number' && Number.isFinite(v)) into.add(String(v));
    else if (Array.isArray(v)) v.forEach(all);
    else if (isRecord(v)) Object.values(v).forEach(all);
  };
  const walk = (node: unknown, keys: string[]): void => {
    if (Array.isArray(node)) {
      for (const e of node) walk(e, keys);
      return;
    }
    if (!isRecord(node)) return;
    for (const [k, v] of Object.entries(node)) {
      const path = [...keys, k];
      if (matcher.matches(path)) all(v);
      else walk(v, path);
    }
  };
  walk(doc, [...root]);
}

/** a personal value distinctive enough to be looked for inside other text: 3+ characters with a letter, or 6+ digits; not a date */
function isDistinctive(v: string): boolean {
  if (v.length < 3 || v.length > MAX_VALUE_LENGTH || v === ERASED || /^\d{4}-\d{2}-\d{2}/.test(v)) return false;
  return /\p{L}/u.test(v) || (v.match(/\d/g)?.length ?? 0) >= 6;
}

/** longer values (a free text) are erased where they are a field, not looked for inside others */
const MAX_VALUE_LENGTH = 200;
/** values per regular expression */
const VALUES_PER_PATTERN = 100;

/** the syntax characters of a pattern escaped (in `u` mode only these may be) */
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The person's values, looked for inside other text: matched whole (not inside a longer word or
 * number) and whatever the case: "Ada" in "Protect your trip, Ada!" but not in "Canada". A
 * failure never shows a value (its error has no message of the pattern's).
 */
export class PersonalValues {
  private constructor(private readonly patterns: readonly RegExp[]) {}

  /** null when no value is distinctive enough */
  static of(values: Iterable<string>): PersonalValues | null {
    const distinct = [...new Set([...values].map((v) => v.trim()).filter(isDistinctive))].sort((a, b) => b.length - a.length);
    if (distinct.length === 0) return null;
    const patterns: RegExp[] = [];
    for (let i = 0; i < distinct.length; i += VALUES_PER_PATTERN) {
      const alternatives = distinct
        .slice(i, i + VALUES_PER_PATTERN)
        .map(escapeRegExp)
        .join('|');
      try {
        patterns.push(new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'giu'));
      } catch {
        throw new Error('the personal values could not be made into a pattern');
      }
    }
    return new PersonalValues(patterns);
  }

  /** `text` with every value in it replaced by "[erased]" */
  blank(text: string): string {
    try {
      return this.patterns.reduce((out, p) => out.replace(p, ERASED), text);
    } catch {
      throw new Error('the personal values could not be looked for in a text');
    }
  }

  /** whether `text` holds one of the values */
  test(text: string): boolean {
    return this.blank(text) !== text;
  }
}

/** PersonalValues.of */
export function personalValuePattern(values: Iterable<string>): PersonalValues | null {
  return PersonalValues.of(values);
}

export interface EraseOptions {
  /** the person's values, blanked out of every other text of the document (personalValuePattern) */
  values: PersonalValues | null;
  /** says, for a personal field, to remove it rather than write "[erased]" (a format that forbids the text) */
  removeField?: (path: FieldPath) => boolean;
  /** the names the document sits under, for PERSONAL_FIELDS' paths: `['insured']` for a column holding an insured list */
  root?: readonly string[];
  matcher?: PersonalFieldMatcher;
}

/**
 * `doc` with its personal fields erased (PERSONAL_FIELDS: "[erased]", or removed) and the
 * person's values replaced by "[erased]" inside every other string, except in the kept fields
 * (KEPT_FIELDS: ids, codes, statuses, amounts and dates). A new document; `doc` is not changed.
 */
export function eraseDocument(doc: Json, options: EraseOptions): Json {
  const matcher = options.matcher ?? DEFAULT_MATCHER;
  const values = options.values;
  const text = (s: string): string => (values ? values.blank(s) : s);
  const walk = (node: unknown, keys: string[], path: Array<string | number>): unknown => {
    if (typeof node === 'string') return text(node);
    if (Array.isArray(node)) return node.map((e, i) => walk(e, keys, [...path, i]));
    if (!isRecord(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const fieldKeys = [...keys, k];
      const fieldPath = [...path, k];
      if (matcher.matches(fieldKeys)) {
        if (v === null || v === undefined) out[k] = v;
        else if (!options.removeField?.(fieldPath)) out[k] = ERASED;
      } else if (isKept(k) && (isScalar(v) || (Array.isArray(v) && v.every(isScalar)))) {
        out[k] = v;
      } else {
        out[k] = walk(v, fieldKeys, fieldPath);
      }
    }
    return out;
  };
  return walk(doc, [...(options.root ?? [])], []);
}
