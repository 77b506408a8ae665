/**
 * XCover-compatible signed requests (issue 7): signing keys, requests signed as the
 * XCover Python and PHP SDKs sign them, every failure, rotation of keys and of the encryption
 * key, and the secret never leaking (responses, audit, logs).
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { AppConfig, Bundle } from '@app/core';
import { deriveKeyId } from '@app/partners';
import { logDestination } from '../../apps/api/src/common/logging';
import { DEMO_BUNDLE, DEMO_TRAVEL_REQUEST } from '../../apps/api/src/seed/demo-bundle';
import { createPgDatabase, startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/app';

type Http = TestApp['http'];
type Algorithm = 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

const admin = { 'X-Admin-Key': TEST_ADMIN_KEY };
const ENC_KEY = Buffer.alloc(32, 7);
const MINUTE = 60_000;

interface SigningKey {
  id: string;
  key: string;
  prefix: string;
  secret: string;
}

function bundleFor(code: string): Bundle {
  return { ...DEMO_BUNDLE, partner: { ...DEMO_BUNDLE.partner, code, name: `${code} Travel` } };
}

async function setUpPartner(http: Http, code: string): Promise<void> {
  const res = await request(http).put(`/admin/partners/${code}/bundle`).set(admin).send(bundleFor(code));
  if (res.status !== 200) throw new Error(`bundle write failed: ${res.status} ${res.text}`);
}

async function createSigningKey(http: Http, code: string, name = 'signed'): Promise<SigningKey> {
  const res = await request(http).post(`/admin/partners/${code}/api-keys`).set(admin).send({ mode: 'live', name, signing: true });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${res.text}`);
  return res.body as SigningKey;
}

/** What the SDKs compute, written here independently of the implementation. */
function sdkSignature(secret: string, algorithm: Algorithm | 'hmac-sha1', lines: string[]): string {
  const hash = algorithm.replace('hmac-', '');
  return encodeURIComponent(createHmac(hash, Buffer.from(secret, 'utf8')).update(lines.join('\n'), 'utf8').digest('base64'));
}

const httpDate = (at = new Date()): string => at.toUTCString();

/**
 * As XCover's Python SDK signs (xcover/auth.py): `Date`, then
 * `Authorization: Signature keyId,algorithm,headers,signature`; no X-Api-Key.
 */
function pythonHeaders(
  k: { key: string; secret: string },
  method: string,
  pathWithQuery: string,
  opts: { algorithm?: Algorithm | 'hmac-sha1'; date?: string } = {},
): Record<string, string> {
  const algorithm = opts.algorithm ?? 'hmac-sha512';
  const date = opts.date ?? httpDate();
  const path = pathWithQuery.split('?')[0];
  const signature = sdkSignature(k.secret, algorithm, [`(request-target): ${method.toLowerCase()} ${path}`, `date: ${date}`]);
  return {
    date,
    authorization: `Signature keyId="${k.key}",algorithm="${algorithm}",headers="(request-target) date",signature="${signature}"`,
  };
}

/**
 * As XCover's PHP SDK signs (src/Middleware/AuthMiddleware.php + XCover.php): `Date`,
 * `Authorization: Signature keyId,algorithm,signature` (no headers=, so `date` only), and X-Api-Key.
 */
function phpHeaders(k: { key: string; secret: string }, opts: { date?: string } = {}): Record<string, string> {
  const date = opts.date ?? httpDate();
  const signature = sdkSignature(k.secret, 'hmac-sha512', [`date: ${date}`]);
  return {
    date,
    authorization: `Signature keyId="${k.key}",algorithm="hmac-sha512",signature="${signature}"`,
    'x-api-key': k.key,
  };
}

const withoutErrorId = (body: Record<string, unknown>): Record<string, unknown> => {
  const { error_id: _ignored, ...rest } = body;
  return rest;
};

/** Sends every later log line of the app (its real loggers: the request log and the app's) to `lines`. */
function captureLogs(lines: string[]): void {
  const stdout = logDestination(false) as unknown as { write: (s: string) => boolean };
  stdout.write = (s: string) => lines.push(s) > 0;
}

describe('signed requests, XCover-compatible (e2e)', () => {
  let t: TestApp;
  let k: SigningKey;
  /** every response body and header set after the key's creation response */
  const seen: string[] = [];
  const logs: string[] = [];
  const track = (res: request.Response): request.Response => {
    seen.push(res.text ?? '', JSON.stringify(res.headers));
    return res;
  };
  const offers = (code = 'SIGNCO') => `/x/partners/${code}/offers/`;

  beforeAll(async () => {
    // the app logs at info (the request logger only runs at info or below); boot lines are
    // swallowed, then every line goes to `logs`
    const write = process.stdout.write;
    process.stdout.write = () => true;
    try {
      t = await startTestApp({ appEncryptionKey: ENC_KEY, authFailLimitPerMin: 10_000, logLevel: 'info' });
    } finally {
      process.stdout.write = write;
    }
    captureLogs(logs);
    await setUpPartner(t.http, 'SIGNCO');
    await setUpPartner(t.http, 'OTHERCO');
    k = await createSigningKey(t.http, 'SIGNCO');
  });
  afterAll(async () => t.close());

  it('a signing key gets a secret in the 201 body, once: { id, key, prefix, mode, name, created_at, secret }', async () => {
    const res = await request(t.http).post('/admin/partners/SIGNCO/api-keys').set(admin).send({ mode: 'live', name: 'shape', signing: true }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key: expect.stringMatching(/^ok_live_[A-Za-z0-9_-]{43}$/),
      prefix: expect.stringMatching(/^ok_live_.{4}$/),
      mode: 'live',
      name: 'shape',
      created_at: expect.any(String),
      secret: expect.stringMatching(/^ok_secret_[A-Za-z0-9_-]{43}$/),
    });
    expect(Buffer.from(res.body.secret.slice('ok_secret_'.length), 'base64url')).toHaveLength(32);
    const plain = await request(t.http).post('/admin/partners/SIGNCO/api-keys').set(admin).send({ mode: 'live' }).expect(201);
    expect(plain.body.secret).toBeUndefined();
  });

  it('signed as the Python SDK signs (headers="(request-target) date", no X-Api-Key) → the offer is created', async () => {
    for (const algorithm of ['hmac-sha512', 'hmac-sha256', 'hmac-sha384'] as const) {
      const path = `${offers()}?include_content=false`;
      const res = track(
        await request(t.http)
          .post(path)
          .set(pythonHeaders(k, 'POST', path, { algorithm }))
          .send(DEMO_TRAVEL_REQUEST),
      );
      expect(res.status).toBe(200);
      expect(res.body.id).toEqual(expect.any(String));
      expect(res.body.products.length).toBeGreaterThan(0);
      // the offer is the key's partner's: readable with the same kind of request
      const get = track(
        await request(t.http)
          .get(`${offers()}${res.body.id}/`)
          .set(pythonHeaders(k, 'GET', `${offers()}${res.body.id}/`)),
      );
      expect(get.status).toBe(200);
      expect(get.body.id).toBe(res.body.id);
    }
  });

  it('signed as the PHP SDK signs (no headers=, with X-Api-Key) → the offer is created', async () => {
    const res = track(await request(t.http).post(offers()).set(phpHeaders(k)).send(DEMO_TRAVEL_REQUEST));
    expect(res.status).toBe(200);
    expect(res.body.id).toEqual(expect.any(String));
  });

  it('works under every prefix, and tells who signed', async () => {
    for (const path of ['/x/partners/SIGNCO/key', '/xcover/partners/SIGNCO/key/']) {
      const res = track(
        await request(t.http)
          .get(path)
          .set(pythonHeaders(k, 'GET', path))
          .expect(200),
      );
      expect(res.body).toEqual({ partner_code: 'SIGNCO', key_id: k.id, mode: 'live' });
    }
  });

  it('a signing key used without a signature → 401 signature_required', async () => {
    const res = track(await request(t.http).post(offers()).set('X-Api-Key', k.key).send(DEMO_TRAVEL_REQUEST));
    expect(res.status).toBe(401);
    expect(withoutErrorId(res.body)).toEqual({ type: 'auth_error', code: 'signature_required', message: expect.stringContaining('sign') });
    expect(res.headers['www-authenticate']).toBe('ApiKey');
    // another Authorization scheme is no signature either
    const bearer = track(await request(t.http).get('/x/partners/SIGNCO/key').set('X-Api-Key', k.key).set('Authorization', `Bearer ${k.key}`));
    expect(bearer.status).toBe(401);
    expect(bearer.body.code).toBe('signature_required');
  });

  it('every signature failure → 401 signature_invalid, one body, WWW-Authenticate', async () => {
    const plain = (await request(t.http).post('/admin/partners/SIGNCO/api-keys').set(admin).send({ mode: 'live' }).expect(201)).body as { key: string };
    const good = pythonHeaders(k, 'POST', offers());
    const flip = (sig: string) => (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    const tampered = { ...good, authorization: good.authorization.replace(/signature="([^"]+)"/, (_m, s: string) => `signature="${flip(s)}"`) };
    const stale = pythonHeaders(k, 'POST', offers(), { date: httpDate(new Date(Date.now() - 20 * MINUTE)) });
    const future = pythonHeaders(k, 'POST', offers(), { date: httpDate(new Date(Date.now() + 20 * MINUTE)) });
    const sha1 = pythonHeaders(k, 'POST', offers(), { algorithm: 'hmac-sha1' });
    const { date: _date, ...noDate } = good;
    const unknownKey = pythonHeaders({ key: `ok_live_${'A'.repeat(43)}`, secret: k.secret }, 'POST', offers());
    const wrongSecret = pythonHeaders({ key: k.key, secret: 'ok_secret_guess' }, 'POST', offers());
    const otherPath = pythonHeaders(k, 'POST', '/x/partners/SIGNCO/key');
    const otherMethod = pythonHeaders(k, 'GET', offers());
    const mismatch = { ...phpHeaders(k), 'x-api-key': plain.key };
    const plainSigning = pythonHeaders({ key: plain.key, secret: k.secret }, 'POST', offers());
    const malformed = { ...good, authorization: `Signature keyId="${k.key}",algorithm="hmac-sha512",signature=` };
    const unknownAlgorithm = { ...good, authorization: good.authorization.replace('hmac-sha512', 'rsa-sha256') };
    const dateUnsigned = { ...good, authorization: good.authorization.replace('(request-target) date', '(request-target)') };
    const revoked = await createSigningKey(t.http, 'SIGNCO', 'to revoke');
    await request(t.http).delete(`/admin/partners/SIGNCO/api-keys/${revoked.id}`).set(admin).expect(204);
    const revokedSigned = pythonHeaders(revoked, 'POST', offers());

    const cases: Record<string, Record<string, string>> = {
      tampered,
      stale,
      future,
      sha1,
      noDate,
      unknownKey,
      wrongSecret,
      otherPath,
      otherMethod,
      mismatch,
      plainSigning,
      malformed,
      unknownAlgorithm,
      dateUnsigned,
      revokedSigned,
    };
    const bodies: string[] = [];
    for (const [name, headers] of Object.entries(cases)) {
      const res = track(await request(t.http).post(offers()).set(headers).send(DEMO_TRAVEL_REQUEST));
      expect({ name, status: res.status, code: res.body.code }).toEqual({ name, status: 401, code: 'signature_invalid' });
      expect(res.headers['www-authenticate']).toBe('ApiKey');
      expect(res.body.error_id).toBe(res.headers['x-request-id']);
      bodies.push(JSON.stringify(withoutErrorId(res.body)));
    }
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0])).toEqual({ type: 'auth_error', code: 'signature_invalid', message: expect.any(String) });
    // the good one, for contrast
    expect(track(await request(t.http).post(offers()).set(good).send(DEMO_TRAVEL_REQUEST)).status).toBe(200);
  });

  it("a valid signature on another partner's path → 403, on an unknown partner → 404", async () => {
    const other = track(
      await request(t.http)
        .post(offers('OTHERCO'))
        .set(pythonHeaders(k, 'POST', offers('OTHERCO')))
        .send(DEMO_TRAVEL_REQUEST),
    );
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('access_denied');
    const unknown = track(
      await request(t.http)
        .post(offers('NOPE'))
        .set(pythonHeaders(k, 'POST', offers('NOPE')))
        .send(DEMO_TRAVEL_REQUEST),
    );
    expect(unknown.status).toBe(404);
  });

  it('plain keys keep working with X-Api-Key alone', async () => {
    const plain = (await request(t.http).post('/admin/partners/SIGNCO/api-keys').set(admin).send({ mode: 'live' }).expect(201)).body as { key: string };
    track(await request(t.http).post(offers()).set('X-Api-Key', plain.key).send(DEMO_TRAVEL_REQUEST).expect(200));
  });

  it('rotation: two signing keys at once; revoking one leaves the other working', async () => {
    const a = await createSigningKey(t.http, 'SIGNCO', 'old');
    const b = await createSigningKey(t.http, 'SIGNCO', 'new');
    expect(a.secret).not.toBe(b.secret);
    for (const key of [a, b]) {
      track(
        await request(t.http)
          .post(offers())
          .set(pythonHeaders(key, 'POST', offers()))
          .send(DEMO_TRAVEL_REQUEST)
          .expect(200),
      );
    }
    await request(t.http).delete(`/admin/partners/SIGNCO/api-keys/${a.id}`).set(admin).expect(204);
    const refused = track(
      await request(t.http)
        .post(offers())
        .set(pythonHeaders(a, 'POST', offers()))
        .send(DEMO_TRAVEL_REQUEST),
    );
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('signature_invalid');
    track(
      await request(t.http)
        .post(offers())
        .set(pythonHeaders(b, 'POST', offers()))
        .send(DEMO_TRAVEL_REQUEST)
        .expect(200),
    );
    track(await request(t.http).post(offers()).set(phpHeaders(b)).send(DEMO_TRAVEL_REQUEST).expect(200));
  });

  it('the secret never shows again: key list, audit log, any later response, logs', async () => {
    const list = track(await request(t.http).get('/admin/partners/SIGNCO/api-keys').set(admin).expect(200));
    const listed = list.body.items.find((i: { id: string }) => i.id === k.id);
    expect(listed).toEqual(expect.objectContaining({ id: k.id, prefix: k.prefix, signing: true, revoked_at: null }));
    expect(Object.keys(listed).sort()).toEqual(['created_at', 'id', 'mode', 'name', 'prefix', 'revoked_at', 'signing']);

    const audit = track(await request(t.http).get('/admin/audit?partner_code=SIGNCO&action=api_key.create&limit=200').set(admin).expect(200));
    const entry = audit.body.items.find((e: { target_id: string }) => e.target_id === k.id);
    expect(entry.after).toEqual({ id: k.id, prefix: k.prefix, mode: 'live', name: 'signed', signing: true });
    track(await request(t.http).get('/admin/audit?limit=200').set(admin).expect(200));

    const secretBody = k.secret.slice('ok_secret_'.length);
    for (const text of seen) {
      expect(text).not.toContain(secretBody);
      expect(text).not.toContain(k.key);
    }
    expect(seen.length).toBeGreaterThan(40);

    // logs: the requests above were logged (info), without the key, the secret, or any header
    const logged = logs.join('');
    expect(logs.filter((l) => l.includes('"/x/partners/SIGNCO/offers/"')).length).toBeGreaterThan(10);
    expect(logged).not.toContain(secretBody);
    expect(logged).not.toContain(k.key);
    expect(logged).not.toMatch(/Signature keyId|authorization|x-api-key|signature=/i);
    expect(logged).not.toContain('include_content');
  });
});

describe('signed requests and the failed-auth throttle (e2e)', () => {
  let t: TestApp;
  afterAll(async () => t?.close());

  it('bad signatures and unsigned signing keys count toward the per-IP limit', async () => {
    t = await startTestApp({ appEncryptionKey: ENC_KEY, authFailLimitPerMin: 3 });
    await setUpPartner(t.http, 'SIGNCO');
    const k = await createSigningKey(t.http, 'SIGNCO');
    const path = '/x/partners/SIGNCO/key';
    await request(t.http)
      .get(path)
      .set(pythonHeaders(k, 'GET', path))
      .expect(200);
    await request(t.http)
      .get(path)
      .set(pythonHeaders({ key: k.key, secret: 'wrong' }, 'GET', path))
      .expect(401);
    await request(t.http)
      .get(path)
      .set(pythonHeaders(k, 'GET', path, { date: httpDate(new Date(Date.now() - 20 * MINUTE)) }))
      .expect(401);
    await request(t.http).get(path).set('X-Api-Key', k.key).expect(401);
    const limited = await request(t.http)
      .get(path)
      .set(pythonHeaders(k, 'GET', path));
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe('signing keys without APP_ENCRYPTION_KEY (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ appEncryptionKey: undefined, appEncryptionKeysOld: [] });
    await request(t.http).post('/admin/partners').set(admin).send({ code: 'ACME', name: 'Acme' }).expect(201);
  });
  afterAll(async () => t.close());

  it('→ 422 signing_unavailable naming APP_ENCRYPTION_KEY, nothing created; plain keys still work', async () => {
    const res = await request(t.http).post('/admin/partners/ACME/api-keys').set(admin).send({ mode: 'live', signing: true }).expect(422);
    expect(res.body).toEqual(
      expect.objectContaining({ type: 'api_error', code: 'signing_unavailable', message: expect.stringContaining('APP_ENCRYPTION_KEY') }),
    );
    const list = await request(t.http).get('/admin/partners/ACME/api-keys').set(admin).expect(200);
    expect(list.body.items).toHaveLength(0);
    await request(t.http).post('/admin/partners/ACME/api-keys').set(admin).send({ mode: 'live' }).expect(201);
  });
});

describe('rotating APP_ENCRYPTION_KEY (e2e)', () => {
  const K1 = Buffer.alloc(32, 1);
  const K2 = Buffer.alloc(32, 2);
  let dir: string;
  let pg: { url: string; drop(): Promise<void> } | null = null;
  let storage: Partial<AppConfig>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'offers-rotation-'));
    pg = process.env.TEST_PG_ADMIN_URL ? await createPgDatabase(process.env.TEST_PG_ADMIN_URL) : null;
    storage = pg ? { databaseUrl: pg.url } : { sqlitePath: join(dir, 'shared.sqlite') };
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (pg) await pg.drop();
  });

  async function storedKid(t: TestApp, id: string): Promise<string> {
    const row = await t.app
      .get(DataSource)
      .createQueryBuilder()
      .select('k.secret_enc', 'enc')
      .from('api_keys', 'k')
      .where('k.id = :id', { id })
      .getRawOne<{ enc: string }>();
    return (row?.enc ?? '').split('.')[1];
  }

  it('secrets sealed under the old key keep working via APP_ENCRYPTION_KEYS_OLD, are re-sealed under the new key, then the old key can go', async () => {
    const path = '/x/partners/SIGNCO/key';
    const t1 = await startTestApp({ ...storage, appEncryptionKey: K1 });
    let k: SigningKey;
    try {
      await setUpPartner(t1.http, 'SIGNCO');
      k = await createSigningKey(t1.http, 'SIGNCO');
      expect(await storedKid(t1, k.id)).toBe(deriveKeyId(K1));
    } finally {
      await t1.close();
    }

    // the new key alone cannot open the old envelope: refused like any bad signature
    const t2 = await startTestApp({ ...storage, appEncryptionKey: K2 });
    try {
      const res = await request(t2.http)
        .get(path)
        .set(pythonHeaders(k, 'GET', path));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('signature_invalid');
    } finally {
      await t2.close();
    }

    const t3 = await startTestApp({ ...storage, appEncryptionKey: K2, appEncryptionKeysOld: [{ id: undefined, key: K1 }] });
    try {
      await request(t3.http)
        .get(path)
        .set(pythonHeaders(k, 'GET', path))
        .expect(200);
      expect(await storedKid(t3, k.id)).toBe(deriveKeyId(K2));
    } finally {
      await t3.close();
    }

    const t4 = await startTestApp({ ...storage, appEncryptionKey: K2 });
    try {
      await request(t4.http)
        .get(path)
        .set(pythonHeaders(k, 'GET', path))
        .expect(200);
      await request(t4.http).post('/x/partners/SIGNCO/offers/').set(phpHeaders(k)).send(DEMO_TRAVEL_REQUEST).expect(200);
    } finally {
      await t4.close();
    }
  });
});
