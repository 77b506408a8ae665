import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * One webhook delivery attempt over HTTP(S) (docs/adr/0002-webhook-outbox.md).
 *
 * The connection goes to exactly `address` (as returned by `resolveWebhookTarget`): the host name
 * is never resolved again, so DNS rebinding cannot switch the target between the check and the
 * request. The URL's host name is kept for the Host header, TLS SNI and certificate verification
 * (which stays on). Redirects are not followed, one timeout bounds the whole attempt, at most
 * `maxResponseBytes` of the answer are read, no keep-alive agent is used, and nothing throws:
 * every failure is a result.
 */

export interface WebhookAttempt {
  url: URL;
  /** The address to connect to, already checked (never resolved again here). */
  address: string;
  family: 4 | 6;
  /** Extra headers (signature, ids…). Content-Type, Content-Length, User-Agent and Host are set here. */
  headers: Record<string, string>;
  body: string;
  /** One budget for the whole attempt: connect, TLS, request, answer headers and body. */
  timeoutMs: number;
  /** At most this many bytes of the answer body are read (default 65536). */
  maxResponseBytes?: number;
  userAgent: string;
}

export interface WebhookAttemptResult {
  statusCode: number | null;
  /** A short reason when not delivered: timeout, connection refused, TLS error, redirect, too large…, never the URL's query. */
  error: string | null;
  /** A 2xx status arrived. */
  delivered: boolean;
  durationMs: number;
  /** The first bytes of the answer body, at most 500 chars, for the delivery log. */
  responseSnippet: string | null;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 65536;
export const RESPONSE_SNIPPET_CHARS = 500;
/** Bytes kept for the snippet: enough for 500 characters of up to 4 UTF-8 bytes each. */
const SNIPPET_BYTES = RESPONSE_SNIPPET_CHARS * 4;

/** Error codes seen on the socket, in words. Codes are kept as they carry no URL. */
const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host down',
  ENETDOWN: 'network down',
  EADDRNOTAVAIL: 'address not available',
};

const TLS_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate not trusted',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  CERT_REVOKED: 'certificate revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
};

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return code;
  }
  return undefined;
}

/** A short reason for a failed request, from its error code only (messages may carry more). */
export function describeRequestError(error: unknown): string {
  const code = errorCode(error);
  if (code === undefined) return 'request failed';
  if (NETWORK_ERRORS[code]) return NETWORK_ERRORS[code];
  if (TLS_ERRORS[code]) return `TLS error: ${TLS_ERRORS[code]} (${code})`;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT') || code.startsWith('EPROTO')) {
    return `TLS error (${code})`;
  }
  if (code.startsWith('HPE_')) return `invalid HTTP response (${code})`;
  return `connection error (${code})`;
}

function isPositiveFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** Send one webhook attempt. Never rejects. */
export function sendWebhook(attempt: WebhookAttempt): Promise<WebhookAttemptResult> {
  const started = performance.now();
  return new Promise<WebhookAttemptResult>((resolvePromise) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let request: http.ClientRequest | undefined;

    const finish = (statusCode: number | null, error: string | null, snippetBytes: Buffer[] | null): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      // Drop the socket (a no-op when the answer already ended): never wait for a slow receiver.
      if (request !== undefined && !request.destroyed) request.destroy();
      const delivered = statusCode !== null && statusCode >= 200 && statusCode <= 299;
      let responseSnippet: string | null = null;
      if (snippetBytes !== null && snippetBytes.length > 0) {
        const text = Buffer.concat(snippetBytes).toString('utf8');
        responseSnippet = text.length > 0 ? text.slice(0, RESPONSE_SNIPPET_CHARS) : null;
      }
      resolvePromise({
        statusCode,
        error: delivered ? null : error,
        delivered,
        durationMs: Math.max(0, performance.now() - started),
        responseSnippet,
      });
    };

    try {
      const { url, address, family, headers, body, timeoutMs, userAgent } = attempt;
      if (!isPositiveFinite(timeoutMs)) {
        finish(null, 'invalid timeout', null);
        return;
      }
      const maxResponseBytes = isPositiveFinite(attempt.maxResponseBytes) ? Math.floor(attempt.maxResponseBytes) : DEFAULT_MAX_RESPONSE_BYTES;

      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') {
        finish(null, `unsupported URL scheme "${url.protocol.slice(0, -1).slice(0, 20)}"`, null);
        return;
      }
      const bareAddress = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
      if (isIP(bareAddress) === 0) {
        finish(null, 'invalid target address', null);
        return;
      }
      const hostname = url.hostname.startsWith('[') && url.hostname.endsWith(']') ? url.hostname.slice(1, -1) : url.hostname;

      const payload = Buffer.from(body, 'utf8');
      // Given headers first: the ones set here win (node's headers are case-insensitive).
      const requestHeaders: Record<string, string> = {
        ...headers,
        Host: url.host,
        'Content-Type': 'application/json',
        'Content-Length': String(payload.length),
        'User-Agent': userAgent,
      };

      const options: https.RequestOptions = {
        method: 'POST',
        // Connect to exactly the checked address; the name is not resolved again.
        host: bareAddress,
        family,
        port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers: requestHeaders,
        agent: false, // no keep-alive pool: a bad receiver cannot pin sockets
      };
      if (secure) {
        // SNI and certificate verification against the URL's host name, not the address.
        // (SNI must not be an IP literal; node then verifies against `host`, the same literal.)
        if (isIP(hostname) === 0) options.servername = hostname;
        options.rejectUnauthorized = true;
      }

      // The status, once the answer's head arrived: from then on it decides delivery, whatever
      // happens to the body (a 2xx is enough; an endless or stalled body must not hold the attempt).
      let statusCode: number | null = null;
      const kept: Buffer[] = [];
      let keptBytes = 0;
      let readBytes = 0;
      const statusError = (): string => {
        if (statusCode === null) return 'invalid HTTP response';
        if (statusCode >= 300 && statusCode <= 399) return `redirect (${statusCode}) not followed`;
        return `HTTP ${statusCode}`;
      };

      // One timeout for the whole attempt: connect, TLS, request, answer head and body.
      timer = setTimeout(() => {
        if (statusCode === null) finish(null, `timeout after ${timeoutMs} ms`, null);
        else finish(statusCode, `${statusError()} (answer body timed out after ${timeoutMs} ms)`, kept);
      }, timeoutMs);

      const req = (secure ? https : http).request(options);
      request = req;

      req.on('error', (error) => {
        if (statusCode === null) finish(null, describeRequestError(error), null);
        else finish(statusCode, statusError(), kept);
      });

      req.on('response', (res) => {
        statusCode = res.statusCode ?? null;
        const done = () => finish(statusCode, statusError(), kept);
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          readBytes += chunk.length;
          if (keptBytes < SNIPPET_BYTES) {
            const part = chunk.subarray(0, SNIPPET_BYTES - keptBytes);
            kept.push(part);
            keptBytes += part.length;
          }
          if (readBytes >= maxResponseBytes) {
            // Read enough: stop here (finish destroys the socket).
            const tooLarge = readBytes > maxResponseBytes || !res.complete;
            finish(statusCode, tooLarge ? `${statusError()} (answer larger than ${maxResponseBytes} bytes, not read further)` : statusError(), kept);
          }
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      });

      req.end(payload);
    } catch (error) {
      // e.g. an invalid header value: still a result, never a throw.
      const code = errorCode(error);
      finish(null, code ? `invalid request (${code})` : 'invalid request', null);
    }
  });
}
