import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { dateColumn, jsonColumn, packedJsonColumn, uuidColumn } from '@app/core';

export type OfferStatus = 'OFFERED' | 'OPTED_OUT' | 'CONFIRMED';

export interface StoredExperiment {
  key: string;
  variant: string;
}

@Entity('offers')
// a partner's offers by time; its trailing columns are the erasure lookup keys (@app/privacy), so an
// erasure scans one partner's entries without reading the table, and Create Offer writes no index
// ordered by a random key
@Index('ix_offers_partner_created', ['partnerId', 'createdAt', 'emailKey', 'customerKey'])
// PostgreSQL only (its migrations create them: partial indexes on email_key and customer_key), where
// a scan of a partner's entries of the index above costs an erasure more than these cost Create Offer
@Index('ix_offers_email_key', { synchronize: false })
@Index('ix_offers_customer_key', { synchronize: false })
// the retention purge's candidates: offers never bought, by expiry (partial: bought offers are not in it)
@Index('ix_offers_unbought_expires', ['expiresAt'], { where: "status IN ('OFFERED', 'OPTED_OUT')" })
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

  /**
   * the create-offer request body as received. Packed on SQLite, usually together with the response
   * in the response column (this one then holds a marker that cannot be read alone): read both
   * columns with readJsonPair (packedJsonPairParams).
   */
  @Column(packedJsonColumn())
  request!: unknown;

  /** the 200 body as sent, so reads return the offer "as created" (packed on SQLite; read alone, it is the response) */
  @Column(packedJsonColumn())
  response!: unknown;

  @Column({ type: 'varchar', length: 16, default: 'OFFERED' })
  status!: OfferStatus;

  @Column({ name: 'booking_id', type: 'varchar', length: 20, nullable: true })
  bookingId!: string | null;

  @Column(dateColumn({ name: 'expires_at' }))
  expiresAt!: Date;

  /**
   * the lookup key of the request's customer e-mail (lower-cased): the first 52 bits of a SHA-256
   * with the partner (@app/privacy lookupKey); null without one, and once erased
   */
  @Column({ name: 'email_key', type: 'bigint', nullable: true })
  emailKey!: number | null;

  /** the lookup key of the request's `partner.customer_id`, as emailKey */
  @Column({ name: 'customer_key', type: 'bigint', nullable: true })
  customerKey!: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
