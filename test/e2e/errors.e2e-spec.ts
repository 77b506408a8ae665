import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';

describe('errors and ops (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ maxBodyBytes: 102400 });
  });
  afterAll(async () => t.close());

  const expectEnvelope = (body: Record<string, unknown>, code: string) => {
    expect(body).toEqual(expect.objectContaining({ code, type: expect.any(String), message: expect.any(String), error_id: expect.any(String) }));
  };

  it('GET /health/live answers ok with a request id', async () => {
    const res = await request(t.http).get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("the app's HTTP server builds requests and responses with Express's prototypes (ExpressPrototypesAdapter)", async () => {
    const express = t.app.getHttpAdapter().getInstance() as { request: object; response: object };
    let built: boolean[] = [];
    const see = (req: object, res: object) => (built = [Object.getPrototypeOf(req) === express.request, Object.getPrototypeOf(res) === express.response]);
    t.http.prependListener('request', see);
    try {
      await request(t.http).get('/health/live').expect(200);
    } finally {
      t.http.removeListener('request', see);
    }
    expect(built).toEqual([true, true]);
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const a = await request(t.http).get('/health/live').set('X-Request-Id', 'abc-123');
    expect(a.headers['x-request-id']).toBe('abc-123');
    const b = await request(t.http).get('/health/live').set('X-Request-Id', 'bad id <script>');
    expect(b.headers['x-request-id']).not.toBe('bad id <script>');
  });

  it('GET /health/ready checks the database', async () => {
    const res = await request(t.http).get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.database.status).toBe('up');
  });

  it('unknown route → 404 in the envelope', async () => {
    const res = await request(t.http).get('/nope').expect(404);
    expectEnvelope(res.body, 'not_found');
    expect(res.body.error_id).toBe(res.headers['x-request-id']);
  });

  it('%00 (NUL) in a path or query → 400 malformed_request before any lookup (PostgreSQL cannot compare it)', async () => {
    for (const [method, path] of [
      ['get', '/admin/partners/%00'],
      ['delete', '/admin/partners/DEMO/api-keys/%00'],
      ['post', '/x/partners/%00/offers'],
      ['get', '/x/partners/DEMO/offers/abc?x=%00'],
    ] as const) {
      const res = await request(t.http)[method](path).set('X-Admin-Key', 'irrelevant-key-0123456789');
      expect([method, path, res.status]).toEqual([method, path, 400]);
      expectEnvelope(res.body, 'malformed_request');
      expect(res.body.message).toBe('The URL must not contain %00 (the NUL character)');
    }
    // other escapes are fine
    await request(t.http).get('/nope%20x').expect(404);
  });

  it('malformed JSON → 400 malformed_request', async () => {
    const res = await request(t.http).post('/nope').set('Content-Type', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 'malformed_request');
  });

  it('2 MB body → 413 payload_too_large', async () => {
    const big = JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) });
    const res = await request(t.http).post('/nope').set('Content-Type', 'application/json').send(big);
    expect(res.status).toBe(413);
    expectEnvelope(res.body, 'payload_too_large');
  });

  it('text/plain body → 415 unsupported_media_type', async () => {
    const res = await request(t.http).post('/health/live').set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(415);
    expectEnvelope(res.body, 'unsupported_media_type');
  });

  it('/metrics counts requests by route and status', async () => {
    await request(t.http).get('/health/ready').expect(200);
    const res = await request(t.http).get('/metrics').expect(200);
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/health\/ready",status="200"\} [1-9]/);
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/);
  });

  it('/docs-json is an OpenAPI document', async () => {
    const res = await request(t.http).get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.paths['/health/ready']).toBeDefined();
  });
});
