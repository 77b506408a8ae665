import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { dateColumn, jsonColumn, uuidColumn } from '@app/core';

/**
 * A confirmed offer. One per offer, enforced by `uq_bookings_offer` together with the conditional
 * state change of the offer. Money in integer minor units of `currency`; `response` is the booking
 * as a partner reads it now (rewritten with each change, which `version` counts and guards).
 */
@Entity('bookings')
@Index('uq_bookings_offer', ['offerId'], { unique: true })
// its trailing column is the erasure lookup key of the policyholder's e-mail (as on offers)
@Index('ix_bookings_partner_created', ['partnerId', 'createdAt', 'emailKey'])
// PostgreSQL only (its migrations create it: a partial index on email_key), as on offers
@Index('ix_bookings_email_key', { synchronize: false })
@Index('ix_bookings_partner_status_created', ['partnerId', 'status', 'createdAt'])
@Index('ix_bookings_partner_transaction', ['partnerId', 'partnerTransactionId', 'createdAt'])
export class BookingEntity {
  /** `XXXXX-XXXXX-INS` */
  @PrimaryColumn({ type: 'varchar', length: 20 })
  id!: string;

  @Column(uuidColumn({ name: 'offer_id' }))
  offerId!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column(uuidColumn({ name: 'api_key_id' }))
  apiKeyId!: string;

  @Column({ name: 'offer_config_id', type: 'varchar', length: 64 })
  offerConfigId!: string;

  /** CONFIRMED while any of its quotes is, CANCELLED once all are */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  /**
   * 1 when confirmed, +1 with each change (cancellation, update). Every change is written only if
   * the version is still the one it was computed from, so two changes never interleave.
   */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'total_price_minor', type: 'integer' })
  totalPriceMinor!: number;

  @Column({ name: 'total_tax_minor', type: 'integer' })
  totalTaxMinor!: number;

  @Column({ name: 'total_premium_minor', type: 'integer' })
  totalPremiumMinor!: number;

  /** the sum of every refund made so far */
  @Column({ name: 'total_refund_minor', type: 'integer', default: 0 })
  totalRefundMinor!: number;

  @Column({ name: 'partner_transaction_id', type: 'varchar', length: 200, nullable: true })
  partnerTransactionId!: string | null;

  @Column(jsonColumn())
  policyholder!: unknown;

  /** the create-offer `context` after the updates applied to the booking; null: the offer's own */
  @Column(jsonColumn({ nullable: true }))
  context!: Record<string, unknown> | null;

  @Column(jsonColumn())
  response!: unknown;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column(dateColumn({ name: 'updated_at' }))
  updatedAt!: Date;

  @Column(dateColumn({ name: 'cancelled_at', nullable: true }))
  cancelledAt!: Date | null;

  /**
   * the lookup key of the policyholder's e-mail as it is now (lower-cased; @app/privacy
   * lookupKey), kept in step by every write of the policyholder; null without one, and once erased
   */
  @Column({ name: 'email_key', type: 'bigint', nullable: true })
  emailKey!: number | null;
}
