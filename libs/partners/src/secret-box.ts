import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig, ENCRYPTION_KEY_ID_PATTERN, EncryptionKeyEntry } from '@app/core';

/**
 * Envelope encryption of small secrets (signing secrets) under APP_ENCRYPTION_KEY, with
 * AES-256-GCM. An envelope is one ASCII string, every part base64url:
 *
 *     v1.<kid>.<iv>.<tag>.<ciphertext>
 *
 * `kid` names the key that sealed it, so the key can be rotated: the new key becomes
 * APP_ENCRYPTION_KEY, the retired one moves to APP_ENCRYPTION_KEYS_OLD and keeps opening the
 * envelopes it sealed. `aad` (e.g. the owning row id) is authenticated but not stored: an
 * envelope copied to another row does not open there.
 */
export const ENVELOPE_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/**
 * The id of a key given without one: 8 base64url characters of a domain-separated SHA-256 of
 * it. Stable, so an operator can move a key to APP_ENCRYPTION_KEYS_OLD without naming it, and
 * says nothing useful about the key (256 random bits).
 */
export function deriveKeyId(key: Buffer): string {
  return createHash('sha256').update('offers/encryption-key-id/v1\0').update(key).digest('base64url').slice(0, 8);
}

function toKey(entry: EncryptionKeyEntry): EncryptionKey {
  if (entry.key.length !== 32) throw new SecretBoxError('an encryption key must be 32 bytes');
  const id = entry.id ?? deriveKeyId(entry.key);
  if (!ENCRYPTION_KEY_ID_PATTERN.test(id)) throw new SecretBoxError(`invalid encryption key id "${id}"`);
  return { id, key: entry.key };
}

/** Seals with the current key; opens with any key of the ring. */
export class KeyRing {
  readonly current: EncryptionKey | null;
  private readonly byId = new Map<string, Buffer>();

  constructor(current: EncryptionKeyEntry | null, old: readonly EncryptionKeyEntry[] = []) {
    this.current = current ? toKey(current) : null;
    for (const k of [...(this.current ? [this.current] : []), ...old.map(toKey)]) {
      const known = this.byId.get(k.id);
      if (known && !known.equals(k.key)) throw new SecretBoxError(`two different encryption keys share the id "${k.id}"`);
      this.byId.set(k.id, k.key);
    }
  }

  get available(): boolean {
    return this.current !== null;
  }

  seal(plaintext: string, aad: string): string {
    if (!this.current) throw new SecretBoxError('no encryption key (APP_ENCRYPTION_KEY) is configured');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [ENVELOPE_VERSION, this.current.id, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
  }

  /** Throws SecretBoxError for a malformed envelope, an unknown key id, or a failed authentication. */
  open(envelope: string, aad: string): string {
    const parts = envelope.split('.');
    if (parts.length !== 5 || parts[0] !== ENVELOPE_VERSION) throw new SecretBoxError('not a v1 envelope');
    const [, kid, ivB64, tagB64, ctB64] = parts as [string, string, string, string, string];
    const key = this.byId.get(kid);
    if (!key) throw new SecretBoxError(`no encryption key with id "${kid}" (add it to APP_ENCRYPTION_KEYS_OLD)`);
    const iv = Buffer.from(ivB64, 'base64url');
    const tag = Buffer.from(tagB64, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('malformed envelope');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ctB64, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('envelope does not authenticate');
    }
  }

  /** the key id an envelope was sealed with, or null when it is not an envelope */
  static keyIdOf(envelope: string): string | null {
    const parts = envelope.split('.');
    return parts.length === 5 && parts[0] === ENVELOPE_VERSION ? (parts[1] ?? null) : null;
  }

  /** true when the envelope was sealed with another key than the current one */
  isStale(envelope: string): boolean {
    return this.current !== null && KeyRing.keyIdOf(envelope) !== this.current.id;
  }
}

/** The app's key ring, from APP_ENCRYPTION_KEY (+ APP_ENCRYPTION_KEY_ID) and APP_ENCRYPTION_KEYS_OLD. */
@Injectable()
export class SecretBox extends KeyRing {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config.appEncryptionKey ? { id: config.appEncryptionKeyId, key: config.appEncryptionKey } : null, config.appEncryptionKeysOld ?? []);
  }
}
