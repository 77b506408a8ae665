import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { dateColumn, jsonColumn, uuidColumn } from '@app/core';

/** An idempotency key: (partner, route, key) → the first request's fingerprint and response, kept 48 h. */
@Entity('idempotency_records')
@Index('uq_idempotency_scope', ['partnerId', 'route', 'key'], { unique: true })
export class IdempotencyRecordEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column({ type: 'varchar', length: 32 })
  route!: string;

  @Column({ type: 'varchar', length: 255 })
  key!: string;

  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash!: string;

  /** 'in_progress' | 'done' */
  @Column({ type: 'varchar', length: 16 })
  state!: string;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column(jsonColumn({ name: 'response_body', nullable: true }))
  responseBody!: unknown;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @Index('ix_idempotency_expires')
  @Column(dateColumn({ name: 'expires_at' }))
  expiresAt!: Date;

  /**
   * the offer the record is about (Create Offer's and confirm's records; null for the booking
   * routes'): the record is deleted with the offer when retention deletes it
   */
  @Index('ix_idempotency_offer')
  @Column(uuidColumn({ name: 'offer_id', nullable: true }))
  offerId!: string | null;
}
