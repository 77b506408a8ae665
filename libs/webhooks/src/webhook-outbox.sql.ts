import { dateParam, type Engine, type EngineSql } from '@app/database';

/**
 * The outbox: the deliveries of one event, written by the transaction of the change it reports.
 * One row per enabled endpoint of the partner subscribed to the event's type (none: no row), all
 * due at once. `payload` is the event's `data` as JSON text, kept as it was at the change.
 * PostgreSQL's parameters: event id, type, occurred at, payload, now, partner id; SQLite's the
 * same in the order of its placeholders (now twice, the type again last).
 */
export const INSERT_EVENT_DELIVERIES: EngineSql = {
  sqlite: `
    INSERT INTO webhook_deliveries (id, endpoint_id, partner_id, event_id, event_type, occurred_at, payload, status, attempts, next_attempt_at, created_at)
    SELECT lower(hex(randomblob(16))), e.id, e.partner_id, ?, ?, ?, ?, 'pending', 0, ?, ?
    FROM webhook_endpoints e
    WHERE e.partner_id = ? AND e.status = 'enabled' AND EXISTS (SELECT 1 FROM json_each(e.events) WHERE json_each.value = ?)`,
  postgres: `
    INSERT INTO webhook_deliveries (id, endpoint_id, partner_id, event_id, event_type, occurred_at, payload, status, attempts, next_attempt_at, created_at)
    SELECT gen_random_uuid()::text, e.id, e.partner_id, $1, $2, $3, $4, 'pending', 0, $5, $5
    FROM webhook_endpoints e
    WHERE e.partner_id = $6 AND e.status = 'enabled' AND e.events::jsonb @> jsonb_build_array($2::varchar)`,
};

/** One event of a partner, as the outbox stores it. */
export interface OutboxEvent {
  id: string;
  partnerId: string;
  type: string;
  occurredAt: Date;
  /** the body's `data`, as JSON text */
  payload: string;
}

export function insertEventDeliveriesParams(engine: Engine, e: OutboxEvent, now: Date): unknown[] {
  const at = dateParam(engine, now);
  if (engine === 'sqlite') return [e.id, e.type, dateParam(engine, e.occurredAt), e.payload, at, at, e.partnerId, e.type];
  return [e.id, e.type, dateParam(engine, e.occurredAt), e.payload, at, e.partnerId];
}
