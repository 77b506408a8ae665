import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditService } from '@app/audit';
import { AppConfig, Clock, ConfigEvents } from '@app/core';
import type { TransactionRunner } from '@app/database';
import { ApiKeyAuthCache } from './auth-cache';
import type { ApiKeyRow, ApiKeysRepository, KeyAuthRow } from './api-keys.repository';
import { ApiKeysService, secretAad } from './api-keys.service';
import { hashKey } from './key-material';
import type { PartnersRepository } from './partners.repository';
import type { SignedRequestInput } from './partners.types';
import { signatureAuthorization, SignatureAlgorithm } from './request-signature';
import { KeyRing, SecretBox } from './secret-box';

const RAW = `ok_live_${'k'.repeat(43)}`;
const SECRET = `ok_secret_${'s'.repeat(43)}`;
const NOW = new Date('2021-08-29T12:07:26Z');
const DATE = 'Sun, 29 Aug 2021 12:07:26 GMT';
const KEY_A = Buffer.alloc(32, 1);
const KEY_B = Buffer.alloc(32, 2);

class FixedClock extends Clock {
  constructor(public at: Date) {
    super();
  }
  now(): Date {
    return this.at;
  }
}

function box(current: Buffer | undefined, old: Buffer[] = []): SecretBox {
  const config = { appEncryptionKey: current, appEncryptionKeysOld: old.map((key) => ({ id: undefined, key })) } as AppConfig;
  return new SecretBox(config);
}

function setup(row: Partial<KeyAuthRow> = {}, opts: { box?: SecretBox; clock?: FixedClock } = {}) {
  const secretBox = opts.box ?? box(KEY_A);
  const authRow: KeyAuthRow = {
    keyId: 'key-1',
    keyHash: hashKey(RAW),
    mode: 'live',
    revoked: false,
    partnerId: 'p-1',
    partnerCode: 'ACME',
    partnerStatus: 'active',
    partnerDeleted: false,
    signing: false,
    secretEnc: null,
    ...row,
  };
  const findAuthRow = jest.fn(async (hash: string) => (hash === authRow.keyHash ? { ...authRow } : null));
  const updateSecretEnc = jest.fn(async (_id: string, enc: string) => {
    authRow.secretEnc = enc;
  });
  const inserted: ApiKeyRow[] = [];
  const keys = {
    findAuthRow,
    updateSecretEnc,
    insert: jest.fn(async (r: ApiKeyRow) => {
      inserted.push(r);
    }),
  } as unknown as ApiKeysRepository;
  const partners = { findByCode: jest.fn(async (code: string) => ({ id: 'p-1', code })) } as unknown as PartnersRepository;
  const audited: unknown[] = [];
  const audit = { record: jest.fn(async (e: unknown) => audited.push(e)) } as unknown as AuditService;
  const events = new ConfigEvents();
  const cache = new ApiKeyAuthCache(events);
  const tx = { run: <T>(w: (m: EntityManager) => Promise<T>) => w({} as EntityManager) } as unknown as TransactionRunner;
  const clock = opts.clock ?? new FixedClock(NOW);
  const service = new ApiKeysService(keys, partners, tx, audit, cache, secretBox, clock, { signatureMaxSkewS: 900 }, events);
  return { service, findAuthRow, updateSecretEnc, authRow, cache, events, inserted, audited, clock };
}

/** a signing key row whose secret is SECRET sealed under `ring` */
function signingRow(ring: KeyRing = box(KEY_A)): Partial<KeyAuthRow> {
  return { signing: true, secretEnc: ring.seal(SECRET, secretAad('key-1')) };
}

function signed(
  opts: { algorithm?: SignatureAlgorithm; headers?: string[]; date?: string | null; apiKey?: string; keyId?: string; secret?: string; path?: string } = {},
): SignedRequestInput {
  const headers: Record<string, string> = {};
  if (opts.date !== null) headers.date = opts.date ?? DATE;
  const req = { method: 'POST', path: opts.path ?? '/x/partners/ACME/offers/', header: (n: string) => headers[n] };
  const authorization = signatureAuthorization({
    keyId: opts.keyId ?? RAW,
    secret: opts.secret ?? SECRET,
    algorithm: opts.algorithm ?? 'hmac-sha512',
    headers: opts.headers,
    // the client signs the headers it lists (tests then remove some from what the server sees)
    request: { ...req, header: (n: string) => headers[n] ?? (n === 'date' ? DATE : `value of ${n}`) },
  });
  return { ...req, authorization, apiKey: opts.apiKey };
}

beforeAll(() => Logger.overrideLogger(false));

const EXPECTED_AUTH = { keyId: 'key-1', partnerId: 'p-1', partnerCode: 'ACME', partnerStatus: 'active', mode: 'live' };

describe('ApiKeysService.authenticate', () => {
  it('returns the key owner, and serves repeats from the cache', async () => {
    const { service, findAuthRow } = setup();
    expect(await service.authenticate(RAW)).toEqual(EXPECTED_AUTH);
    expect(await service.authenticate(RAW)).toEqual(EXPECTED_AUTH);
    expect(findAuthRow).toHaveBeenCalledTimes(1);
  });

  it('refuses missing, implausible, unknown, revoked keys and keys of deleted partners', async () => {
    expect(await setup().service.authenticate(undefined)).toBeNull();
    expect(await setup().service.authenticate('x'.repeat(1000))).toBeNull();
    expect(await setup().service.authenticate(`${RAW}x`)).toBeNull();
    expect(await setup({ revoked: true }).service.authenticate(RAW)).toBeNull();
    expect(await setup({ partnerDeleted: true }).service.authenticate(RAW)).toBeNull();
  });

  it('a partner change event drops cached authentications of that partner', async () => {
    const { service, findAuthRow, events } = setup();
    await service.authenticate(RAW);
    events.emitChange('p-1');
    await service.authenticate(RAW);
    expect(findAuthRow).toHaveBeenCalledTimes(2);
  });

  it('a lookup that raced a revocation is not cached', async () => {
    const { service, findAuthRow, cache } = setup();
    findAuthRow.mockImplementationOnce(async (hash: string) => {
      cache.delete(hash); // the revocation lands while the read is in flight
      return {
        keyId: 'key-1',
        keyHash: hashKey(RAW),
        mode: 'live',
        revoked: false,
        partnerId: 'p-1',
        partnerCode: 'ACME',
        partnerStatus: 'active',
        partnerDeleted: false,
        signing: false,
        secretEnc: null,
      };
    });
    await service.authenticate(RAW);
    expect(cache.size).toBe(0);
  });

  it('identifies a signing key too (the admin guard tells partner keys from none)', async () => {
    expect(await setup(signingRow()).service.authenticate(RAW)).toEqual(EXPECTED_AUTH);
  });
});

describe('ApiKeysService.authenticateApiKey (X-Api-Key alone)', () => {
  it('a plain key passes; a signing key needs a signature; unknown keys are invalid', async () => {
    expect(await setup().service.authenticateApiKey(RAW)).toEqual({ ok: true, auth: EXPECTED_AUTH });
    expect(await setup(signingRow()).service.authenticateApiKey(RAW)).toEqual({ ok: false, reason: 'signature_required' });
    expect(await setup().service.authenticateApiKey(undefined)).toEqual({ ok: false, reason: 'invalid' });
    expect(await setup({ revoked: true }).service.authenticateApiKey(RAW)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('ApiKeysService.authenticateSigned', () => {
  it.each<SignatureAlgorithm>(['hmac-sha256', 'hmac-sha384', 'hmac-sha512'])(
    'verifies %s, with the default headers and with (request-target) date',
    async (algorithm) => {
      const { service } = setup(signingRow());
      expect(await service.authenticateSigned(signed({ algorithm }))).toEqual({ ok: true, auth: EXPECTED_AUTH });
      expect(await service.authenticateSigned(signed({ algorithm, headers: ['(request-target)', 'date'] }))).toEqual({ ok: true, auth: EXPECTED_AUTH });
    },
  );

  it('accepts X-Api-Key next to the signature when it is the same key', async () => {
    expect((await setup(signingRow()).service.authenticateSigned(signed({ apiKey: RAW }))).ok).toBe(true);
  });

  it('gives the reason of each failure (for logs; clients see one body)', async () => {
    const { service } = setup(signingRow());
    const cases: [SignedRequestInput, string][] = [
      [{ ...signed(), authorization: 'Signature keyId="x"' }, 'malformed'],
      [{ ...signed(), authorization: signed().authorization.replace('hmac-sha512', 'hmac-sha1') }, 'unsupported_algorithm'],
      [{ ...signed(), authorization: signed().authorization.replace('hmac-sha512', 'rsa-sha256') }, 'unsupported_algorithm'],
      [signed({ apiKey: `ok_live_${'o'.repeat(43)}` }), 'key_mismatch'],
      [signed({ headers: ['(request-target)'] }), 'date_not_signed'],
      [signed({ date: null }), 'date_missing'],
      [signed({ date: 'yesterday' }), 'date_missing'],
      [signed({ date: 'Sun, 29 Aug 2021 11:47:26 GMT' }), 'date_skew'],
      [signed({ date: 'Sun, 29 Aug 2021 12:22:27 GMT' }), 'date_skew'],
      [signed({ headers: ['date', 'x-custom'] }), 'header_missing'],
      [signed({ keyId: `ok_live_${'u'.repeat(43)}` }), 'unknown_key'],
      [signed({ secret: 'not-the-secret' }), 'bad_signature'],
      [signed({ path: '/x/partners/ACME/offers/other', headers: ['(request-target)', 'date'] }), 'ok'],
    ];
    for (const [input, reason] of cases) {
      const out = await service.authenticateSigned(input);
      if (reason === 'ok') expect(out.ok).toBe(true);
      else expect(out).toEqual({ ok: false, reason });
    }
  });

  it('a signature over another request target does not verify', async () => {
    const { service } = setup(signingRow());
    const input = signed({ headers: ['(request-target)', 'date'] });
    expect(await service.authenticateSigned({ ...input, method: 'GET' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await service.authenticateSigned({ ...input, path: '/x/partners/ACME/offers/1/confirm/' })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('the Date may be up to SIGNATURE_MAX_SKEW_S either side of the clock', async () => {
    const clock = new FixedClock(new Date(NOW.getTime() + 900_000));
    const { service } = setup(signingRow(), { clock });
    expect((await service.authenticateSigned(signed())).ok).toBe(true);
    clock.at = new Date(NOW.getTime() + 900_001);
    expect(await service.authenticateSigned(signed())).toEqual({ ok: false, reason: 'date_skew' });
    clock.at = new Date(NOW.getTime() - 900_000);
    expect((await service.authenticateSigned(signed())).ok).toBe(true);
  });

  it('a plain key cannot sign, a revoked signing key neither', async () => {
    expect(await setup().service.authenticateSigned(signed())).toEqual({ ok: false, reason: 'not_signing_key' });
    expect(await setup({ ...signingRow(), revoked: true }).service.authenticateSigned(signed())).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it("an envelope moved to another key's row does not open there", async () => {
    const ring = box(KEY_A);
    const { service } = setup({ signing: true, secretEnc: ring.seal(SECRET, secretAad('key-2')) }, { box: ring });
    expect(await service.authenticateSigned(signed())).toEqual({ ok: false, reason: 'secret_unavailable' });
  });

  it('after a rotation, a secret sealed under the old key verifies and is re-sealed under the new one, once', async () => {
    const oldRing = box(KEY_A);
    const rotated = box(KEY_B, [KEY_A]);
    const { service, updateSecretEnc, authRow } = setup(signingRow(oldRing), { box: rotated });
    expect((await service.authenticateSigned(signed())).ok).toBe(true);
    expect(updateSecretEnc).toHaveBeenCalledTimes(1);
    expect(KeyRing.keyIdOf(authRow.secretEnc as string)).toBe(rotated.current?.id);
    expect(rotated.open(authRow.secretEnc as string, secretAad('key-1'))).toBe(SECRET);
    expect((await service.authenticateSigned(signed())).ok).toBe(true);
    expect(updateSecretEnc).toHaveBeenCalledTimes(1);
    // the old key can now leave the ring
    expect(box(KEY_B).open(authRow.secretEnc as string, secretAad('key-1'))).toBe(SECRET);
  });

  it('without the old key in the ring, a secret sealed under it cannot be used', async () => {
    const { service } = setup(signingRow(box(KEY_A)), { box: box(KEY_B) });
    expect(await service.authenticateSigned(signed())).toEqual({ ok: false, reason: 'secret_unavailable' });
  });
});

describe('ApiKeysService.create', () => {
  it('a signing key gets a 32-byte secret, returned once and stored only sealed; the audit entry holds no secret', async () => {
    const { service, inserted, audited } = setup();
    const created = await service.create('ACME', { mode: 'live', name: 'signed', signing: true }, { actor: 'test', requestId: 'r' });
    expect(created.signing).toBe(true);
    expect(created.secret).toMatch(/^ok_secret_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from((created.secret as string).slice('ok_secret_'.length), 'base64url')).toHaveLength(32);
    const row = inserted[0];
    expect(row.signing).toBe(true);
    expect(row.secretEnc).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(row.secretEnc).not.toContain(created.secret as string);
    expect(box(KEY_A).open(row.secretEnc as string, secretAad(row.id))).toBe(created.secret);
    const entry = JSON.stringify(audited);
    expect(entry).not.toContain(created.secret as string);
    expect(entry).not.toContain(row.secretEnc as string);
    expect(entry).not.toContain(created.key);
    expect(audited[0]).toEqual(expect.objectContaining({ after: { id: row.id, prefix: row.prefix, mode: 'live', name: 'signed', signing: true } }));
  });

  it('two signing keys get different secrets; a plain key gets none', async () => {
    const { service, inserted } = setup();
    const a = await service.create('ACME', { mode: 'live', signing: true }, { actor: 'test', requestId: 'r' });
    const b = await service.create('ACME', { mode: 'live', signing: true }, { actor: 'test', requestId: 'r' });
    const plain = await service.create('ACME', { mode: 'live' }, { actor: 'test', requestId: 'r' });
    expect(a.secret).not.toBe(b.secret);
    expect(plain.secret).toBeUndefined();
    expect(plain.signing).toBe(false);
    expect(inserted[2]).toEqual(expect.objectContaining({ signing: false, secretEnc: null }));
  });

  it('without APP_ENCRYPTION_KEY signing keys are refused (422 signing_unavailable), plain keys still work', async () => {
    const { service, inserted } = setup({}, { box: box(undefined) });
    await expect(service.create('ACME', { mode: 'live', signing: true }, { actor: 'test', requestId: 'r' })).rejects.toMatchObject({
      kind: 'invalid',
      code: 'signing_unavailable',
      message: expect.stringContaining('APP_ENCRYPTION_KEY'),
    });
    expect(inserted).toHaveLength(0);
    await service.create('ACME', { mode: 'live' }, { actor: 'test', requestId: 'r' });
    expect(inserted).toHaveLength(1);
  });
});
