import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Raw keys are a readable tag plus 32 random bytes in base64url (256 bits of entropy). Only the
 * SHA-256 hash and a short public prefix are stored; the raw key is shown once.
 */
export type KeyKind = 'live' | 'test' | 'admin';

export const KEY_TAGS: Readonly<Record<KeyKind, string>> = { live: 'ok_live_', test: 'ok_test_', admin: 'ok_admin_' };
export const KEY_ENTROPY_BYTES = 32;
/** random characters kept in the public prefix after the tag: enough to tell keys apart in a list */
export const KEY_PREFIX_RANDOM_CHARS = 4;
/** anything longer is not one of our keys; refused before hashing */
export const MAX_RAW_KEY_LENGTH = 256;

export interface GeneratedKey {
  /** the raw key, shown once */
  key: string;
  /** tag + first random characters, e.g. "ok_live_Ab3x" */
  prefix: string;
  /** SHA-256 hex of the raw key */
  hash: string;
}

export function generateKey(kind: KeyKind): GeneratedKey {
  const tag = KEY_TAGS[kind];
  const key = tag + randomBytes(KEY_ENTROPY_BYTES).toString('base64url');
  return { key, prefix: key.slice(0, tag.length + KEY_PREFIX_RANDOM_CHARS), hash: hashKey(key) };
}

export function hashKey(raw: string): string {
  // one-shot: a third of createHash().update().digest() per request
  return hash('sha256', raw, 'hex');
}

/** Constant-time comparison of two SHA-256 hex digests. */
export function hashesEqual(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  if (a.length !== 32 || b.length !== 32) return false;
  return timingSafeEqual(a, b);
}

/** a header value worth hashing at all */
export function isPlausibleKey(raw: unknown): raw is string {
  return typeof raw === 'string' && raw.length > 0 && raw.length <= MAX_RAW_KEY_LENGTH;
}
