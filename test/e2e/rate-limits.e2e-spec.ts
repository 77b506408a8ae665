/**
 * Rate limits: per API key and route class, 1-second windows; defaults create 50/s,
 * test keys 2/s; overridable per partner in the bundle; applied after authentication.
 */
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { createKey, createOffer, goldBundle, goldRequest, putBundle } from '../support/offer-bundles';
import { waitFor } from '../support/wait';

describe('rate limits (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    // DEFLT: no rate_limits block → defaults; OVER: create 3/s for live keys, 4/s for test keys
    await putBundle(t.http, goldBundle('DEFLT', { rate_limits: undefined }));
    await putBundle(t.http, goldBundle('OVER', { rate_limits: { create: 3, test: 4 } }));
  });
  afterAll(async () => t.close());

  it('a test key gets 429 rate_limited on its 3rd create within a second, with Retry-After and X-RateLimit-* headers', async () => {
    const { key } = await createKey(t.http, 'DEFLT', 'test');
    const other = await createKey(t.http, 'DEFLT', 'test');
    const first = await createOffer(t.http, 'DEFLT', key, goldRequest());
    const second = await createOffer(t.http, 'DEFLT', key, goldRequest());
    const third = await createOffer(t.http, 'DEFLT', key, goldRequest());

    expect(first.status).toBe(200);
    expect(first.headers).toEqual(expect.objectContaining({ 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '1' }));
    expect(second.status).toBe(200);
    expect(second.headers['x-ratelimit-remaining']).toBe('0');

    expect(third.status).toBe(429);
    expect(third.body).toEqual({ type: 'rate_limit_error', code: 'rate_limited', message: expect.any(String), error_id: third.headers['x-request-id'] });
    expect(third.headers).toEqual(
      expect.objectContaining({ 'retry-after': '1', 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }),
    );

    // another key of the same partner has its own window
    expect((await createOffer(t.http, 'DEFLT', other.key, goldRequest())).status).toBe(200);
    // another route class of the same key too (GET offers/{id} is `other`)
    await request(t.http).get(`/x/partners/DEFLT/offers/${first.body.id}/`).set('X-Api-Key', key).expect(200);

    // the limit applies after authentication: a bad key is a 401, not a 429
    const bad = await createOffer(t.http, 'DEFLT', `${key.slice(0, -4)}AAAA`, goldRequest());
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('api_key_invalid');

    // once the window has passed the key is admitted again. The window is real time (the memory
    // counters' Date.now(), or a Redis expiry in the integration run; not the app's clock): polled,
    // a refused request is not counted
    let admitted = 0;
    await waitFor('the key to be admitted again', async () => (admitted = (await createOffer(t.http, 'DEFLT', key, goldRequest())).status) !== 429, 3000, 50);
    expect(admitted).toBe(200);
  });

  it('a live key has 50 creates per second by default', async () => {
    const { key } = await createKey(t.http, 'DEFLT', 'live');
    const res = await createOffer(t.http, 'DEFLT', key, goldRequest()).expect(200);
    expect(res.headers['x-ratelimit-limit']).toBe('50');
    expect(res.headers['x-ratelimit-remaining']).toBe('49');
  });

  it("the partner bundle's rate_limits override is honoured: live create 3 → the 4th is 429; test 4 → the 5th", async () => {
    const live = await createKey(t.http, 'OVER', 'live');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await createOffer(t.http, 'OVER', live.key, goldRequest())).status);
    expect(statuses).toEqual([200, 200, 200, 429]);

    const test = await createKey(t.http, 'OVER', 'test');
    const testStatuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await createOffer(t.http, 'OVER', test.key, goldRequest());
      testStatuses.push(last.status);
    }
    expect(testStatuses).toEqual([200, 200, 200, 200, 429]);
    expect(last!.headers['x-ratelimit-limit']).toBe('4');
  });

  it('requests that fail (422, 404) count too: the limit is on requests, not on offers', async () => {
    const { key } = await createKey(t.http, 'DEFLT', 'test');
    expect((await createOffer(t.http, 'DEFLT', key, { schema: 'nope:v1' })).status).toBe(422);
    expect((await createOffer(t.http, 'DEFLT', key, goldRequest({ kind: 'nomatch' }))).status).toBe(404);
    expect((await createOffer(t.http, 'DEFLT', key, goldRequest())).status).toBe(429);
  });
});
