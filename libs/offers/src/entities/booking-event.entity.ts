import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { dateColumn, jsonColumn, uuidColumn } from '@app/core';

export type BookingEventType = 'booking.created' | 'booking.updated' | 'booking.cancelled';

/**
 * One change of a booking, written in the transaction of the change: its creation (version 1),
 * each update and each cancellation. `version` is the booking's version after the change, so a
 * booking's events are numbered without gaps (`uq_booking_events_version`), but for the version an
 * erasure of the policyholder moves the booking on by (no event: the audit log has it, see
 * @app/privacy). `before`/`after` hold what changed, amounts in major units as in the booking.
 */
@Entity('booking_events')
@Index('uq_booking_events_version', ['bookingId', 'version'], { unique: true })
export class BookingEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'booking_id', type: 'varchar', length: 20 })
  bookingId!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 32 })
  type!: BookingEventType;

  @Column(dateColumn())
  at!: Date;

  /** `{ "api_key_id": … }` or `{ "admin_key_id": … }` */
  @Column(jsonColumn())
  actor!: unknown;

  /** the x-idempotency-key of the request that made the change, if any */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey!: string | null;

  @Column(jsonColumn({ nullable: true }))
  before!: unknown;

  @Column(jsonColumn())
  after!: unknown;
}
