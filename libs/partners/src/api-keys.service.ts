import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, ChangeContext } from '@app/audit';
import { TransactionRunner } from '@app/database';
import { ApiKeyAuthCache } from './auth-cache';
import { ApiKeyRow, ApiKeysRepository } from './api-keys.repository';
import { generateKey, hashesEqual, hashKey, isPlausibleKey } from './key-material';
import { apiKeyNotFound, partnerNotFound, signingUnavailable } from './partners.errors';
import { PartnersRepository } from './partners.repository';
import { ApiKeyView, AuthenticatedKey, CreateApiKeyInput, CreatedApiKey } from './partners.types';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly partners: PartnersRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly cache: ApiKeyAuthCache,
  ) {}

  /**
   * Creates a key for the partner and returns it once (only its hash and prefix are kept).
   * Writes `api_key.create` with id/prefix/mode/name only. Pass `manager` to run inside the
   * caller's transaction (e.g. seeding).
   */
  async create(partnerCode: string, input: CreateApiKeyInput, ctx: ChangeContext, manager?: EntityManager): Promise<CreatedApiKey> {
    if (input.signing) throw signingUnavailable();
    const generated = generateKey(input.mode);
    const work = async (m: EntityManager): Promise<CreatedApiKey> => {
      const partner = await this.partners.findByCode(partnerCode, m);
      if (!partner) throw partnerNotFound(partnerCode);
      const row: ApiKeyRow = {
        id: randomUUID(),
        partnerId: partner.id,
        name: input.name ?? '',
        mode: input.mode,
        prefix: generated.prefix,
        keyHash: generated.hash,
        signing: false,
        secretEnc: null,
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
          after: { id: row.id, prefix: row.prefix, mode: row.mode, name: row.name },
        },
        m,
      );
      return { id: row.id, key: generated.key, prefix: row.prefix, mode: row.mode, name: row.name, createdAt: row.createdAt };
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
    const hash = await this.tx.run(async (m) => {
      const partner = await this.partners.findByCode(partnerCode, m);
      if (!partner) throw partnerNotFound(partnerCode);
      const key = await this.keys.findForPartner(partner.id, keyId, m);
      if (!key) throw apiKeyNotFound();
      if (key.revokedAt) return key.keyHash;
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
      return key.keyHash;
    });
    this.cache.delete(hash);
  }

  /**
   * The key's owner, or null when the key is missing, unknown or revoked (callers answer all
   * three the same). Cached per key hash for at most 1 s; revocations and partner changes made
   * through this instance drop the cache entry at once.
   */
  async authenticate(rawKey: unknown): Promise<AuthenticatedKey | null> {
    if (!isPlausibleKey(rawKey)) return null;
    const hash = hashKey(rawKey);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const generation = this.cache.generation;
    const row = await this.keys.findAuthRow(hash);
    if (!row || !hashesEqual(hash, row.keyHash) || row.revoked || row.partnerDeleted) return null;
    const auth: AuthenticatedKey = {
      keyId: row.keyId,
      partnerId: row.partnerId,
      partnerCode: row.partnerCode,
      partnerStatus: row.partnerStatus,
      mode: row.mode,
    };
    this.cache.set(hash, auth, generation);
    return auth;
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
