import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonColumn, uuidColumn } from '@app/core';

/** An offer schema as it stood in one bundle version (rows are never updated). */
@Entity('offer_schemas')
@Index('uq_offer_schemas_version_id', ['partnerId', 'version', 'schemaId'], { unique: true })
export class OfferSchemaEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'schema_id', type: 'varchar', length: 64 })
  schemaId!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column(jsonColumn({ name: 'json_schema' }))
  jsonSchema!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
