import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { dateColumn, jsonColumn, uuidColumn } from '@app/core';

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * One event to send to one endpoint: the outbox. Written in the transaction of the change it
 * reports (confirm, a booking change, an opt-out), one row per enabled endpoint subscribed to the
 * event's type, with the event's data as it was then. The dispatcher claims due rows by setting
 * `lease_until` (a process killed mid-attempt leaves the row to be retried once the lease ends).
 */
@Entity('webhook_deliveries')
@Index('uq_webhook_deliveries_endpoint_event', ['endpointId', 'eventId'], { unique: true })
@Index('ix_webhook_deliveries_due', ['status', 'nextAttemptAt'])
@Index('ix_webhook_deliveries_endpoint_created', ['endpointId', 'createdAt'])
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'endpoint_id', type: 'varchar', length: 36 })
  endpointId!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  /** the event's id: `webhook-id`, the same on every attempt */
  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  eventId!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 32 })
  eventType!: string;

  /** when the event happened: the body's `timestamp` */
  @Column(dateColumn({ name: 'occurred_at' }))
  occurredAt!: Date;

  /** the body's `data`: the booking as it was after the change (or the opt-out) */
  @Column(jsonColumn())
  payload!: unknown;

  @Column({ type: 'varchar', length: 16 })
  status!: WebhookDeliveryStatus;

  /** every attempt made, the successful one included */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column(dateColumn({ name: 'next_attempt_at' }))
  nextAttemptAt!: Date;

  /** set while an instance is making an attempt; a later claim waits for it to pass */
  @Column(dateColumn({ name: 'lease_until', nullable: true }))
  leaseUntil!: Date | null;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column(dateColumn({ name: 'delivered_at', nullable: true }))
  deliveredAt!: Date | null;

  @Column(dateColumn({ name: 'created_at' }))
  createdAt!: Date;
}
