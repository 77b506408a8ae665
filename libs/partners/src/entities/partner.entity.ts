import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { dateColumn, jsonColumn } from '@app/core';

export type PartnerStatus = 'active' | 'suspended';

export interface PartnerRateLimits {
  create?: number;
  confirm?: number;
  other?: number;
  test?: number;
}

@Entity('partners')
export class PartnerEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('uq_partners_code', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: PartnerStatus;

  @Column({ name: 'default_schema', type: 'varchar', length: 64, nullable: true })
  defaultSchema!: string | null;

  @Column(jsonColumn({ name: 'rate_limits', nullable: true }))
  rateLimits!: PartnerRateLimits | null;

  /** number of the bundle version in force; 0 before the first bundle */
  @Column({ name: 'current_version', type: 'integer', default: 0 })
  currentVersion!: number;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;

  @Column(dateColumn({ name: 'deleted_at', nullable: true }))
  deletedAt!: Date | null;
}
