import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { dateColumn, jsonColumn, uuidColumn } from '@app/core';

export type OfferStatus = 'OFFERED' | 'OPTED_OUT' | 'CONFIRMED';

export interface StoredExperiment {
  key: string;
  variant: string;
}

@Entity('offers')
@Index('ix_offers_partner_created', ['partnerId', 'createdAt'])
export class OfferEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column({ name: 'offer_config_id', type: 'varchar', length: 64 })
  offerConfigId!: string;

  @Column({ name: 'bundle_version', type: 'integer' })
  bundleVersion!: number;

  @Column({ name: 'schema_id', type: 'varchar', length: 64 })
  schemaId!: string;

  @Column(uuidColumn({ name: 'api_key_id' }))
  apiKeyId!: string;

  @Column({ name: 'key_mode', type: 'varchar', length: 8 })
  keyMode!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'partner_transaction_id', type: 'varchar', length: 200, nullable: true })
  partnerTransactionId!: string | null;

  @Column(jsonColumn())
  experiments!: StoredExperiment[];

  /** the create-offer request body as received */
  @Column(jsonColumn())
  request!: unknown;

  /** the 200 body as sent, so reads return the offer "as created" */
  @Column(jsonColumn())
  response!: unknown;

  @Column({ type: 'varchar', length: 16, default: 'OFFERED' })
  status!: OfferStatus;

  @Column({ name: 'booking_id', type: 'varchar', length: 20, nullable: true })
  bookingId!: string | null;

  @Column(dateColumn({ name: 'expires_at' }))
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
