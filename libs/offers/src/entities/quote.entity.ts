import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { dateColumn, jsonColumn, uuidColumn } from '@app/core';

/** One priced product of an offer. Money in integer minor units of `currency`. */
@Entity('quotes')
export class QuoteEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('ix_quotes_offer')
  @Column(uuidColumn({ name: 'offer_id' }))
  offerId!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column({ name: 'product_code', type: 'varchar', length: 64 })
  productCode!: string;

  @Column({ name: 'product_name', type: 'varchar', length: 200 })
  productName!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'premium_minor', type: 'integer' })
  premiumMinor!: number;

  @Column({ name: 'surcharge_minor', type: 'integer' })
  surchargeMinor!: number;

  @Column({ name: 'tax_minor', type: 'integer' })
  taxMinor!: number;

  @Column({ name: 'commission_minor', type: 'integer' })
  commissionMinor!: number;

  @Column({ name: 'price_minor', type: 'integer' })
  priceMinor!: number;

  @Column(dateColumn({ name: 'policy_start' }))
  policyStart!: Date;

  @Column(dateColumn({ name: 'policy_end', nullable: true }))
  policyEnd!: Date | null;

  @Column({ name: 'pds_url', type: 'varchar', length: 2000, nullable: true })
  pdsUrl!: string | null;

  /** experiment variants that applied to this product */
  @Column(jsonColumn({ nullable: true }))
  experiment!: { key: string; variant: string } | null;

  @Column({ type: 'varchar', length: 16, default: 'OFFERED' })
  status!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
