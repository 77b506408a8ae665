import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonColumn, uuidColumn } from '@app/core';
import type { OfferConfig } from '@app/core';

/** An offer config as it stood in one bundle version (rows are never updated). */
@Entity('offer_configs')
@Index('uq_offer_configs_version_id', ['partnerId', 'version', 'configId'], { unique: true })
export class OfferConfigEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'config_id', type: 'varchar', length: 64 })
  configId!: string;

  @Column({ name: 'schema_id', type: 'varchar', length: 64 })
  schemaId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ type: 'integer', default: 0 })
  priority!: number;

  @Column(jsonColumn())
  definition!: OfferConfig;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
