import { createHmac, randomBytes } from 'node:crypto';
import { REQUEST_TARGET, signatureAuthorization } from '@app/partners';

/**
 * Webhook secrets, bodies and signatures (the README's "Webhooks"). Pure functions:
 * no I/O, no clock; the caller passes the event id, the times and the secrets.
 *
 * - `standard` format: Standard Webhooks (standardwebhooks.com), so receivers can verify with its
 *   published libraries (`new Webhook(secret).verify(body, headers)`).
 * - `xcover` format: the body XCover receivers parse, signed like an XCover SDK signs a request to
 *   us (XCover's signed requests), through libs/partners' request-signature helpers.
 */

/** Every event type a webhook endpoint can receive. */
export const WEBHOOK_EVENT_TYPES = ['booking.created', 'booking.updated', 'booking.cancelled', 'offer.opted_out', 'webhook.test'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** random bytes in a new secret (Standard Webhooks recommends 24 to 64) */
export const WEBHOOK_SECRET_BYTES = 32;

/** exactly what newWebhookSecret makes: `whsec_` + standard Base64 (padded) of 32 bytes */
const NEW_SECRET_FORMAT = /^whsec_[A-Za-z0-9+/]{43}=$/;
/** canonical padded standard Base64, at least one byte */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/** A new endpoint secret: `whsec_` + the standard Base64 of 32 random bytes (44 characters). */
export function newWebhookSecret(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = random(WEBHOOK_SECRET_BYTES);
  if (bytes.length !== WEBHOOK_SECRET_BYTES) throw new Error(`expected ${WEBHOOK_SECRET_BYTES} random bytes, got ${bytes.length}`);
  return WEBHOOK_SECRET_PREFIX + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Whether a value has exactly the format newWebhookSecret produces (e.g. to check a decrypted secret). */
export function isWebhookSecret(value: unknown): value is string {
  return typeof value === 'string' && NEW_SECRET_FORMAT.test(value);
}

/**
 * The HMAC key of the standard format: the Base64-decoded part after `whsec_`. Throws on a
 * malformed secret (missing prefix, non-canonical Base64, empty) rather than signing with a key
 * Node's lenient decoder made up.
 */
export function webhookSecretKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) throw new Error('a webhook secret is whsec_ followed by standard Base64');
  return Buffer.from(encoded, 'base64');
}

// ---------------------------------------------------------------------------------------------
// Standard Webhooks format

/** Standard Webhooks body: `{ "type", "timestamp", "data" }` as JSON text (sent, and signed, as is). */
export function standardWebhookBody(type: WebhookEventType, timestampIso: string, data: object): string {
  return JSON.stringify({ type, timestamp: timestampIso, data });
}

/** `v1,<base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>"))>` for one secret. */
export function standardWebhookSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', webhookSecretKey(secret)).update(`${id}.${timestampSeconds}.`, 'utf8').update(body, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/**
 * The three Standard Webhooks headers of one attempt. `id` is the event id (the same on every
 * retry: receivers deduplicate on it), `timestampSeconds` the Unix time of this attempt, `body`
 * the exact text sent. `secrets` newest first: during a rotation the new secret's signature comes
 * first, then the old one's (space-separated); receivers accept the request when any one matches.
 * Duplicate secrets are signed once.
 */
export function standardWebhookHeaders({
  id,
  timestampSeconds,
  body,
  secrets,
}: {
  id: string;
  timestampSeconds: number;
  body: string;
  secrets: readonly string[];
}): Record<string, string> {
  // a header value: visible ASCII, no spaces (event ids are UUIDs); no CR/LF can be smuggled in
  if (!/^[\x21-\x7e]+$/.test(id)) throw new Error('a webhook id is non-empty visible ASCII without spaces');
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) throw new Error('a webhook timestamp is a whole number of Unix seconds');
  if (secrets.length === 0) throw new Error('at least one webhook secret is needed to sign');
  const signatures = [...new Set(secrets)].map((secret) => standardWebhookSignature(secret, id, timestampSeconds, body));
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}

// ---------------------------------------------------------------------------------------------
// XCover format

/**
 * XCover's event names. `offer.opted_out` has none (not sent in this format).
 * `webhook.test` has none either at XCover: we send it as `WEBHOOK_TEST`, so an XCover-format
 * receiver can check its URL and signature; receivers that switch on the three booking events
 * simply ignore it.
 */
export const XCOVER_EVENT_NAMES: Readonly<Record<WebhookEventType, string | null>> = {
  'booking.created': 'BOOKING_CREATED',
  'booking.updated': 'BOOKING_UPDATED',
  'booking.cancelled': 'BOOKING_CANCELLED',
  'offer.opted_out': null,
  'webhook.test': 'WEBHOOK_TEST',
};

/** `{ "event": "BOOKING_CANCELLED", "payload": … }` as JSON text; null when the type is not sent in this format. */
export function xcoverWebhookBody(type: WebhookEventType, payload: object): string | null {
  const event = XCOVER_EVENT_NAMES[type];
  if (event === null || event === undefined) return null;
  return JSON.stringify({ event, payload });
}

export const XCOVER_WEBHOOK_ALGORITHM = 'hmac-sha512' as const;
export const XCOVER_WEBHOOK_SIGNED_HEADERS: readonly string[] = [REQUEST_TARGET, 'date'];

/**
 * `Date` (IMF-fixdate) and `Authorization: Signature keyId="<endpoint id>",algorithm="hmac-sha512",
 * headers="(request-target) date",signature="<percent-encoded base64>"`, keyed by the whole
 * `whsec_…` string as UTF-8, with the signing string libs/partners builds for an XCover request:
 *
 *     (request-target): post /the/path
 *     date: Tue, 01 Jan 2019 00:00:00 GMT
 *
 * `path` is the path as sent on the wire (the URL's `pathname`, percent-encoded as in the request
 * line); a query string is not signed (as XCover clients sign). `date` is the time of this attempt,
 * to the second.
 *
 * One secret only: this format has a single `Authorization` header, so during a rotation the caller
 * passes the NEWEST secret, and a receiver still holding the old one fails to verify until it is
 * updated (unlike the standard format, which carries both signatures for 24 h).
 */
export function xcoverWebhookHeaders({
  endpointId,
  secret,
  method = 'POST',
  path,
  date,
}: {
  endpointId: string;
  secret: string;
  method?: string;
  path: string;
  date: Date;
}): { Date: string; Authorization: string } {
  // keyId goes between quotes as is: no quote, backslash or control character
  if (!/^[\x20-\x7e]+$/.test(endpointId) || /["\\]/.test(endpointId)) throw new Error('an endpoint id is printable ASCII without quotes or backslashes');
  if (secret.length === 0) throw new Error('a webhook secret is needed to sign');
  if (!/^\/[\x21-\x7e]*$/.test(path)) throw new Error('the path starts with / and is percent-encoded');
  if (Number.isNaN(date.getTime())) throw new Error('invalid date');
  const httpDate = date.toUTCString();
  const authorization = signatureAuthorization({
    keyId: endpointId,
    secret,
    algorithm: XCOVER_WEBHOOK_ALGORITHM,
    headers: XCOVER_WEBHOOK_SIGNED_HEADERS,
    request: { method, path, header: (name) => (name === 'date' ? httpDate : undefined) },
  });
  return { Date: httpDate, Authorization: authorization };
}
