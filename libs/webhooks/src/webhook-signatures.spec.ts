import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { buildSigningString, isSupportedAlgorithm, parseHttpDate, parseSignatureAuthorization, signatureMatches, type SignableRequest } from '@app/partners';
import {
  WEBHOOK_EVENT_TYPES,
  isWebhookSecret,
  newWebhookSecret,
  standardWebhookBody,
  standardWebhookHeaders,
  standardWebhookSignature,
  webhookSecretKey,
  xcoverWebhookBody,
  xcoverWebhookHeaders,
} from './webhook-signatures';

const NOW_S = 1_767_225_600; // 2026-01-01T00:00:00Z
const OLD_SECRET = 'whsec_' + Buffer.alloc(32, 1).toString('base64');
const NEW_SECRET = 'whsec_' + Buffer.alloc(32, 2).toString('base64');
const OTHER_SECRET = 'whsec_' + Buffer.alloc(32, 3).toString('base64');
const EVENT_ID = '0e6a4c8e-3b1f-4d5a-9f57-6f1c2d3e4a5b';
const BOOKING = { id: 'ABCDE-FGHIJ-INS', status: 'CANCELLED', total_price: 18.61, policyholder: { first_name: 'Ada', last_name: 'Lovelace' } };

/** the `standardwebhooks` library checks the timestamp against the clock: pin it */
function atTime(seconds: number): void {
  jest.spyOn(Date, 'now').mockReturnValue(seconds * 1000);
}

afterEach(() => jest.restoreAllMocks());

describe('newWebhookSecret', () => {
  it('is whsec_ + 44 Base64 characters decoding to 32 bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const encoded = secret.slice('whsec_'.length);
    expect(encoded).toHaveLength(44);
    const key = Buffer.from(encoded, 'base64');
    expect(key).toHaveLength(32);
    expect(key.toString('base64')).toBe(encoded); // canonical
    expect(isWebhookSecret(secret)).toBe(true);
    expect(webhookSecretKey(secret).equals(key)).toBe(true);
  });

  it('uses the random source it is given, and differs from call to call', () => {
    const sizes: number[] = [];
    const secret = newWebhookSecret((size) => {
      sizes.push(size);
      return Buffer.alloc(size, 0xff);
    });
    expect(sizes).toEqual([32]);
    expect(secret).toBe('whsec_' + '/'.repeat(42) + '8=');
    expect(newWebhookSecret()).not.toBe(newWebhookSecret());
  });

  it('refuses a random source that returns the wrong number of bytes', () => {
    expect(() => newWebhookSecret(() => Buffer.alloc(16))).toThrow();
  });

  it('is accepted by the standardwebhooks library', () => {
    expect(() => new Webhook(newWebhookSecret())).not.toThrow();
  });

  it('isWebhookSecret / webhookSecretKey refuse malformed secrets', () => {
    for (const bad of ['', 'whsec_', 'abc', 'whsec_not base64!', 'whsec_' + 'A'.repeat(43), 'whsk_' + 'A'.repeat(43) + '=']) {
      expect(isWebhookSecret(bad)).toBe(false);
    }
    expect(isWebhookSecret(42)).toBe(false);
    expect(() => webhookSecretKey('no-prefix')).toThrow();
    expect(() => webhookSecretKey('whsec_')).toThrow();
    expect(() => webhookSecretKey('whsec_ab$c')).toThrow();
    expect(() => webhookSecretKey('whsec_abc')).toThrow(); // unpadded: not canonical
    expect(webhookSecretKey('whsec_AQID')).toEqual(Buffer.from([1, 2, 3]));
  });
});

describe('standard format', () => {
  const body = standardWebhookBody('booking.cancelled', '2026-01-01T00:00:00.000Z', BOOKING);

  it('body is { type, timestamp, data } JSON, in that order', () => {
    expect(body).toBe(JSON.stringify({ type: 'booking.cancelled', timestamp: '2026-01-01T00:00:00.000Z', data: BOOKING }));
    expect(Object.keys(JSON.parse(body))).toEqual(['type', 'timestamp', 'data']);
    const optedOut = { offer_id: 'o1', offer_config_id: 'c1', partner_transaction_id: null, opted_out_at: '2026-01-01T00:00:00Z' };
    expect(JSON.parse(standardWebhookBody('offer.opted_out', '2026-01-01T00:00:00Z', optedOut))).toEqual({
      type: 'offer.opted_out',
      timestamp: '2026-01-01T00:00:00Z',
      data: optedOut,
    });
  });

  it('headers: webhook-id, webhook-timestamp (Unix seconds), webhook-signature v1,…', () => {
    const headers = standardWebhookHeaders({ id: EVENT_ID, timestampSeconds: NOW_S, body, secrets: [NEW_SECRET] });
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(headers['webhook-id']).toBe(EVENT_ID);
    expect(headers['webhook-timestamp']).toBe(String(NOW_S));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('verifies with the standardwebhooks library, which returns the parsed body', () => {
    atTime(NOW_S + 10);
    const headers = standardWebhookHeaders({ id: EVENT_ID, timestampSeconds: NOW_S, body, secrets: [NEW_SECRET] });
    expect(new Webhook(NEW_SECRET).verify(body, headers)).toEqual(JSON.parse(body));
    // the same with upper-case header names, as some frameworks hand them over
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(() => new Webhook(NEW_SECRET).verify(body, upper)).not.toThrow();
  });

  it('matches the signature the standardwebhooks library computes itself', () => {
    const headers = standardWebhookHeaders({ id: EVENT_ID, timestampSeconds: NOW_S, body, secrets: [NEW_SECRET] });
    expect(headers['webhook-signature']).toBe(new Webhook(NEW_SECRET).sign(EVENT_ID, new Date(NOW_S * 1000), body));
  });

  it('fails verification when the body, id or timestamp changes, or with another secret', () => {
    atTime(NOW_S);
    const headers = standardWebhookHeaders({ id: EVENT_ID, timestampSeconds: NOW_S, body, secrets: [NEW_SECRET] });
    const tampered = body.replace('18.61', '0.01');
    expect(tampered).not.toBe(body);
    expect(() => new Webhook(NEW_SECRET).verify(tampered, headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(NEW_SECRET).verify(body + ' ', headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(NEW_SECRET).verify(body, { ...headers, 'webhook-id': 'other' })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(NEW_SECRET).verify(body, { ...headers, 'webhook-timestamp': String(NOW_S - 1) })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(OTHER_SECRET).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  it('the library refuses a stale attempt (its 5-minute tolerance): each attempt needs its own timestamp', () => {
    const headers = standardWebhookHeaders({ id: EVENT_ID, timestampSeconds: NOW_S, body, secrets: [NEW_SECRET] });
    atTime(NOW_S + 3600);
    expect(() => new Webhook(NEW_SECRET).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  it('during a rotation both the new and the old secret verify the same request (new first)', () => {
    atTime(NOW_S);
    const headers = standardWebhookHeaders({ id: EVENT_ID, timestampSeconds: NOW_S, body, secrets: [NEW_SECRET, OLD_SECRET] });
    const parts = headers['webhook-signature'].split(' ');
    expect(parts).toHaveLength(2);
    expect(parts[0]).toBe(standardWebhookSignature(NEW_SECRET, EVENT_ID, NOW_S, body));
    expect(parts[1]).toBe(standardWebhookSignature(OLD_SECRET, EVENT_ID, NOW_S, body));
    expect(new Webhook(NEW_SECRET).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(OLD_SECRET).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(OTHER_SECRET).verify(body, headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(OLD_SECRET).verify(body.replace('Ada', 'Eve'), headers)).toThrow(WebhookVerificationError);
  });

  it('signs a repeated secret once', () => {
    const headers = standardWebhookHeaders({ id: EVENT_ID, timestampSeconds: NOW_S, body, secrets: [NEW_SECRET, NEW_SECRET] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(1);
  });

  it('known answer: HMAC-SHA256 over "<id>.<timestamp>.<body>" with the decoded key (node:crypto)', () => {
    const key = Buffer.from(NEW_SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${EVENT_ID}.${NOW_S}.${body}`).digest('base64');
    const headers = standardWebhookHeaders({ id: EVENT_ID, timestampSeconds: NOW_S, body, secrets: [NEW_SECRET] });
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('known answer: the Standard Webhooks published test vector', () => {
    const headers = standardWebhookHeaders({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestampSeconds: 1614265330,
      body: '{"test": 2432232314}',
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    });
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs non-ASCII bodies as UTF-8, as the library verifies them', () => {
    atTime(NOW_S);
    const utf8 = standardWebhookBody('booking.updated', '2026-01-01T00:00:00Z', { name: 'Zoë 東京 🚀' });
    const headers = standardWebhookHeaders({ id: EVENT_ID, timestampSeconds: NOW_S, body: utf8, secrets: [NEW_SECRET] });
    expect(() => new Webhook(NEW_SECRET).verify(utf8, headers)).not.toThrow();
    expect(() => new Webhook(NEW_SECRET).verify(Buffer.from(utf8, 'utf8'), headers)).not.toThrow();
  });

  it('refuses what it cannot sign safely', () => {
    const ok = { id: EVENT_ID, timestampSeconds: NOW_S, body, secrets: [NEW_SECRET] };
    expect(() => standardWebhookHeaders({ ...ok, secrets: [] })).toThrow();
    expect(() => standardWebhookHeaders({ ...ok, secrets: ['not-a-secret'] })).toThrow();
    expect(() => standardWebhookHeaders({ ...ok, id: '' })).toThrow();
    expect(() => standardWebhookHeaders({ ...ok, id: 'a\r\nX-Evil: 1' })).toThrow();
    expect(() => standardWebhookHeaders({ ...ok, timestampSeconds: NOW_S + 0.5 })).toThrow();
    expect(() => standardWebhookHeaders({ ...ok, timestampSeconds: Number.NaN })).toThrow();
    expect(() => standardWebhookHeaders({ ...ok, timestampSeconds: -1 })).toThrow();
  });
});

describe('xcover format', () => {
  it('body: { event, payload } with XCover event names', () => {
    expect(xcoverWebhookBody('booking.created', BOOKING)).toBe(JSON.stringify({ event: 'BOOKING_CREATED', payload: BOOKING }));
    expect(JSON.parse(xcoverWebhookBody('booking.updated', BOOKING)!)).toEqual({ event: 'BOOKING_UPDATED', payload: BOOKING });
    expect(JSON.parse(xcoverWebhookBody('booking.cancelled', BOOKING)!)).toEqual({ event: 'BOOKING_CANCELLED', payload: BOOKING });
    expect(Object.keys(JSON.parse(xcoverWebhookBody('booking.cancelled', BOOKING)!))).toEqual(['event', 'payload']);
  });

  it('offer.opted_out is not sent in this format; webhook.test is sent as WEBHOOK_TEST', () => {
    expect(xcoverWebhookBody('offer.opted_out', { offer_id: 'o1' })).toBeNull();
    expect(JSON.parse(xcoverWebhookBody('webhook.test', { message: 'hello' })!)).toEqual({ event: 'WEBHOOK_TEST', payload: { message: 'hello' } });
    for (const type of WEBHOOK_EVENT_TYPES) {
      if (type !== 'offer.opted_out') expect(xcoverWebhookBody(type, {})).not.toBeNull();
    }
  });

  const ENDPOINT_ID = 'we_7c1d2e3f';
  const PATH = '/hooks/xcover';
  const DATE = new Date('2026-01-01T12:07:26.789Z');
  const HTTP_DATE = 'Thu, 01 Jan 2026 12:07:26 GMT';

  /** what our server does with an XCover SDK request (ApiKeysService.authenticateSigned), minus the key lookup */
  function serverVerifies(headers: { Date: string; Authorization: string }, req: { method: string; path: string }, secret: string): boolean {
    const params = parseSignatureAuthorization(headers.Authorization);
    if (!params || !isSupportedAlgorithm(params.algorithm) || !params.headers.includes('date')) return false;
    if (parseHttpDate(headers.Date) === null) return false;
    const request: SignableRequest = { ...req, header: (name) => (name === 'date' ? headers.Date : undefined) };
    const signingString = buildSigningString(params.headers, request);
    if (signingString === null) return false;
    return signatureMatches(params.signature, secret, params.algorithm, signingString);
  }

  it('Date is IMF-fixdate; Authorization has exactly the XCover form', () => {
    const h = xcoverWebhookHeaders({ endpointId: ENDPOINT_ID, secret: NEW_SECRET, method: 'POST', path: PATH, date: DATE });
    expect(Object.keys(h).sort()).toEqual(['Authorization', 'Date']);
    expect(h.Date).toBe(HTTP_DATE);
    expect(parseHttpDate(h.Date)).toBe(Math.floor(DATE.getTime() / 1000) * 1000);
    expect(h.Authorization).toMatch(
      /^Signature keyId="we_7c1d2e3f",algorithm="hmac-sha512",headers="\(request-target\) date",signature="(?:[A-Za-z0-9]|%2B|%2F|%3D)+"$/,
    );
  });

  it('verifies with libs/partners request-signature functions (as our server verifies an XCover SDK)', () => {
    const h = xcoverWebhookHeaders({ endpointId: ENDPOINT_ID, secret: NEW_SECRET, method: 'POST', path: PATH, date: DATE });
    const params = parseSignatureAuthorization(h.Authorization)!;
    expect(params).toEqual({ keyId: ENDPOINT_ID, algorithm: 'hmac-sha512', headers: ['(request-target)', 'date'], signature: expect.any(String) });
    expect(serverVerifies(h, { method: 'POST', path: PATH }, NEW_SECRET)).toBe(true);
    // a query string is not signed, as XCover signs
    expect(serverVerifies(h, { method: 'POST', path: `${PATH}?token=abc` }, NEW_SECRET)).toBe(true);
  });

  it('fails for another path, method, date or secret', () => {
    const h = xcoverWebhookHeaders({ endpointId: ENDPOINT_ID, secret: NEW_SECRET, method: 'POST', path: PATH, date: DATE });
    expect(serverVerifies(h, { method: 'POST', path: '/hooks/other' }, NEW_SECRET)).toBe(false);
    expect(serverVerifies(h, { method: 'PUT', path: PATH }, NEW_SECRET)).toBe(false);
    expect(serverVerifies({ ...h, Date: 'Thu, 01 Jan 2026 12:07:27 GMT' }, { method: 'POST', path: PATH }, NEW_SECRET)).toBe(false);
    expect(serverVerifies(h, { method: 'POST', path: PATH }, OLD_SECRET)).toBe(false);
  });

  it('known answer: HMAC-SHA512 keyed by the whole whsec_ string, percent-encoded Base64 (node:crypto)', () => {
    const h = xcoverWebhookHeaders({ endpointId: ENDPOINT_ID, secret: NEW_SECRET, method: 'POST', path: PATH, date: DATE });
    const signingString = `(request-target): post ${PATH}\ndate: ${HTTP_DATE}`;
    const expected = encodeURIComponent(createHmac('sha512', Buffer.from(NEW_SECRET, 'utf8')).update(signingString).digest('base64'));
    expect(h.Authorization).toBe(`Signature keyId="${ENDPOINT_ID}",algorithm="hmac-sha512",headers="(request-target) date",signature="${expected}"`);
  });

  it('method defaults to POST', () => {
    const explicit = xcoverWebhookHeaders({ endpointId: ENDPOINT_ID, secret: NEW_SECRET, method: 'POST', path: PATH, date: DATE });
    expect(xcoverWebhookHeaders({ endpointId: ENDPOINT_ID, secret: NEW_SECRET, path: PATH, date: DATE })).toEqual(explicit);
  });

  it('refuses what it cannot sign safely', () => {
    const ok = { endpointId: ENDPOINT_ID, secret: NEW_SECRET, path: PATH, date: DATE };
    expect(() => xcoverWebhookHeaders({ ...ok, endpointId: 'a"b' })).toThrow();
    expect(() => xcoverWebhookHeaders({ ...ok, endpointId: '' })).toThrow();
    expect(() => xcoverWebhookHeaders({ ...ok, secret: '' })).toThrow();
    expect(() => xcoverWebhookHeaders({ ...ok, path: 'hooks' })).toThrow();
    expect(() => xcoverWebhookHeaders({ ...ok, path: '/a b' })).toThrow();
    expect(() => xcoverWebhookHeaders({ ...ok, date: new Date(NaN) })).toThrow();
  });
});
