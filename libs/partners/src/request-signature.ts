import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * XCover-compatible request signatures (docs/api.md, "Signed requests"), as XCover's Python and PHP SDKs send them:
 *
 *     Date: Sun, 29 Aug 2021 12:07:26 GMT
 *     Authorization: Signature keyId="<api key>",algorithm="hmac-sha512",headers="(request-target) date",signature="<sig>"
 *
 * The signing string is one line `name: value` per listed header (default: `date`), joined by
 * `\n`; `(request-target)` is the lower-case method, a space and the path without the query.
 * `<sig>` is the standard Base64 of HMAC(secret as UTF-8, signing string), percent-encoded.
 * Pure functions: no I/O, no clock.
 */

export const SIGNATURE_ALGORITHMS = { 'hmac-sha256': 'sha256', 'hmac-sha384': 'sha384', 'hmac-sha512': 'sha512' } as const;
export type SignatureAlgorithm = keyof typeof SIGNATURE_ALGORITHMS;

export const REQUEST_TARGET = '(request-target)';
export const DEFAULT_SIGNED_HEADERS: readonly string[] = ['date'];

/** bounds on what a client may send, so parsing stays cheap */
export const MAX_AUTHORIZATION_LENGTH = 4096;
export const MAX_SIGNED_HEADERS = 16;

export interface SignatureParams {
  keyId: string;
  /** as sent, lower-cased; may be unsupported (checked by the caller) */
  algorithm: string;
  /** as sent: percent-encoded Base64 (XCover SDKs) or plain Base64 */
  signature: string;
  /** lower-cased header names, in order; DEFAULT_SIGNED_HEADERS when `headers` is absent */
  headers: string[];
}

/** The parts of the request the signing string is built from. */
export interface SignableRequest {
  method: string;
  /** the path as sent, without the query string */
  path: string;
  /** one header value by lower-case name, undefined when absent */
  header(name: string): string | undefined;
}

/** `Authorization: Signature …` (scheme case-insensitive), whatever its parameters. */
export function isSignatureAuthorization(value: string | undefined): value is string {
  return value !== undefined && /^\s*signature(?:\s|$)/i.test(value);
}

export function isSupportedAlgorithm(algorithm: string): algorithm is SignatureAlgorithm {
  return Object.prototype.hasOwnProperty.call(SIGNATURE_ALGORITHMS, algorithm);
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
/** a bare value: a token, or token68 (Base64 with `/`, `+` and `=` padding) */
const BARE = /[!#$%&'*+\-.^_`|~0-9A-Za-z/]+=*/y;
const QUOTED = /"((?:[^"\\]|\\.)*)"/y;
const SPACES = /[ \t]*/y;

function skip(re: RegExp, s: string, at: number): number {
  re.lastIndex = at;
  const m = re.exec(s);
  return m ? at + m[0].length : at;
}

/**
 * Parses `Signature k1="v1", k2=v2, …` (RFC 7235 auth-params: quoted strings with `\` escapes
 * or bare tokens, commas with optional spaces, parameter names case-insensitive). Returns null
 * when the header is malformed, repeats a parameter, or lacks keyId, algorithm or signature.
 * Unknown parameters (e.g. `created`, `expires`) are ignored.
 */
export function parseSignatureAuthorization(value: string): SignatureParams | null {
  if (value.length > MAX_AUTHORIZATION_LENGTH) return null;
  const scheme = /^\s*signature(?:[ \t]+|$)/i.exec(value);
  if (!scheme) return null;
  const params = new Map<string, string>();
  let at = scheme[0].length;
  while (at < value.length) {
    TOKEN.lastIndex = at;
    const name = TOKEN.exec(value);
    if (!name) return null;
    at = skip(SPACES, value, at + name[0].length);
    if (value[at] !== '=') return null;
    at = skip(SPACES, value, at + 1);
    let v: string;
    if (value[at] === '"') {
      QUOTED.lastIndex = at;
      const q = QUOTED.exec(value);
      if (!q) return null;
      v = (q[1] ?? '').replace(/\\(.)/g, '$1');
      at += q[0].length;
    } else {
      BARE.lastIndex = at;
      const t = BARE.exec(value);
      if (!t) return null;
      v = t[0];
      at += t[0].length;
    }
    const key = name[0].toLowerCase();
    if (params.has(key)) return null;
    params.set(key, v);
    at = skip(SPACES, value, at);
    if (at >= value.length) break;
    if (value[at] !== ',') return null;
    at = skip(SPACES, value, at + 1);
  }
  const keyId = params.get('keyid');
  const algorithm = params.get('algorithm');
  const signature = params.get('signature');
  if (!keyId || !algorithm || !signature) return null;
  const rawHeaders = params.get('headers');
  let headers: string[];
  if (rawHeaders === undefined) headers = [...DEFAULT_SIGNED_HEADERS];
  else {
    headers = rawHeaders
      .split(/[ \t]+/)
      .filter((h) => h.length > 0)
      .map((h) => h.toLowerCase());
    if (headers.length === 0 || headers.length > MAX_SIGNED_HEADERS || new Set(headers).size !== headers.length) return null;
  }
  return { keyId, algorithm: algorithm.toLowerCase(), signature, headers };
}

/** `(request-target): post /x/partners/ACME/offers/` — the path without its query string. */
export function requestTarget(method: string, pathOrUrl: string): string {
  const q = pathOrUrl.indexOf('?');
  return `${method.toLowerCase()} ${q >= 0 ? pathOrUrl.slice(0, q) : pathOrUrl}`;
}

/** The signing string, or null when a listed header is absent from the request. */
export function buildSigningString(headers: readonly string[], req: SignableRequest): string | null {
  const lines: string[] = [];
  for (const name of headers) {
    if (name === REQUEST_TARGET) {
      lines.push(`${REQUEST_TARGET}: ${requestTarget(req.method, req.path)}`);
      continue;
    }
    const v = req.header(name);
    if (v === undefined) return null;
    lines.push(`${name}: ${v}`);
  }
  return lines.join('\n');
}

/** Standard Base64 of the HMAC, not yet percent-encoded. */
export function signatureBase64(secret: string, algorithm: SignatureAlgorithm, signingString: string): string {
  return createHmac(SIGNATURE_ALGORITHMS[algorithm], Buffer.from(secret, 'utf8')).update(signingString, 'utf8').digest('base64');
}

/** What a client puts in `signature="…"`: the Base64 HMAC, percent-encoded (as the SDKs do). */
export function computeSignature(secret: string, algorithm: SignatureAlgorithm, signingString: string): string {
  return encodeURIComponent(signatureBase64(secret, algorithm, signingString));
}

/**
 * Compares a provided signature (percent-encoded or plain Base64) with the expected one in
 * constant time (the lengths compared are public: they follow from the algorithm).
 */
export function signatureMatches(provided: string, secret: string, algorithm: SignatureAlgorithm, signingString: string): boolean {
  let candidate = provided;
  if (candidate.includes('%')) {
    try {
      candidate = decodeURIComponent(candidate);
    } catch {
      return false;
    }
  }
  const expected = Buffer.from(signatureBase64(secret, algorithm, signingString), 'utf8');
  const given = Buffer.from(candidate, 'utf8');
  if (given.length !== expected.length) {
    // same work either way
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(given, expected);
}

/** Whether an HTTP date (RFC 7231 IMF-fixdate, or RFC 1123 with GMT/UTC/+0000) is well-formed; returns its time or null. */
export function parseHttpDate(value: string | undefined): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (
    !/^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),[ \t]+)?\d{1,2}[ \t]+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[ \t]+\d{4}[ \t]+\d{2}:\d{2}:\d{2}[ \t]+(?:GMT|UTC|[+-]0000)$/.test(
      v,
    )
  ) {
    return null;
  }
  const t = Date.parse(v.replace(/(?:UTC|[+-]0000)$/, 'GMT'));
  return Number.isFinite(t) ? t : null;
}

/**
 * Builds the `Authorization` value a client sends (tests, docs and client examples). `headers`
 * is written only when given, like the PHP SDK omits it and the Python SDK always sends it.
 */
export function signatureAuthorization(opts: {
  keyId: string;
  secret: string;
  algorithm: SignatureAlgorithm;
  request: SignableRequest;
  headers?: readonly string[];
}): string {
  const listed = opts.headers ?? DEFAULT_SIGNED_HEADERS;
  const signingString = buildSigningString(listed, opts.request);
  if (signingString === null) throw new Error('a signed header is missing from the request');
  const signature = computeSignature(opts.secret, opts.algorithm, signingString);
  const headersParam = opts.headers ? `headers="${opts.headers.join(' ')}",` : '';
  return `Signature keyId="${opts.keyId}",algorithm="${opts.algorithm}",${headersParam}signature="${signature}"`;
}
