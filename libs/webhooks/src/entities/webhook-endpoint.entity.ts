import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { dateColumn, jsonColumn, uuidColumn } from '@app/core';

export type WebhookFormat = 'standard' | 'xcover';
export type WebhookEndpointStatus = 'enabled' | 'disabled';

/**
 * Where a partner's events are sent. `secret` is the signing secret sealed with SecretBox
 * (APP_ENCRYPTION_KEY); after a rotation `previous_secret` keeps signing too until
 * `previous_secret_expires_at`.
 */
@Entity('webhook_endpoints')
@Index('ix_webhook_endpoints_partner', ['partnerId', 'status'])
export class WebhookEndpointEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column(uuidColumn({ name: 'partner_id' }))
  partnerId!: string;

  @Column({ type: 'varchar', length: 2000 })
  url!: string;

  /** the event types sent to it, e.g. ["booking.created", "booking.cancelled"] */
  @Column(jsonColumn())
  events!: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 16 })
  format!: WebhookFormat;

  @Column({ type: 'varchar', length: 16 })
  status!: WebhookEndpointStatus;

  /** why it was disabled by the dispatcher (a 410 Gone), null when enabled or disabled by hand */
  @Column({ name: 'disabled_reason', type: 'varchar', length: 200, nullable: true })
  disabledReason!: string | null;

  @Column({ type: 'text' })
  secret!: string;

  @Column({ name: 'previous_secret', type: 'text', nullable: true })
  previousSecret!: string | null;

  @Column(dateColumn({ name: 'previous_secret_expires_at', nullable: true }))
  previousSecretExpiresAt!: Date | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column(dateColumn({ name: 'updated_at' }))
  updatedAt!: Date;
}
