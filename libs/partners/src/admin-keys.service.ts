import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService, ChangeContext } from '@app/audit';
import { APP_CONFIG, AppConfig } from '@app/core';
import { TransactionRunner } from '@app/database';
import { AdminKeyRow, AdminKeysRepository } from './admin-keys.repository';
import { generateKey, hashesEqual, hashKey, isPlausibleKey } from './key-material';
import { adminKeyNotFound } from './partners.errors';
import { AdminKeyView, AdminPrincipal, CreatedAdminKey } from './partners.types';

export const BOOTSTRAP_ACTOR = 'bootstrap';

/**
 * Admin keys: ADMIN_API_KEY (env) is the bootstrap key; more are created and revoked through
 * the admin API. With neither, no key authenticates and the admin API is closed.
 */
@Injectable()
export class AdminKeysService {
  private readonly bootstrapHash: string | null;

  constructor(
    private readonly repo: AdminKeysRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.bootstrapHash = config.adminApiKey ? hashKey(config.adminApiKey) : null;
  }

  /** Admin routes are low-traffic: every call reads the database, so revocation is immediate everywhere. */
  async authenticate(rawKey: unknown): Promise<AdminPrincipal | null> {
    if (!isPlausibleKey(rawKey)) return null;
    const hash = hashKey(rawKey);
    if (this.bootstrapHash !== null && hashesEqual(hash, this.bootstrapHash)) return { actor: BOOTSTRAP_ACTOR, keyId: null };
    const row = await this.repo.findByHash(hash);
    if (!row || row.revokedAt || !hashesEqual(hash, row.keyHash)) return null;
    return { actor: `admin-key:${row.prefix}`, keyId: row.id };
  }

  async create(name: string, ctx: ChangeContext): Promise<CreatedAdminKey> {
    const generated = generateKey('admin');
    const row: AdminKeyRow = {
      id: randomUUID(),
      name,
      prefix: generated.prefix,
      keyHash: generated.hash,
      createdBy: ctx.actor.slice(0, 100),
      createdAt: new Date(),
      revokedAt: null,
    };
    await this.tx.run(async (m) => {
      await this.repo.insert(row, m);
      await this.audit.record(
        {
          actor: ctx.actor,
          requestId: ctx.requestId,
          action: 'admin_key.create',
          targetType: 'admin_key',
          targetId: row.id,
          before: null,
          after: { id: row.id, prefix: row.prefix, name: row.name },
        },
        m,
      );
    });
    return { id: row.id, key: generated.key, prefix: row.prefix, name: row.name, createdAt: row.createdAt };
  }

  async list(): Promise<AdminKeyView[]> {
    return (await this.repo.list()).map(toView);
  }

  /** Idempotent; 404 `admin_key_not_found` for an unknown id. */
  async revoke(id: string, ctx: ChangeContext): Promise<void> {
    await this.tx.run(async (m) => {
      const row = await this.repo.findById(id, m);
      if (!row) throw adminKeyNotFound();
      if (row.revokedAt) return;
      const at = new Date();
      await this.repo.markRevoked(row.id, at, m);
      await this.audit.record(
        {
          actor: ctx.actor,
          requestId: ctx.requestId,
          action: 'admin_key.revoke',
          targetType: 'admin_key',
          targetId: row.id,
          before: { id: row.id, prefix: row.prefix, name: row.name, revoked_at: null },
          after: { id: row.id, prefix: row.prefix, name: row.name, revoked_at: at.toISOString() },
        },
        m,
      );
    });
  }
}

function toView(row: AdminKeyRow): AdminKeyView {
  return { id: row.id, name: row.name, prefix: row.prefix, createdBy: row.createdBy, createdAt: row.createdAt, revokedAt: row.revokedAt };
}
