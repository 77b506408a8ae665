import { dateParam, readDate, readDateOrNull, readJson, readJsonPair, type Engine, type EngineSql } from '@app/database';
import { policyholderEmailKey } from '@app/privacy';
import type { BookingResponse, PersonInput, PolicyholderInput } from '../bookings.types';
import type { BookingChangeKind } from '../../entities/booking-change.entity';
import type { BookingEventType } from '../../entities/booking-event.entity';
import type { StoredExperiment } from '../../entities/offer.entity';

/**
 * The SQL of the changes after the sale (BookingChangesRepository), per engine: `?` placeholders
 * on SQLite, `$n` on PostgreSQL. Each statement comes with the function that binds its values and,
 * for a read, the one that maps its rows. Every change of a booking is written in one transaction
 * whose first statement is WRITE_BOOKING: it changes the booking only while its `version` is the
 * one the change was computed from, so the database decides which of two concurrent changes wins.
 */

type Row = Record<string, unknown>;

/** A booking as stored: what a change starts from. Money in integer minor units of `currency`. */
export interface BookingRecord {
  id: string;
  partnerId: string;
  offerId: string;
  offerConfigId: string;
  status: 'CONFIRMED' | 'CANCELLED';
  version: number;
  currency: string;
  totalPriceMinor: number;
  totalTaxMinor: number;
  totalPremiumMinor: number;
  totalRefundMinor: number;
  partnerTransactionId: string | null;
  policyholder: PolicyholderInput;
  /** the create-offer `context` after the updates; null: the offer's own */
  context: Record<string, unknown> | null;
  /** the booking as partners read it now */
  response: BookingResponse;
  createdAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
}

/** One quote of a booking as stored. */
export interface BookingItemRecord {
  id: string;
  quoteId: string;
  productCode: string;
  policyNumber: string;
  premiumMinor: number;
  taxMinor: number;
  priceMinor: number;
  policyStart: Date;
  policyEnd: Date | null;
  insured: PersonInput[];
  status: 'CONFIRMED' | 'CANCELLED';
  /** when the quote was confirmed: cooling-off counts from it */
  confirmedAt: Date;
  cancelledAt: Date | null;
  refundMinor: number | null;
}

/** What a change needs of the booking's offer: its request and the configuration it was made under. */
export interface BookedOffer {
  id: string;
  bundleVersion: number;
  schemaId: string;
  experiments: StoredExperiment[];
  /** the create-offer request as received */
  request: Record<string, unknown>;
}

/** A priced change waiting for its confirmation (booking_changes). */
export interface PendingChange {
  id: string;
  bookingId: string;
  partnerId: string;
  kind: BookingChangeKind;
  bookingVersion: number;
  plan: unknown;
  apiKeyId: string;
  confirmBefore: Date;
  appliedAt: Date | null;
  createdAt: Date;
}

export interface NewBookingEvent {
  id: string;
  bookingId: string;
  partnerId: string;
  version: number;
  type: BookingEventType;
  at: Date;
  actor: Record<string, string>;
  idempotencyKey: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

export type StoredBookingEvent = NewBookingEvent;

/** The analytics rows of the booking's offer, in step with a change. */
export interface VariantFigures {
  offerId: string;
  /** the booked premium of every quote of the booking, in force or not, at its current price */
  premiumMinor: number;
  addCancellations: number;
  addRefundedMinor: number;
  addRefundedPremiumMinor: number;
}

function placeholders(engine: Engine, sql: string): string {
  if (engine === 'sqlite') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * The same statement for both engines, written once with `?` placeholders: PostgreSQL's text
 * numbers them `$1…$n` in order. Only for statements whose text is otherwise the same on both.
 */
function bothEngines(sql: string): EngineSql {
  return { sqlite: sql, postgres: placeholders('postgres', sql) };
}

// ---------------------------------------------------------------------------------------------
// Reads

/** A partner's booking. */
export const BOOKING_RECORD: EngineSql = bothEngines(`
    SELECT id, partner_id, offer_id, offer_config_id, status, version, currency,
           total_price_minor, total_tax_minor, total_premium_minor, total_refund_minor,
           partner_transaction_id, policyholder, context, response, created_at, updated_at, cancelled_at
    FROM bookings
    WHERE id = ? AND partner_id = ?`);

export function bookingRecordParams(partnerId: string, bookingId: string): unknown[] {
  return [bookingId, partnerId];
}

export function bookingRecordOf(row: Row): BookingRecord {
  return {
    id: row.id as string,
    partnerId: row.partner_id as string,
    offerId: row.offer_id as string,
    offerConfigId: row.offer_config_id as string,
    status: row.status as BookingRecord['status'],
    version: Number(row.version),
    currency: row.currency as string,
    totalPriceMinor: Number(row.total_price_minor),
    totalTaxMinor: Number(row.total_tax_minor),
    totalPremiumMinor: Number(row.total_premium_minor),
    totalRefundMinor: Number(row.total_refund_minor),
    partnerTransactionId: (row.partner_transaction_id as string | null) ?? null,
    policyholder: readJson(row.policyholder) as PolicyholderInput,
    context: (readJson(row.context) as Record<string, unknown> | null) ?? null,
    response: readJson(row.response) as BookingResponse,
    createdAt: readDate(row.created_at),
    updatedAt: readDate(row.updated_at),
    cancelledAt: readDateOrNull(row.cancelled_at),
  };
}

/** The quotes of a booking, in policy-number order (the order of the confirm body). */
export const BOOKING_ITEMS: EngineSql = bothEngines(`
    SELECT id, quote_id, product_code, policy_number, premium_minor, tax_minor, price_minor,
           policy_start, policy_end, insured, status, created_at, cancelled_at, refund_minor
    FROM booking_items
    WHERE booking_id = ?
    ORDER BY policy_number`);

export function bookingItemsParams(bookingId: string): unknown[] {
  return [bookingId];
}

export function bookingItemOf(row: Row): BookingItemRecord {
  return {
    id: row.id as string,
    quoteId: row.quote_id as string,
    productCode: row.product_code as string,
    policyNumber: row.policy_number as string,
    premiumMinor: Number(row.premium_minor),
    taxMinor: Number(row.tax_minor),
    priceMinor: Number(row.price_minor),
    policyStart: readDate(row.policy_start),
    policyEnd: readDateOrNull(row.policy_end),
    insured: (readJson(row.insured) as PersonInput[] | null) ?? [],
    status: row.status as BookingItemRecord['status'],
    confirmedAt: readDate(row.created_at),
    cancelledAt: readDateOrNull(row.cancelled_at),
    refundMinor: row.refund_minor === null || row.refund_minor === undefined ? null : Number(row.refund_minor),
  };
}

/** The booking's offer: its request and the bundle version, schema and variants it was made with (the response: see readJsonPair). */
export const BOOKED_OFFER: EngineSql = bothEngines(`
    SELECT id, bundle_version, schema_id, experiments, request, response
    FROM offers
    WHERE id = ? AND partner_id = ?`);

export function bookedOfferParams(partnerId: string, offerId: string): unknown[] {
  return [offerId, partnerId];
}

export function bookedOfferOf(row: Row): BookedOffer {
  const [request] = readJsonPair(row.request, row.response);
  return {
    id: row.id as string,
    bundleVersion: Number(row.bundle_version),
    schemaId: row.schema_id as string,
    experiments: (readJson(row.experiments) as StoredExperiment[] | null) ?? [],
    request: typeof request === 'object' && request !== null && !Array.isArray(request) ? (request as Record<string, unknown>) : {},
  };
}

/** A priced change of a partner's booking. */
export const PENDING_CHANGE: EngineSql = bothEngines(`
    SELECT id, booking_id, partner_id, kind, booking_version, plan, api_key_id, confirm_before, applied_at, created_at
    FROM booking_changes
    WHERE id = ? AND booking_id = ? AND partner_id = ?`);

export function pendingChangeParams(partnerId: string, bookingId: string, changeId: string): unknown[] {
  return [changeId, bookingId, partnerId];
}

export function pendingChangeOf(row: Row): PendingChange {
  return {
    id: row.id as string,
    bookingId: row.booking_id as string,
    partnerId: row.partner_id as string,
    kind: row.kind as BookingChangeKind,
    bookingVersion: Number(row.booking_version),
    plan: readJson(row.plan),
    apiKeyId: row.api_key_id as string,
    confirmBefore: readDate(row.confirm_before),
    appliedAt: readDateOrNull(row.applied_at),
    createdAt: readDate(row.created_at),
  };
}

/** A booking's events, oldest first. */
export const BOOKING_EVENTS: EngineSql = bothEngines(`
    SELECT id, booking_id, partner_id, version, type, at, actor, idempotency_key, before, after
    FROM booking_events
    WHERE booking_id = ? AND partner_id = ?
    ORDER BY version`);

export function bookingEventsParams(partnerId: string, bookingId: string): unknown[] {
  return [bookingId, partnerId];
}

export function bookingEventOf(row: Row): StoredBookingEvent {
  return {
    id: row.id as string,
    bookingId: row.booking_id as string,
    partnerId: row.partner_id as string,
    version: Number(row.version),
    type: row.type as BookingEventType,
    at: readDate(row.at),
    actor: readJson(row.actor) as Record<string, string>,
    idempotencyKey: (row.idempotency_key as string | null) ?? null,
    before: (readJson(row.before) as Record<string, unknown> | null) ?? null,
    after: readJson(row.after) as Record<string, unknown>,
  };
}

// ---------------------------------------------------------------------------------------------
// Writes (one change: WRITE_BOOKING first, then the rest, in one transaction)

/**
 * The booking after a change, written only while its version is still `expectedVersion` (0 rows
 * changed: another change came first, and nothing of this one may be written). `email_key`
 * follows the policyholder's e-mail (an update may change it; @app/privacy).
 */
export const WRITE_BOOKING: EngineSql = bothEngines(`
    UPDATE bookings
    SET status = ?, version = ?, total_price_minor = ?, total_tax_minor = ?, total_premium_minor = ?, total_refund_minor = ?,
        policyholder = ?, context = ?, response = ?, updated_at = ?, cancelled_at = ?, email_key = ?
    WHERE id = ? AND partner_id = ? AND version = ?`);

export function writeBookingParams(engine: Engine, b: BookingRecord, expectedVersion: number): unknown[] {
  return [
    b.status,
    b.version,
    b.totalPriceMinor,
    b.totalTaxMinor,
    b.totalPremiumMinor,
    b.totalRefundMinor,
    JSON.stringify(b.policyholder),
    b.context === null ? null : JSON.stringify(b.context),
    JSON.stringify(b.response),
    dateParam(engine, b.updatedAt),
    b.cancelledAt ? dateParam(engine, b.cancelledAt) : null,
    policyholderEmailKey(b.partnerId, b.policyholder),
    b.id,
    b.partnerId,
    expectedVersion,
  ];
}

/** One quote of the booking after the change (only the quotes the change touched). */
export const WRITE_BOOKING_ITEM: EngineSql = bothEngines(`
    UPDATE booking_items
    SET premium_minor = ?, tax_minor = ?, price_minor = ?, policy_start = ?, policy_end = ?, insured = ?,
        status = ?, cancelled_at = ?, refund_minor = ?
    WHERE id = ? AND booking_id = ?`);

export function writeBookingItemParams(engine: Engine, bookingId: string, i: BookingItemRecord): unknown[] {
  return [
    i.premiumMinor,
    i.taxMinor,
    i.priceMinor,
    dateParam(engine, i.policyStart),
    i.policyEnd ? dateParam(engine, i.policyEnd) : null,
    JSON.stringify(i.insured),
    i.status,
    i.cancelledAt ? dateParam(engine, i.cancelledAt) : null,
    i.refundMinor,
    i.id,
    bookingId,
  ];
}

/** The change's event. */
export const INSERT_BOOKING_EVENT: EngineSql = bothEngines(`
    INSERT INTO booking_events (id, booking_id, partner_id, version, type, at, actor, idempotency_key, before, after)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

export function insertBookingEventParams(engine: Engine, e: NewBookingEvent): unknown[] {
  return [
    e.id,
    e.bookingId,
    e.partnerId,
    e.version,
    e.type,
    dateParam(engine, e.at),
    JSON.stringify(e.actor),
    e.idempotencyKey,
    e.before === null ? null : JSON.stringify(e.before),
    JSON.stringify(e.after),
  ];
}

/** The analytics rows of the booking's offer, in step with the change. */
export const UPDATE_VARIANT_FIGURES: EngineSql = bothEngines(`
    UPDATE offer_variants
    SET premium_minor = ?,
        cancellations = cancellations + ?,
        refunded_minor = refunded_minor + ?,
        refunded_premium_minor = refunded_premium_minor + ?
    WHERE offer_id = ?`);

export function updateVariantFiguresParams(f: VariantFigures): unknown[] {
  return [f.premiumMinor, f.addCancellations, f.addRefundedMinor, f.addRefundedPremiumMinor, f.offerId];
}

/** A priced change, kept until it is confirmed or expires. */
export const INSERT_PENDING_CHANGE: EngineSql = bothEngines(`
    INSERT INTO booking_changes (id, booking_id, partner_id, kind, booking_version, plan, api_key_id, confirm_before, applied_at, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`);

export function insertPendingChangeParams(engine: Engine, c: Omit<PendingChange, 'appliedAt'>): unknown[] {
  return [
    c.id,
    c.bookingId,
    c.partnerId,
    c.kind,
    c.bookingVersion,
    JSON.stringify(c.plan),
    c.apiKeyId,
    dateParam(engine, c.confirmBefore),
    dateParam(engine, c.createdAt),
  ];
}

/** The priced change applied, once: 0 rows changed when it already was. */
export const MARK_CHANGE_APPLIED: EngineSql = bothEngines(`
    UPDATE booking_changes
    SET applied_at = ?
    WHERE id = ? AND applied_at IS NULL`);

export function markChangeAppliedParams(engine: Engine, changeId: string, at: Date): unknown[] {
  return [dateParam(engine, at), changeId];
}
