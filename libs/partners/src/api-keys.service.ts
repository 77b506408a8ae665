import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, ChangeContext } from '@app/audit';
import { APP_CONFIG, AppConfig, Clock, ConfigEvents } from '@app/core';
import { TransactionRunner } from '@app/database';
import { ApiKeyAuthCache, CachedKeyAuth } from './auth-cache';
import { ApiKeyRow, ApiKeysRepository } from './api-keys.repository';
import { generateKey, hashesEqual, hashKey, isPlausibleKey } from './key-material';
import { apiKeyNotFound, partnerNotFound, signingUnavailable } from './partners.errors';
import { PartnersRepository } from './partners.repository';
import { ApiKeyAuthOutcome, ApiKeyView, AuthenticatedKey, CreateApiKeyInput, CreatedApiKey, SignedAuthOutcome, SignedRequestInput } from './partners.types';
import { buildSigningString, isSupportedAlgorithm, parseHttpDate, parseSignatureAuthorization, signatureMatches } from './request-signature';
import { SecretBox } from './secret-box';

/** Signing secrets: a readable tag plus 32 random bytes in base64url, used as UTF-8 HMAC keys. */
export const SECRET_TAG = 'ok_secret_';
export const SECRET_ENTROPY_BYTES = 32;

export function generateSigningSecret(): string {
  return SECRET_TAG + randomBytes(SECRET_ENTROPY_BYTES).toString('base64url');
}

/** Additional data bound to a secret envelope: it opens only on its own api_keys row. */
export function secretAad(apiKeyId: string): string {
  return `api_keys.secret_enc:${apiKeyId}`;
}

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('ApiKeys');
  private readonly maxSkewMs: number;

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly partners: PartnersRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly cache: ApiKeyAuthCache,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'signatureMaxSkewS'>,
    private readonly events: ConfigEvents,
  ) {
    this.maxSkewMs = config.signatureMaxSkewS * 1000;
  }

  /**
   * Creates a key for the partner and returns it once (only its hash and prefix are kept).
   * With `signing`, also a signing secret, returned once and stored only sealed by the
   * SecretBox (AES-256-GCM under APP_ENCRYPTION_KEY); without APP_ENCRYPTION_KEY → 422
   * `signing_unavailable`. Writes `api_key.create` with id/prefix/mode/name (+ `signing: true`) only (never
   * the key, its hash or the secret). Pass `manager` to run inside the caller's transaction.
   */
  async create(partnerCode: string, input: CreateApiKeyInput, ctx: ChangeContext, manager?: EntityManager): Promise<CreatedApiKey> {
    const signing = input.signing === true;
    if (signing && !this.box.available) throw signingUnavailable();
    const generated = generateKey(input.mode);
    const secret = signing ? generateSigningSecret() : undefined;
    const work = async (m: EntityManager): Promise<CreatedApiKey> => {
      const partner = await this.partners.findByCode(partnerCode, m);
      if (!partner) throw partnerNotFound(partnerCode);
      const id = randomUUID();
      const row: ApiKeyRow = {
        id,
        partnerId: partner.id,
        name: input.name ?? '',
        mode: input.mode,
        prefix: generated.prefix,
        keyHash: generated.hash,
        signing,
        secretEnc: secret === undefined ? null : this.box.seal(secret, secretAad(id)),
        createdAt: new Date(),
        revokedAt: null,
      };
      await this.keys.insert(row, m);
      await this.audit.record(
        {
          actor: ctx.actor,
          requestId: ctx.requestId,
          action: 'api_key.create',
          partnerCode: partner.code,
          targetType: 'api_key',
          targetId: row.id,
          before: null,
          // `signing: true` marks signing keys (plain keys keep the original entry shape)
          after: { id: row.id, prefix: row.prefix, mode: row.mode, name: row.name, ...(row.signing ? { signing: true } : {}) },
        },
        m,
      );
      const created: CreatedApiKey = { id: row.id, key: generated.key, prefix: row.prefix, mode: row.mode, name: row.name, signing, createdAt: row.createdAt };
      if (secret !== undefined) created.secret = secret;
      return created;
    };
    return manager ? work(manager) : this.tx.run(work);
  }

  /** Every key of the partner, revoked ones included; never the hash. */
  async list(partnerCode: string): Promise<ApiKeyView[]> {
    const partner = await this.partners.findByCode(partnerCode);
    if (!partner) throw partnerNotFound(partnerCode);
    return (await this.keys.listByPartner(partner.id)).map((k) => toView(k, partner.code));
  }

  /**
   * Revokes the key: the very next request with it fails, on this instance at once (cache
   * entry dropped) and on others within the auth cache TTL. Idempotent; writes
   * `api_key.revoke` only when the key was live. 404 `api_key_not_found` for an unknown id or
   * another partner's key.
   */
  async revoke(partnerCode: string, keyId: string, ctx: ChangeContext): Promise<void> {
    const { hash, partnerId, changed } = await this.tx.run(async (m) => {
      const partner = await this.partners.findByCode(partnerCode, m);
      if (!partner) throw partnerNotFound(partnerCode);
      const key = await this.keys.findForPartner(partner.id, keyId, m);
      if (!key) throw apiKeyNotFound();
      if (key.revokedAt) return { hash: key.keyHash, partnerId: partner.id, changed: false };
      const at = new Date();
      await this.keys.markRevoked(key.id, at, m);
      await this.audit.record(
        {
          actor: ctx.actor,
          requestId: ctx.requestId,
          action: 'api_key.revoke',
          partnerCode: partner.code,
          targetType: 'api_key',
          targetId: key.id,
          before: { id: key.id, prefix: key.prefix, mode: key.mode, name: key.name, revoked_at: null },
          after: { id: key.id, prefix: key.prefix, mode: key.mode, name: key.name, revoked_at: at.toISOString() },
        },
        m,
      );
      return { hash: key.keyHash, partnerId: partner.id, changed: true };
    });
    this.cache.delete(hash);
    // other instances (Redis invalidation bus) drop the partner's cached keys at once too
    if (changed) this.events.emitChange(partnerId);
  }

  /**
   * Who a raw key belongs to, or null when it is missing, unknown or revoked (callers answer all
   * three the same). Identification only: it does NOT enforce signing — partner routes use
   * `authenticateApiKey` / `authenticateSigned` (PartnerApiKeyGuard). Cached per key hash for
   * at most 1 s; revocations and partner changes made through this instance drop the entry.
   */
  async authenticate(rawKey: unknown): Promise<AuthenticatedKey | null> {
    return (await this.lookup(rawKey))?.auth ?? null;
  }

  /**
   * A partner request carrying only `X-Api-Key`: plain keys pass; a signing key is refused with
   * `signature_required` (the key alone is not enough for it).
   */
  async authenticateApiKey(rawKey: unknown): Promise<ApiKeyAuthOutcome> {
    const entry = await this.lookup(rawKey);
    if (!entry) return { ok: false, reason: 'invalid' };
    if (entry.signing) return { ok: false, reason: 'signature_required' };
    return { ok: true, auth: entry.auth };
  }

  /**
   * A partner request with `Authorization: Signature …`. The key is `keyId` (the
   * API key itself, as XCover clients send it); `X-Api-Key`, when also sent, must be the same.
   * `date` must be among the signed headers and within SIGNATURE_MAX_SKEW_S of the clock. Only a
   * signing key can sign: a plain key's signature cannot be checked and is refused. The reason
   * of a failure is for logs and tests only: callers answer every failure with one body.
   * Cheap checks run before the key is looked up.
   */
  async authenticateSigned(req: SignedRequestInput): Promise<SignedAuthOutcome> {
    const params = parseSignatureAuthorization(req.authorization);
    if (!params) return { ok: false, reason: 'malformed' };
    if (!isSupportedAlgorithm(params.algorithm)) return { ok: false, reason: 'unsupported_algorithm' };
    if (req.apiKey !== undefined && req.apiKey !== params.keyId) return { ok: false, reason: 'key_mismatch' };
    if (!params.headers.includes('date')) return { ok: false, reason: 'date_not_signed' };
    const date = parseHttpDate(req.header('date'));
    if (date === null) return { ok: false, reason: 'date_missing' };
    if (Math.abs(this.clock.now().getTime() - date) > this.maxSkewMs) return { ok: false, reason: 'date_skew' };
    const signingString = buildSigningString(params.headers, req);
    if (signingString === null) return { ok: false, reason: 'header_missing' };

    const entry = await this.lookup(params.keyId);
    if (!entry) return { ok: false, reason: 'unknown_key' };
    if (!entry.signing || entry.secretEnc === null) return { ok: false, reason: 'not_signing_key' };
    let secret: string;
    try {
      secret = this.box.open(entry.secretEnc, secretAad(entry.auth.keyId));
    } catch (err) {
      // an operator problem (key ring), not the client's: say so in the logs, without the envelope
      this.logger.error(`cannot open the signing secret of API key ${entry.auth.keyId}: ${(err as Error).message}`);
      return { ok: false, reason: 'secret_unavailable' };
    }
    if (!signatureMatches(params.signature, secret, params.algorithm, signingString)) return { ok: false, reason: 'bad_signature' };
    if (this.box.isStale(entry.secretEnc)) await this.rewrap(entry, secret);
    return { ok: true, auth: entry.auth };
  }

  /** The cached (≤ 1 s) authentication row of a raw key; null when missing, unknown or revoked. */
  private async lookup(rawKey: unknown): Promise<CachedKeyAuth | null> {
    if (!isPlausibleKey(rawKey)) return null;
    const hash = hashKey(rawKey);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const generation = this.cache.generation;
    const row = await this.keys.findAuthRow(hash);
    if (!row || !hashesEqual(hash, row.keyHash) || row.revoked || row.partnerDeleted) return null;
    const entry: CachedKeyAuth = {
      auth: {
        keyId: row.keyId,
        partnerId: row.partnerId,
        partnerCode: row.partnerCode,
        partnerStatus: row.partnerStatus,
        mode: row.mode,
      },
      signing: row.signing,
      secretEnc: row.secretEnc,
    };
    this.cache.set(hash, entry, generation);
    return entry;
  }

  /**
   * Re-seals a secret found under a retired encryption key with the current one, the first time
   * the key signs after a rotation, so APP_ENCRYPTION_KEYS_OLD can be emptied once every signing
   * key has been used. Best effort: a failure is logged and the request goes on.
   */
  private async rewrap(entry: CachedKeyAuth, secret: string): Promise<void> {
    try {
      const sealed = this.box.seal(secret, secretAad(entry.auth.keyId));
      await this.tx.run((m) => this.keys.updateSecretEnc(entry.auth.keyId, sealed, m));
      entry.secretEnc = sealed;
      this.logger.log(`re-encrypted the signing secret of API key ${entry.auth.keyId} under the current encryption key`);
    } catch (err) {
      this.logger.warn(`could not re-encrypt the signing secret of API key ${entry.auth.keyId}: ${(err as Error).message}`);
    }
  }
}

function toView(k: ApiKeyRow, partnerCode: string): ApiKeyView {
  return {
    id: k.id,
    partnerCode,
    name: k.name,
    mode: k.mode,
    prefix: k.prefix,
    signing: k.signing,
    createdAt: k.createdAt,
    revokedAt: k.revokedAt,
  };
}
