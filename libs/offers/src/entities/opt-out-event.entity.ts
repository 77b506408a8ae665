import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonColumn, uuidColumn } from '@app/core';

/** Every opt-out received, with the body as sent; repeated opt-outs are all kept. */
@Entity('opt_out_events')
@Index('ix_opt_out_events_partner_created', ['partnerId', 'createdAt'])
export class OptOutEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('ix_opt_out_events_offer')
  @Column(uuidColumn({ name: 'offer_id' }))
  offerId!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column(uuidColumn({ name: 'api_key_id' }))
  apiKeyId!: string;

  /** `partner_metadata` and the free fields, as received */
  @Column(jsonColumn())
  body!: unknown;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
