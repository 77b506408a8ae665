import { dateParam, readDate, readDateOrNull, readJson, readJsonPair, type Engine, type EngineSql } from '@app/database';
import { policyholderEmailKey } from '@app/privacy';
import { formatApiDate } from '@app/quotes';
import type { OfferStatus } from '../entities/offer.entity';
import type { BookableQuote, NewBooking, NewBookingItem } from './booking-builder';

/**
 * The SQL of confirm, opt-out and the bookings reads (BookingsRepository), per engine: `?`
 * placeholders on SQLite, `$n` on PostgreSQL. Each statement comes with the function that binds
 * its values (in placeholder order) and, for a read, the one that maps a row it returns. Dates are
 * bound with dateParam (SQLite's datetime text, PostgreSQL's UTC timestamp), JSON columns
 * (simple-json) hold JSON text.
 */

type Row = Record<string, unknown>;

export interface OfferForBooking {
  id: string;
  partnerId: string;
  offerConfigId: string;
  status: OfferStatus;
  bookingId: string | null;
  expiresAt: Date;
  currency: string;
  partnerTransactionId: string | null;
  /** the create-offer request as received (customer language and country give the locale) */
  request: unknown;
  /** the create-offer 200 body (its product_rules) */
  response: unknown;
}

/** What a confirm writes (BookingsRepository.confirmOffer). */
export interface Confirmation {
  partnerId: string;
  offerId: string;
  now: Date;
  booking: NewBooking;
  items: NewBookingItem[];
  quoteIds: string[];
  /** the booking's total premium, for the analytics rows */
  premiumMinor: number;
  /** the id of the booking.created event */
  eventId: string;
  /** the confirm's x-idempotency-key, recorded with the event */
  idempotencyKey?: string;
}

export interface OfferState {
  status: OfferStatus;
  bookingId: string | null;
  expiresAt: Date;
}

export interface NewOptOut {
  id: string;
  offerId: string;
  partnerId: string;
  apiKeyId: string;
  body: unknown;
  createdAt: Date;
}

/** An offer of a partner, as a confirm asks for it. */
export interface OfferKey {
  id: string;
  partnerId: string;
}

// ---------------------------------------------------------------------------------------------
// Confirm: the reads

/**
 * The offer a confirm books. SQLite reads one offer per statement (in process: at once).
 * PostgreSQL reads the offers of several confirms at once: `$1` their ids and `$2` their partners,
 * pairwise; a key with no row has no offer.
 */
export const OFFERS_FOR_BOOKING: EngineSql = {
  sqlite: `
    SELECT id, partner_id, offer_config_id, status, booking_id, expires_at, currency, partner_transaction_id, request, response
    FROM offers
    WHERE id = ? AND partner_id = ?`,
  postgres: `
    SELECT id, partner_id, offer_config_id, status, booking_id, expires_at, currency, partner_transaction_id, request, response
    FROM offers
    WHERE (id, partner_id) IN (SELECT * FROM unnest($1::varchar[], $2::varchar[]))`,
};

/** OFFERS_FOR_BOOKING's values: on SQLite exactly one key. */
export function offersForBookingParams(engine: Engine, keys: readonly OfferKey[]): unknown[] {
  if (engine === 'postgres') return [keys.map((k) => k.id), keys.map((k) => k.partnerId)];
  if (keys.length !== 1) throw new Error(`OFFERS_FOR_BOOKING reads one offer per statement on SQLite, not ${keys.length}`);
  return [keys[0].id, keys[0].partnerId];
}

export function offerForBookingOf(row: Row): OfferForBooking {
  const [request, response] = readJsonPair(row.request, row.response);
  return {
    id: row.id as string,
    partnerId: row.partner_id as string,
    offerConfigId: row.offer_config_id as string,
    status: row.status as OfferStatus,
    bookingId: (row.booking_id as string | null) ?? null,
    expiresAt: readDate(row.expires_at),
    currency: row.currency as string,
    partnerTransactionId: (row.partner_transaction_id as string | null) ?? null,
    request,
    response,
  };
}

/** The quotes of an offer, as a confirm books them (in the database's order). */
export const QUOTES_FOR_BOOKING: EngineSql = {
  sqlite: `
    SELECT id, product_code, product_name, currency, premium_minor, tax_minor, price_minor, policy_start, policy_end, pds_url
    FROM quotes
    WHERE offer_id = ?`,
  postgres: `
    SELECT id, product_code, product_name, currency, premium_minor, tax_minor, price_minor, policy_start, policy_end, pds_url
    FROM quotes
    WHERE offer_id = $1`,
};

export function quotesForBookingParams(offerId: string): unknown[] {
  return [offerId];
}

export function bookableQuoteOf(row: Row): BookableQuote {
  return {
    id: row.id as string,
    productCode: row.product_code as string,
    productName: row.product_name as string,
    currency: row.currency as string,
    premiumMinor: Number(row.premium_minor),
    taxMinor: Number(row.tax_minor),
    priceMinor: Number(row.price_minor),
    policyStart: readDate(row.policy_start),
    policyEnd: readDateOrNull(row.policy_end),
    pdsUrl: (row.pds_url as string | null) ?? null,
  };
}

/** The offer's state, to say why a confirm or an opt-out changed nothing. */
export const OFFER_STATE: EngineSql = {
  sqlite: `
    SELECT status, booking_id, expires_at
    FROM offers
    WHERE id = ? AND partner_id = ?`,
  postgres: `
    SELECT status, booking_id, expires_at
    FROM offers
    WHERE id = $1 AND partner_id = $2`,
};

/**
 * OFFER_STATE with the offer's row locked until the transaction ends (PostgreSQL; a SQLite write
 * transaction already excludes every other writer). What is written about an offer once it is read
 * this way cannot outlive the offer: a retention purge holding the row (UNBOUGHT_OFFERS locks its
 * candidates) is waited for, and the offer it deleted is then not found; a purge that comes after
 * skips the locked row. Takes offerStateParams.
 */
export const OFFER_STATE_LOCKED: EngineSql = {
  sqlite: OFFER_STATE.sqlite,
  postgres: `
    SELECT status, booking_id, expires_at
    FROM offers
    WHERE id = $1 AND partner_id = $2
    FOR UPDATE`,
};

export function offerStateParams(partnerId: string, offerId: string): unknown[] {
  return [offerId, partnerId];
}

export function offerStateOf(row: Row): OfferState {
  return { status: row.status as OfferStatus, bookingId: (row.booking_id as string | null) ?? null, expiresAt: readDate(row.expires_at) };
}

// ---------------------------------------------------------------------------------------------
// Confirm: the writes

/**
 * The confirm, all or nothing. Its first step is the guard: the offer, live and not confirmed
 * (OFFERED or OPTED_OUT, not expired), becomes CONFIRMED with the booking's id. Only one confirm
 * can win an offer; the writes that follow stand only if it did: the booking, its items, the
 * chosen quotes CONFIRMED, the offer's analytics rows CONFIRMED with the booking's premium.
 *
 * PostgreSQL: one statement. Every write selects FROM `won` (the offer the guard changed), so when
 * the guard matches no row (`won` = 0) nothing is written. Outside a transaction the statement is
 * a transaction of its own. The items are bound as one array per column, pairwise.
 *   $1 booking id, $2 now, $3 offer id, $4 partner id (the guard);
 *   $5–$18 the booking's row; $19–$33 the items' columns; $34 the chosen quotes' ids; $35 the premium;
 *   $36–$38 the booking.created event's id, actor and idempotency key (its `after`: the booking, $17);
 *   $39 the lookup key of the policyholder's e-mail (bookings.email_key, @app/privacy);
 *   the event's webhook deliveries (the outbox, INSERT_EVENT_DELIVERIES of @app/webhooks) are part
 *   of the statement too.
 *
 * SQLite: the guard alone (its changed rows: 0 or 1); the writes follow as the SQLITE_* statements
 * below, in the caller's transaction.
 */
export const CONFIRM_OFFER: EngineSql = {
  sqlite: `
    UPDATE offers
    SET status = 'CONFIRMED', booking_id = ?, updated_at = ?
    WHERE id = ? AND partner_id = ? AND status IN ('OFFERED', 'OPTED_OUT') AND expires_at > ?`,
  postgres: `
    WITH won AS (
      UPDATE offers
      SET status = 'CONFIRMED', booking_id = $1, updated_at = $2
      WHERE id = $3 AND partner_id = $4 AND status IN ('OFFERED', 'OPTED_OUT') AND expires_at > $2
      RETURNING id
    ),
    booking AS (
      INSERT INTO bookings (id, offer_id, partner_id, api_key_id, offer_config_id, status, currency,
                            total_price_minor, total_tax_minor, total_premium_minor, partner_transaction_id,
                            policyholder, response, created_at, updated_at, email_key)
      SELECT $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $39::bigint
      FROM won
    ),
    created_event AS (
      INSERT INTO booking_events (id, booking_id, partner_id, version, type, at, actor, idempotency_key, before, after)
      SELECT $36, $5, $4, 1, 'booking.created', $2, $37, $38, NULL, $17
      FROM won
    ),
    created_deliveries AS (
      INSERT INTO webhook_deliveries (id, endpoint_id, partner_id, event_id, event_type, occurred_at, payload, status, attempts, next_attempt_at, created_at)
      SELECT gen_random_uuid()::text, e.id, e.partner_id, $36, 'booking.created', $2, $17, 'pending', 0, $2, $2
      FROM won, webhook_endpoints e
      WHERE e.partner_id = $4 AND e.status = 'enabled' AND e.events::jsonb @> '["booking.created"]'
    ),
    items AS (
      INSERT INTO booking_items (id, booking_id, offer_id, quote_id, partner_id, product_code, policy_number, currency,
                                 premium_minor, tax_minor, price_minor, policy_start, policy_end, insured, created_at)
      SELECT i.*
      FROM won, unnest($19::varchar[], $20::varchar[], $21::varchar[], $22::varchar[], $23::varchar[], $24::varchar[], $25::varchar[], $26::varchar[],
                       $27::integer[], $28::integer[], $29::integer[], $30::timestamp[], $31::timestamp[], $32::text[], $33::timestamp[])
        AS i (id, booking_id, offer_id, quote_id, partner_id, product_code, policy_number, currency,
              premium_minor, tax_minor, price_minor, policy_start, policy_end, insured, created_at)
    ),
    quotes_confirmed AS (
      UPDATE quotes
      SET status = 'CONFIRMED'
      FROM won
      WHERE quotes.offer_id = won.id AND quotes.id = ANY($34::varchar[])
    ),
    variants_confirmed AS (
      UPDATE offer_variants
      SET status = 'CONFIRMED', premium_minor = $35
      FROM won
      WHERE offer_variants.offer_id = won.id
    )
    SELECT count(*)::int AS won FROM won`,
};

/** CONFIRM_OFFER's values: on SQLite the guard's, on PostgreSQL the whole confirm's. */
export function confirmOfferParams(engine: Engine, c: Confirmation): unknown[] {
  const now = dateParam(engine, c.now);
  if (engine === 'sqlite') return [c.booking.id, now, c.offerId, c.partnerId, now];
  const items = c.items;
  return [
    c.booking.id,
    now,
    c.offerId,
    c.partnerId,
    ...bookingValues(engine, c.booking),
    items.map((i) => i.id),
    items.map((i) => i.bookingId),
    items.map((i) => i.offerId),
    items.map((i) => i.quoteId),
    items.map((i) => i.partnerId),
    items.map((i) => i.productCode),
    items.map((i) => i.policyNumber),
    items.map((i) => i.currency),
    items.map((i) => i.premiumMinor),
    items.map((i) => i.taxMinor),
    items.map((i) => i.priceMinor),
    items.map((i) => dateParam(engine, i.policyStart)),
    items.map((i) => (i.policyEnd === null ? null : dateParam(engine, i.policyEnd))),
    items.map((i) => JSON.stringify(i.insured)),
    items.map((i) => dateParam(engine, i.createdAt)),
    c.quoteIds,
    c.premiumMinor,
    c.eventId,
    JSON.stringify({ api_key_id: c.booking.apiKeyId }),
    c.idempotencyKey ?? null,
    policyholderEmailKey(c.booking.partnerId, c.booking.policyholder),
  ];
}

/** the booking's row, in the column order of both engines' INSERT INTO bookings */
function bookingValues(engine: Engine, b: NewBooking): unknown[] {
  return [
    b.id,
    b.offerId,
    b.partnerId,
    b.apiKeyId,
    b.offerConfigId,
    b.status,
    b.currency,
    b.totalPriceMinor,
    b.totalTaxMinor,
    b.totalPremiumMinor,
    b.partnerTransactionId,
    JSON.stringify(b.policyholder),
    JSON.stringify(b.response),
    dateParam(engine, b.createdAt),
  ];
}

/** SQLite, after CONFIRM_OFFER's guard: the booking. */
export const SQLITE_INSERT_BOOKING = `
  INSERT INTO bookings (id, offer_id, partner_id, api_key_id, offer_config_id, status, currency,
                        total_price_minor, total_tax_minor, total_premium_minor, partner_transaction_id,
                        policyholder, response, created_at, updated_at, email_key)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** the booking's row, then updated_at and the lookup key of the policyholder's e-mail (@app/privacy) */
export function sqliteInsertBookingParams(b: NewBooking): unknown[] {
  return [...bookingValues('sqlite', b), dateParam('sqlite', b.createdAt), policyholderEmailKey(b.partnerId, b.policyholder)];
}

/** SQLite, after CONFIRM_OFFER's guard: the booking.created event, whose `after` is the booking as confirmed. */
export const SQLITE_INSERT_CREATED_EVENT = `
  INSERT INTO booking_events (id, booking_id, partner_id, version, type, at, actor, idempotency_key, before, after)
  VALUES (?, ?, ?, 1, 'booking.created', ?, ?, ?, NULL, ?)`;

export function sqliteInsertCreatedEventParams(c: Confirmation): unknown[] {
  const b = c.booking;
  return [
    c.eventId,
    b.id,
    b.partnerId,
    dateParam('sqlite', c.now),
    JSON.stringify({ api_key_id: b.apiKeyId }),
    c.idempotencyKey ?? null,
    JSON.stringify(b.response),
  ];
}

/** SQLite, after CONFIRM_OFFER's guard: one item of the booking (run once per item). */
export const SQLITE_INSERT_BOOKING_ITEM = `
  INSERT INTO booking_items (id, booking_id, offer_id, quote_id, partner_id, product_code, policy_number, currency,
                             premium_minor, tax_minor, price_minor, policy_start, policy_end, insured, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function sqliteInsertBookingItemParams(i: NewBookingItem): unknown[] {
  return [
    i.id,
    i.bookingId,
    i.offerId,
    i.quoteId,
    i.partnerId,
    i.productCode,
    i.policyNumber,
    i.currency,
    i.premiumMinor,
    i.taxMinor,
    i.priceMinor,
    dateParam('sqlite', i.policyStart),
    i.policyEnd === null ? null : dateParam('sqlite', i.policyEnd),
    JSON.stringify(i.insured),
    dateParam('sqlite', i.createdAt),
  ];
}

/** SQLite, after CONFIRM_OFFER's guard: the chosen quotes of the offer (a JSON array of ids) CONFIRMED. */
export const SQLITE_CONFIRM_QUOTES = `
  UPDATE quotes
  SET status = 'CONFIRMED'
  WHERE offer_id = ? AND id IN (SELECT value FROM json_each(?))`;

export function sqliteConfirmQuotesParams(c: Confirmation): unknown[] {
  return [c.offerId, JSON.stringify(c.quoteIds)];
}

/** SQLite, after CONFIRM_OFFER's guard: the offer's analytics rows CONFIRMED, with the booking's premium. */
export const SQLITE_CONFIRM_VARIANTS = `
  UPDATE offer_variants
  SET status = 'CONFIRMED', premium_minor = ?
  WHERE offer_id = ?`;

export function sqliteConfirmVariantsParams(c: Confirmation): unknown[] {
  return [c.premiumMinor, c.offerId];
}

// ---------------------------------------------------------------------------------------------
// Opt-out

/** OFFERED → OPTED_OUT (changes no row when the offer is absent, opted out already, or confirmed). */
export const MARK_OFFER_OPTED_OUT: EngineSql = {
  sqlite: `
    UPDATE offers
    SET status = 'OPTED_OUT', updated_at = ?
    WHERE id = ? AND partner_id = ? AND status = 'OFFERED'`,
  postgres: `
    UPDATE offers
    SET status = 'OPTED_OUT', updated_at = $1
    WHERE id = $2 AND partner_id = $3 AND status = 'OFFERED'`,
};

export function markOfferOptedOutParams(engine: Engine, a: { partnerId: string; offerId: string; now: Date }): unknown[] {
  return [dateParam(engine, a.now), a.offerId, a.partnerId];
}

/** The offer's analytics rows, in step with its opt-out. */
export const MARK_VARIANTS_OPTED_OUT: EngineSql = {
  sqlite: `
    UPDATE offer_variants
    SET status = 'OPTED_OUT'
    WHERE offer_id = ?`,
  postgres: `
    UPDATE offer_variants
    SET status = 'OPTED_OUT'
    WHERE offer_id = $1`,
};

export function markVariantsOptedOutParams(offerId: string): unknown[] {
  return [offerId];
}

/** An opt-out received, with its body as sent. */
export const INSERT_OPT_OUT: EngineSql = {
  sqlite: `
    INSERT INTO opt_out_events (id, offer_id, partner_id, api_key_id, body, created_at)
    VALUES (?, ?, ?, ?, ?, ?)`,
  postgres: `
    INSERT INTO opt_out_events (id, offer_id, partner_id, api_key_id, body, created_at)
    VALUES ($1, $2, $3, $4, $5, $6)`,
};

export function insertOptOutParams(engine: Engine, e: NewOptOut): unknown[] {
  return [e.id, e.offerId, e.partnerId, e.apiKeyId, JSON.stringify(e.body), dateParam(engine, e.createdAt)];
}

/**
 * The opt-out's webhook deliveries (the outbox; see INSERT_EVENT_DELIVERIES of @app/webhooks): one
 * per enabled endpoint of the offer's partner subscribed to `offer.opted_out`, whose data is the
 * offer's id, config and transaction id and the time of the opt-out. The event id is the opt-out's.
 */
export const INSERT_OPT_OUT_DELIVERIES: EngineSql = {
  sqlite: `
    INSERT INTO webhook_deliveries (id, endpoint_id, partner_id, event_id, event_type, occurred_at, payload, status, attempts, next_attempt_at, created_at)
    SELECT lower(hex(randomblob(16))), e.id, e.partner_id, ?, 'offer.opted_out', ?,
           json_object('offer_id', o.id, 'offer_config_id', o.offer_config_id, 'partner_transaction_id', o.partner_transaction_id, 'opted_out_at', ?),
           'pending', 0, ?, ?
    FROM offers o
    JOIN webhook_endpoints e ON e.partner_id = o.partner_id
    WHERE o.id = ? AND e.status = 'enabled' AND EXISTS (SELECT 1 FROM json_each(e.events) WHERE json_each.value = 'offer.opted_out')`,
  postgres: `
    INSERT INTO webhook_deliveries (id, endpoint_id, partner_id, event_id, event_type, occurred_at, payload, status, attempts, next_attempt_at, created_at)
    SELECT gen_random_uuid()::text, e.id, e.partner_id, $1, 'offer.opted_out', $2,
           json_build_object('offer_id', o.id, 'offer_config_id', o.offer_config_id, 'partner_transaction_id', o.partner_transaction_id, 'opted_out_at', $3::text)::text,
           'pending', 0, $2, $2
    FROM offers o
    JOIN webhook_endpoints e ON e.partner_id = o.partner_id
    WHERE o.id = $4 AND e.status = 'enabled' AND e.events::jsonb @> '["offer.opted_out"]'`,
};

export function insertOptOutDeliveriesParams(engine: Engine, e: NewOptOut): unknown[] {
  const at = dateParam(engine, e.createdAt);
  const optedOutAt = formatApiDate(e.createdAt);
  if (engine === 'sqlite') return [e.id, at, optedOutAt, at, at, e.offerId];
  return [e.id, at, optedOutAt, e.offerId];
}

// ---------------------------------------------------------------------------------------------
// Bookings

/** A partner's booking: its 200 body as sent. */
export const BOOKING_RESPONSE: EngineSql = {
  sqlite: `
    SELECT response
    FROM bookings
    WHERE id = ? AND partner_id = ?`,
  postgres: `
    SELECT response
    FROM bookings
    WHERE id = $1 AND partner_id = $2`,
};

export function bookingResponseParams(partnerId: string, bookingId: string): unknown[] {
  return [bookingId, partnerId];
}

export function bookingResponseOf(row: Row): unknown {
  return readJson(row.response);
}
