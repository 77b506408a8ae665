import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonColumn, uuidColumn } from '@app/core';

/**
 * A confirmed offer (spec §3.2). One per offer, enforced by `uq_bookings_offer` together with the
 * conditional state change of the offer. Money in integer minor units of `currency`; `response` is
 * the 200 body as sent, so reads return the booking exactly as confirmed.
 */
@Entity('bookings')
@Index('uq_bookings_offer', ['offerId'], { unique: true })
@Index('ix_bookings_partner_created', ['partnerId', 'createdAt'])
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

  /** 'CONFIRMED' */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'total_price_minor', type: 'integer' })
  totalPriceMinor!: number;

  @Column({ name: 'total_tax_minor', type: 'integer' })
  totalTaxMinor!: number;

  @Column({ name: 'total_premium_minor', type: 'integer' })
  totalPremiumMinor!: number;

  @Column({ name: 'partner_transaction_id', type: 'varchar', length: 200, nullable: true })
  partnerTransactionId!: string | null;

  @Column(jsonColumn())
  policyholder!: unknown;

  @Column(jsonColumn())
  response!: unknown;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
