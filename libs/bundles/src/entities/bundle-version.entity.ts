import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonColumn, uuidColumn } from '@app/core';
import type { Bundle } from '@app/core';

/** Every accepted bundle, numbered per partner; versions are immutable. */
@Entity('bundle_versions')
@Index('uq_bundle_versions_partner_version', ['partnerId', 'version'], { unique: true })
export class BundleVersionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column(jsonColumn())
  document!: Bundle;

  /** what produced it: "bundle.write", "bundle.restore:3", "schema.put", ... */
  @Column({ type: 'varchar', length: 64 })
  source!: string;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
