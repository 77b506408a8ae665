import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { dateColumn, jsonColumn, uuidColumn } from '@app/core';

export type BookingChangeKind = 'CANCELLATION' | 'UPDATE';

/**
 * A priced change of a booking waiting for its confirmation: a cancellation preview
 * (`XXXXX-XXXXX-XXXXX-CCL`) or a quote for update (`XXXXX-XXXXX-XXXXX-UPD`). `plan` is exactly
 * what the confirmation applies; it applies only while the booking is still at `booking_version`
 * and before `confirm_before`, and only once (`applied_at`).
 */
@Entity('booking_changes')
// the retention purge's candidates: priced changes never applied, by the end of their confirmation window
@Index('ix_booking_changes_unapplied_confirm_before', ['confirmBefore'], { where: 'applied_at IS NULL' })
export class BookingChangeEntity {
  @PrimaryColumn({ type: 'varchar', length: 24 })
  id!: string;

  @Index('ix_booking_changes_booking')
  @Column({ name: 'booking_id', type: 'varchar', length: 20 })
  bookingId!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: BookingChangeKind;

  @Column({ name: 'booking_version', type: 'integer' })
  bookingVersion!: number;

  @Column(jsonColumn())
  plan!: unknown;

  @Column(uuidColumn({ name: 'api_key_id' }))
  apiKeyId!: string;

  @Column(dateColumn({ name: 'confirm_before' }))
  confirmBefore!: Date;

  @Column(dateColumn({ name: 'applied_at', nullable: true }))
  appliedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
