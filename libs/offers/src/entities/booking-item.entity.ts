import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { dateColumn, jsonColumn, uuidColumn } from '@app/core';

/**
 * One quote of a booking, with its policy number; `created_at` is when it was confirmed. Money in
 * integer minor units; premium, tax, price and policy dates are those in force (an update re-prices them).
 */
@Entity('booking_items')
@Index('uq_booking_items_quote', ['quoteId'], { unique: true })
@Index('uq_booking_items_policy_number', ['policyNumber'], { unique: true })
export class BookingItemEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('ix_booking_items_booking')
  @Column({ name: 'booking_id', type: 'varchar', length: 20 })
  bookingId!: string;

  @Index('ix_booking_items_offer')
  @Column(uuidColumn({ name: 'offer_id' }))
  offerId!: string;

  @Column(uuidColumn({ name: 'quote_id' }))
  quoteId!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column({ name: 'product_code', type: 'varchar', length: 64 })
  productCode!: string;

  @Column({ name: 'policy_number', type: 'varchar', length: 32 })
  policyNumber!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'premium_minor', type: 'integer' })
  premiumMinor!: number;

  @Column({ name: 'tax_minor', type: 'integer' })
  taxMinor!: number;

  @Column({ name: 'price_minor', type: 'integer' })
  priceMinor!: number;

  @Column(dateColumn({ name: 'policy_start' }))
  policyStart!: Date;

  @Column(dateColumn({ name: 'policy_end', nullable: true }))
  policyEnd!: Date | null;

  @Column(jsonColumn())
  insured!: unknown;

  /** CONFIRMED or CANCELLED */
  @Column({ type: 'varchar', length: 16, default: 'CONFIRMED' })
  status!: string;

  @Column(dateColumn({ name: 'cancelled_at', nullable: true }))
  cancelledAt!: Date | null;

  /** what the cancellation refunded (integer minor units); null while in force */
  @Column({ name: 'refund_minor', type: 'integer', nullable: true })
  refundMinor!: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
