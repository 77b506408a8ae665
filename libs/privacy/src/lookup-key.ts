import { hash } from 'node:crypto';

/**
 * Compact lookup keys of the identifiers an erasure is asked by, stored beside an offer (its
 * request's customer e-mail and `partner.customer_id`) and a booking (its policyholder's e-mail):
 * the first 52 bits of SHA-256(partner id, kind, normalised value), a safe JavaScript integer
 * (SQLite INTEGER, PostgreSQL bigint). A key only narrows the search down through an index: two
 * values can share one, so every candidate is checked against its real content (matchesIdentifier).
 * A key of a known e-mail identifies its owner: an erasure clears the keys of what it erased.
 */
export type LookupKind = 'email' | 'customer_id';

/** what an erased field holds instead of its value */
export const ERASED = '[erased]';

/** An e-mail as keyed and compared: trimmed and lower-cased; null when there is none (or it was erased). */
export function normaliseEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  return v === '' || v === ERASED ? null : v;
}

/** A partner's customer id as keyed and compared: the string as sent (a number as written); null when there is none. */
export function normaliseCustomerId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value === '' || value === ERASED) return null;
  return value;
}

export function normaliseIdentifier(kind: LookupKind, value: unknown): string | null {
  return kind === 'email' ? normaliseEmail(value) : normaliseCustomerId(value);
}

/** The key of an already normalised value: the first 52 bits of SHA-256(partner id \n kind \n value). */
export function lookupKey(partnerId: string, kind: LookupKind, normalised: string): number {
  const digest = hash('sha256', `${partnerId}\n${kind}\n${normalised}`, 'buffer');
  // 48 bits, then the high 4 bits of the next byte: < 2^52, exact in a double
  return digest.readUIntBE(0, 6) * 16 + (digest[6] >> 4);
}

/** The key of a raw value (an e-mail or a customer id as stored), or null when it holds none. */
export function keyOf(partnerId: string, kind: LookupKind, value: unknown): number | null {
  const normalised = normaliseIdentifier(kind, value);
  return normalised === null ? null : lookupKey(partnerId, kind, normalised);
}

function field(doc: unknown, outer: string, inner: string): unknown {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const o = (doc as Record<string, unknown>)[outer];
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  return (o as Record<string, unknown>)[inner];
}

/** The customer e-mail of a create-offer request (`customer.email`). */
export function requestEmail(request: unknown): unknown {
  return field(request, 'customer', 'email');
}

/** The partner's customer id of a create-offer request (`partner.customer_id`). */
export function requestCustomerId(request: unknown): unknown {
  return field(request, 'partner', 'customer_id');
}

/** An offer's two keys, from its create-offer request. */
export function offerLookupKeys(partnerId: string, request: unknown): { emailKey: number | null; customerKey: number | null } {
  return { emailKey: keyOf(partnerId, 'email', requestEmail(request)), customerKey: keyOf(partnerId, 'customer_id', requestCustomerId(request)) };
}

/** A booking's key, from its policyholder (`email`). */
export function policyholderEmailKey(partnerId: string, policyholder: unknown): number | null {
  return keyOf(partnerId, 'email', typeof policyholder === 'object' && policyholder !== null ? (policyholder as Record<string, unknown>).email : undefined);
}
