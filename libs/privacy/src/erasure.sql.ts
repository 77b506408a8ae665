import type { Engine, EngineSql } from '@app/database';

/**
 * The SQL of an erasure (ErasureRepository), per engine: `?` placeholders on SQLite, `$n` on
 * PostgreSQL. A list of ids is bound as one value: a JSON array read with json_each on SQLite, an
 * array on PostgreSQL (`ids` below). Every read of a person's rows goes through an index. The
 * lookup keys are the trailing columns of ix_offers_partner_created and ix_bookings_partner_created:
 * on SQLite a lookup scans one partner's entries of that index, comparing keys without reading
 * the table (about half a second per million offers), and reads only the rows whose key matches;
 * on PostgreSQL the keys also have partial indexes of their own (ix_offers_email_key,
 * ix_offers_customer_key, ix_bookings_email_key). Then the ids, and the indexes on booking_id /
 * offer_id / (endpoint_id, event_id) of the related tables.
 */

/** `IN <ids>` of one bound list, per engine (`n`: the placeholder's number on PostgreSQL) */
function inIds(engine: Engine, n: number): string {
  return engine === 'sqlite' ? 'IN (SELECT value FROM json_each(?))' : `= ANY($${n}::varchar[])`;
}

/** The bound value of a list of ids. */
export function idsParam(engine: Engine, ids: readonly string[]): unknown {
  return engine === 'sqlite' ? JSON.stringify(ids) : [...ids];
}

function placeholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function bothEngines(sql: string): EngineSql {
  return { sqlite: sql, postgres: placeholders(sql) };
}

const OFFER_COLUMNS = 'id, booking_id, bundle_version, schema_id, request, response, created_at';

// ---------------------------------------------------------------------------------------------
// Candidates, by lookup key (each then checked against its content: a key can be shared)

/** $1 partner id, $2 key */
export const OFFERS_BY_EMAIL_KEY: EngineSql = bothEngines(`
    SELECT ${OFFER_COLUMNS}
    FROM offers
    WHERE partner_id = ? AND email_key = ?`);

/** $1 partner id, $2 key */
export const OFFERS_BY_CUSTOMER_KEY: EngineSql = bothEngines(`
    SELECT ${OFFER_COLUMNS}
    FROM offers
    WHERE partner_id = ? AND customer_key = ?`);

/** $1 partner id, $2 key */
export const BOOKINGS_BY_EMAIL_KEY: EngineSql = bothEngines(`
    SELECT id, offer_id, policyholder
    FROM bookings
    WHERE partner_id = ? AND email_key = ?`);

// ---------------------------------------------------------------------------------------------
// What is stored about the offers and bookings found: $1 partner id (where the table has it), then the ids

export const OFFERS_BY_IDS: EngineSql = {
  sqlite: `SELECT ${OFFER_COLUMNS} FROM offers WHERE partner_id = ? AND id ${inIds('sqlite', 2)}`,
  postgres: `SELECT ${OFFER_COLUMNS} FROM offers WHERE partner_id = $1 AND id ${inIds('postgres', 2)}`,
};

export const BOOKINGS_BY_IDS: EngineSql = {
  sqlite: `SELECT id, offer_id, policyholder, context, response FROM bookings WHERE partner_id = ? AND id ${inIds('sqlite', 2)}`,
  postgres: `SELECT id, offer_id, policyholder, context, response FROM bookings WHERE partner_id = $1 AND id ${inIds('postgres', 2)}`,
};

/** $1 booking ids */
export const BOOKING_ITEMS_OF: EngineSql = {
  sqlite: `SELECT id, insured FROM booking_items WHERE booking_id ${inIds('sqlite', 1)}`,
  postgres: `SELECT id, insured FROM booking_items WHERE booking_id ${inIds('postgres', 1)}`,
};

/** $1 booking ids */
export const BOOKING_EVENTS_OF: EngineSql = {
  sqlite: `SELECT id, before, after FROM booking_events WHERE booking_id ${inIds('sqlite', 1)}`,
  postgres: `SELECT id, before, after FROM booking_events WHERE booking_id ${inIds('postgres', 1)}`,
};

/** $1 booking ids */
export const BOOKING_CHANGES_OF: EngineSql = {
  sqlite: `SELECT id, plan FROM booking_changes WHERE booking_id ${inIds('sqlite', 1)}`,
  postgres: `SELECT id, plan FROM booking_changes WHERE booking_id ${inIds('postgres', 1)}`,
};

/** $1 offer ids */
export const OPT_OUTS_OF: EngineSql = {
  sqlite: `SELECT id, body FROM opt_out_events WHERE offer_id ${inIds('sqlite', 1)}`,
  postgres: `SELECT id, body FROM opt_out_events WHERE offer_id ${inIds('postgres', 1)}`,
};

/** The webhook deliveries of events (booking events, opt-outs), whatever their status: $1 partner id, $2 event ids. */
export const DELIVERIES_OF: EngineSql = {
  sqlite: `
    SELECT id, payload FROM webhook_deliveries
    WHERE endpoint_id IN (SELECT id FROM webhook_endpoints WHERE partner_id = ?) AND event_id ${inIds('sqlite', 2)}`,
  postgres: `
    SELECT id, payload FROM webhook_deliveries
    WHERE endpoint_id IN (SELECT id FROM webhook_endpoints WHERE partner_id = $1) AND event_id ${inIds('postgres', 2)}`,
};

/**
 * The idempotency records whose stored response holds one of the ids (an offer's or a booking's):
 * $1 partner id, $2 the earliest creation of the offers found (a record about an offer is not
 * older than it, give or take a margin), $3 the ids. Records live 48 h: this reads at most the
 * partner's records of the last two days (and those expired but not yet purged).
 */
export const IDEMPOTENCY_RECORDS_OF: EngineSql = {
  sqlite: `
    SELECT id, response_body FROM idempotency_records
    WHERE partner_id = ? AND created_at >= ? AND response_body IS NOT NULL
      AND EXISTS (SELECT 1 FROM json_each(?) AS ids WHERE instr(idempotency_records.response_body, ids.value) > 0)`,
  postgres: `
    SELECT id, response_body FROM idempotency_records
    WHERE partner_id = $1 AND created_at >= $2 AND response_body IS NOT NULL
      AND EXISTS (SELECT 1 FROM unnest($3::varchar[]) AS ids(value) WHERE strpos(idempotency_records.response_body, ids.value) > 0)`,
};

// ---------------------------------------------------------------------------------------------
// Writes

/** The offer erased, its lookup keys cleared: $1 request, $2 response, $3 id, $4 partner id. */
export const ERASE_OFFER: EngineSql = bothEngines(`
    UPDATE offers
    SET request = ?, response = ?, email_key = NULL, customer_key = NULL
    WHERE id = ? AND partner_id = ?`);

/**
 * The booking erased, its lookup key cleared, and one version on: a change worked out from the
 * booking before the erasure (or priced before it) cannot write the old values back, its version
 * guard fails. $1 policyholder, $2 context, $3 response, $4 id, $5 partner id.
 */
export const ERASE_BOOKING: EngineSql = bothEngines(`
    UPDATE bookings
    SET policyholder = ?, context = ?, response = ?, email_key = NULL, version = version + 1
    WHERE id = ? AND partner_id = ?`);

/** $1 insured, $2 id */
export const ERASE_BOOKING_ITEM: EngineSql = bothEngines(`UPDATE booking_items SET insured = ? WHERE id = ?`);

/** $1 before, $2 after, $3 id */
export const ERASE_BOOKING_EVENT: EngineSql = bothEngines(`UPDATE booking_events SET before = ?, after = ? WHERE id = ?`);

/** $1 plan, $2 id */
export const ERASE_BOOKING_CHANGE: EngineSql = bothEngines(`UPDATE booking_changes SET plan = ? WHERE id = ?`);

/** $1 body, $2 id */
export const ERASE_OPT_OUT: EngineSql = bothEngines(`UPDATE opt_out_events SET body = ? WHERE id = ?`);

/** $1 payload, $2 id */
export const ERASE_DELIVERY: EngineSql = bothEngines(`UPDATE webhook_deliveries SET payload = ? WHERE id = ?`);

/** $1 response body, $2 id */
export const ERASE_IDEMPOTENCY_RECORD: EngineSql = bothEngines(`UPDATE idempotency_records SET response_body = ? WHERE id = ?`);

/** The tables an erasure may write, for the clean-up after it (VACUUM on PostgreSQL). */
export const ERASURE_TABLES = [
  'offers',
  'bookings',
  'booking_items',
  'booking_events',
  'booking_changes',
  'opt_out_events',
  'webhook_deliveries',
  'idempotency_records',
] as const;
export type ErasureTable = (typeof ERASURE_TABLES)[number];
