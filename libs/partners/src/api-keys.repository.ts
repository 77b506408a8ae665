import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ApiKeyEntity, KeyMode } from './entities/api-key.entity';
import { PartnerEntity, PartnerStatus } from './entities/partner.entity';

export interface ApiKeyRow {
  id: string;
  partnerId: string;
  name: string;
  mode: KeyMode;
  prefix: string;
  keyHash: string;
  signing: boolean;
  secretEnc: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** One row per key hash, with what authentication needs of its partner. */
export interface KeyAuthRow {
  keyId: string;
  keyHash: string;
  mode: KeyMode;
  revoked: boolean;
  partnerId: string;
  partnerCode: string;
  partnerStatus: PartnerStatus;
  partnerDeleted: boolean;
  /** a signing key: refused without a valid signature */
  signing: boolean;
  /** the SecretBox envelope of its signing secret; null for plain keys */
  secretEnc: string | null;
}

interface RawAuthRow {
  key_id: string;
  key_hash: string;
  mode: KeyMode;
  revoked_at: unknown;
  partner_id: string;
  partner_code: string;
  partner_status: PartnerStatus;
  partner_deleted_at: unknown;
  signing: unknown;
  secret_enc: string | null;
}

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly repo: Repository<ApiKeyEntity>) {}

  private r(manager?: EntityManager): Repository<ApiKeyEntity> {
    return manager ? manager.getRepository(ApiKeyEntity) : this.repo;
  }

  async insert(row: ApiKeyRow, manager: EntityManager): Promise<void> {
    await this.r(manager).insert(row);
  }

  listByPartner(partnerId: string): Promise<ApiKeyRow[]> {
    return this.repo.find({ where: { partnerId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findForPartner(partnerId: string, id: string, manager?: EntityManager): Promise<ApiKeyRow | null> {
    return this.r(manager).findOne({ where: { id, partnerId } });
  }

  async markRevoked(id: string, at: Date, manager: EntityManager): Promise<void> {
    await this.r(manager).update({ id }, { revokedAt: at });
  }

  /** Replaces the secret envelope (re-encryption under the current APP_ENCRYPTION_KEY). */
  async updateSecretEnc(id: string, secretEnc: string, manager: EntityManager): Promise<void> {
    await this.r(manager).update({ id }, { secretEnc });
  }

  /** one indexed read (unique key_hash) joined to the partner */
  async findAuthRow(keyHash: string): Promise<KeyAuthRow | null> {
    const raw = await this.repo
      .createQueryBuilder('k')
      .innerJoin(PartnerEntity, 'p', 'p.id = k.partnerId')
      .select('k.id', 'key_id')
      .addSelect('k.keyHash', 'key_hash')
      .addSelect('k.mode', 'mode')
      .addSelect('k.revokedAt', 'revoked_at')
      .addSelect('p.id', 'partner_id')
      .addSelect('p.code', 'partner_code')
      .addSelect('p.status', 'partner_status')
      .addSelect('p.deletedAt', 'partner_deleted_at')
      .addSelect('k.signing', 'signing')
      .addSelect('k.secretEnc', 'secret_enc')
      .where('k.keyHash = :keyHash', { keyHash })
      .getRawOne<RawAuthRow>();
    if (!raw) return null;
    return {
      keyId: raw.key_id,
      keyHash: raw.key_hash,
      mode: raw.mode,
      revoked: raw.revoked_at !== null && raw.revoked_at !== undefined,
      partnerId: raw.partner_id,
      partnerCode: raw.partner_code,
      partnerStatus: raw.partner_status,
      partnerDeleted: raw.partner_deleted_at !== null && raw.partner_deleted_at !== undefined,
      // raw rows: a boolean on PostgreSQL, 0/1 on SQLite
      signing: raw.signing === true || raw.signing === 1 || raw.signing === '1' || raw.signing === 't',
      secretEnc: raw.secret_enc ?? null,
    };
  }
}
