import type { AppConfig } from '@app/core';
import { deriveKeyId, KeyRing, SecretBox, SecretBoxError } from './secret-box';

const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);
const SECRET = 'ok_secret_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

describe('SecretBox (AES-256-GCM envelopes with key ids)', () => {
  it('seals to v1.<kid>.<iv>.<tag>.<ciphertext> (base64url parts) and opens it again', () => {
    const ring = new KeyRing({ id: undefined, key: K1 });
    const env = ring.seal(SECRET, 'row-1');
    const parts = env.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe(deriveKeyId(K1));
    for (const p of parts.slice(1)) expect(p).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(parts[2], 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[3], 'base64url')).toHaveLength(16);
    expect(env).not.toContain(SECRET);
    expect(ring.open(env, 'row-1')).toBe(SECRET);
  });

  it('uses a fresh IV every time', () => {
    const ring = new KeyRing({ id: 'k1', key: K1 });
    expect(ring.seal(SECRET, 'a')).not.toBe(ring.seal(SECRET, 'a'));
  });

  it('refuses a tampered envelope, another row (aad), a malformed one and an unknown key id', () => {
    const ring = new KeyRing({ id: 'k1', key: K1 });
    const env = ring.seal(SECRET, 'row-1');
    const parts = env.split('.');
    const ct = Buffer.from(parts[4], 'base64url');
    ct[0] = ct[0] ^ 1;
    const tampered = [...parts.slice(0, 4), ct.toString('base64url')].join('.');
    expect(() => ring.open(tampered, 'row-1')).toThrow(SecretBoxError);
    expect(() => ring.open(env, 'row-2')).toThrow(SecretBoxError);
    expect(() => ring.open('v1.k1.x.y', 'row-1')).toThrow(SecretBoxError);
    expect(() => ring.open(`v2.${parts.slice(1).join('.')}`, 'row-1')).toThrow(SecretBoxError);
    expect(() => ring.open(['v1', 'k9', ...parts.slice(2)].join('.'), 'row-1')).toThrow(/k9/);
  });

  it('rotation: the new key seals, the retired one still opens what it sealed', () => {
    const before = new KeyRing({ id: undefined, key: K1 });
    const old = before.seal(SECRET, 'row-1');
    const after = new KeyRing({ id: undefined, key: K2 }, [{ id: undefined, key: K1 }]);
    expect(after.open(old, 'row-1')).toBe(SECRET);
    expect(after.isStale(old)).toBe(true);
    const fresh = after.seal(SECRET, 'row-1');
    expect(KeyRing.keyIdOf(fresh)).toBe(deriveKeyId(K2));
    expect(after.isStale(fresh)).toBe(false);
    // once the retired key is dropped, only envelopes under the new key open
    const only = new KeyRing({ id: undefined, key: K2 });
    expect(only.open(fresh, 'row-1')).toBe(SECRET);
    expect(() => only.open(old, 'row-1')).toThrow(SecretBoxError);
  });

  it('explicit key ids: the id names the key in the envelope', () => {
    const ring = new KeyRing({ id: '2025-01', key: K1 }, [{ id: '2024-01', key: K2 }]);
    expect(KeyRing.keyIdOf(ring.seal(SECRET, 'r'))).toBe('2025-01');
    const old = new KeyRing({ id: '2024-01', key: K2 }).seal(SECRET, 'r');
    expect(ring.open(old, 'r')).toBe(SECRET);
  });

  it('refuses two different keys under one id', () => {
    expect(() => new KeyRing({ id: 'same', key: K1 }, [{ id: 'same', key: K2 }])).toThrow(/same/);
    expect(() => new KeyRing({ id: undefined, key: K1 }, [{ id: undefined, key: K1 }])).not.toThrow();
  });

  it('derived key ids are stable and differ per key', () => {
    expect(deriveKeyId(K1)).toBe(deriveKeyId(Buffer.alloc(32, 1)));
    expect(deriveKeyId(K1)).not.toBe(deriveKeyId(K2));
    expect(deriveKeyId(K1)).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });

  it('without APP_ENCRYPTION_KEY it is unavailable and seals nothing', () => {
    const box = new SecretBox({ appEncryptionKey: undefined } as AppConfig);
    expect(box.available).toBe(false);
    expect(() => box.seal(SECRET, 'r')).toThrow(/APP_ENCRYPTION_KEY/);
  });

  it('is built from the config (current key, its id, the old keys)', () => {
    const box = new SecretBox({ appEncryptionKey: K2, appEncryptionKeyId: 'new', appEncryptionKeysOld: [{ id: 'old', key: K1 }] } as AppConfig);
    expect(box.available).toBe(true);
    expect(box.current?.id).toBe('new');
    expect(box.open(new KeyRing({ id: 'old', key: K1 }).seal(SECRET, 'r'), 'r')).toBe(SECRET);
  });
});
