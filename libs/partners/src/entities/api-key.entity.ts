import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { dateColumn, uuidColumn } from '@app/core';

export type KeyMode = 'live' | 'test';

/** A partner API key: only its SHA-256 hash and a short public prefix are kept. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('ix_api_keys_partner')
  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  name!: string;

  @Column({ type: 'varchar', length: 8 })
  mode!: KeyMode;

  @Column({ type: 'varchar', length: 32 })
  prefix!: string;

  @Index('uq_api_keys_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash!: string;

  @Column({ type: 'boolean', default: false })
  signing!: boolean;

  /** AES-256-GCM envelope of the signing secret (issue 7); null for plain keys */
  @Column({ name: 'secret_enc', type: 'text', nullable: true })
  secretEnc!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column(dateColumn({ name: 'revoked_at', nullable: true }))
  revokedAt!: Date | null;
}
