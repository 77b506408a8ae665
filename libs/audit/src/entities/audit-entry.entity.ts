import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonColumn } from '@app/core';

/** Who changed what, when, with the state before and after. Never holds key material. */
@Entity('audit_log')
@Index('ix_audit_created', ['createdAt'])
export class AuditEntryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** e.g. "admin-key:ak_1a2b3c" or "bootstrap" or "system" */
  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  /** e.g. "partner.create", "bundle.write", "api_key.revoke" */
  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Index('ix_audit_partner')
  @Column({ name: 'partner_code', type: 'varchar', length: 32, nullable: true })
  partnerCode!: string | null;

  @Column({ name: 'target_type', type: 'varchar', length: 32 })
  targetType!: string;

  @Column({ name: 'target_id', type: 'varchar', length: 128, nullable: true })
  targetId!: string | null;

  @Column(jsonColumn({ nullable: true }))
  before!: unknown;

  @Column(jsonColumn({ nullable: true }))
  after!: unknown;

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
