import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { dateParam, preparedQuery, readDate, readJson, type Engine, type EngineSql } from '@app/database';
import {
  BOOKING_CHANGES_OF,
  BOOKING_EVENTS_OF,
  BOOKING_ITEMS_OF,
  BOOKINGS_BY_EMAIL_KEY,
  BOOKINGS_BY_IDS,
  DELIVERIES_OF,
  ERASE_BOOKING,
  ERASE_BOOKING_CHANGE,
  ERASE_BOOKING_EVENT,
  ERASE_BOOKING_ITEM,
  ERASE_DELIVERY,
  ERASE_IDEMPOTENCY_RECORD,
  ERASE_OFFER,
  ERASE_OPT_OUT,
  IDEMPOTENCY_RECORDS_OF,
  idsParam,
  OFFERS_BY_CUSTOMER_KEY,
  OFFERS_BY_EMAIL_KEY,
  OFFERS_BY_IDS,
  OPT_OUTS_OF,
} from './erasure.sql';
import { offerJsonParam, readOfferJson } from './offer-json';
import type { LookupKind } from './lookup-key';

type Row = Record<string, unknown>;

/** An offer as an erasure reads it. */
export interface StoredOffer {
  id: string;
  bookingId: string | null;
  bundleVersion: number;
  schemaId: string;
  request: unknown;
  response: unknown;
  createdAt: Date;
}

/** A booking as an erasure reads it (from its lookup key: policyholder only). */
export interface StoredBooking {
  id: string;
  offerId: string;
  policyholder: unknown;
  context: unknown;
  response: unknown;
}

/** A row of a related table with its JSON documents, by column. */
export interface StoredDocuments {
  id: string;
  docs: Record<string, unknown>;
}

/** The rows to rewrite, each with its erased documents by column. */
export interface ErasureWrites {
  offers: Array<{ id: string; request: unknown; response: unknown }>;
  bookings: Array<{ id: string; policyholder: unknown; context: unknown; response: unknown }>;
  bookingItems: StoredDocuments[];
  bookingEvents: StoredDocuments[];
  bookingChanges: StoredDocuments[];
  optOuts: StoredDocuments[];
  deliveries: StoredDocuments[];
  idempotencyRecords: StoredDocuments[];
}

const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

function offerOf(row: Row): StoredOffer {
  const { request, response } = readOfferJson(row.request, row.response);
  return {
    id: row.id as string,
    bookingId: (row.booking_id as string | null) ?? null,
    bundleVersion: Number(row.bundle_version),
    schemaId: row.schema_id as string,
    request,
    response,
    createdAt: readDate(row.created_at),
  };
}

function bookingOf(row: Row): StoredBooking {
  return {
    id: row.id as string,
    offerId: row.offer_id as string,
    policyholder: readJson(row.policyholder),
    context: row.context === undefined ? null : readJson(row.context),
    response: row.response === undefined ? null : readJson(row.response),
  };
}

function documentsOf(row: Row, columns: readonly string[]): StoredDocuments {
  return { id: row.id as string, docs: Object.fromEntries(columns.map((c) => [c, readJson(row[c])])) };
}

/** The reads and writes of an erasure, in the caller's transaction (`manager`). */
@Injectable()
export class ErasureRepository {
  private async rows(m: EntityManager, engine: Engine, sql: EngineSql, params: unknown[]): Promise<Row[]> {
    return (await preparedQuery(m, sql[engine], params)).rows;
  }

  /** The partner's offers whose lookup key of `kind` is `key` (candidates: check their content). */
  async offersByKey(m: EntityManager, engine: Engine, partnerId: string, kind: LookupKind, key: number): Promise<StoredOffer[]> {
    const sql = kind === 'email' ? OFFERS_BY_EMAIL_KEY : OFFERS_BY_CUSTOMER_KEY;
    return (await this.rows(m, engine, sql, [partnerId, key])).map(offerOf);
  }

  /** The partner's bookings whose policyholder e-mail key is `key` (candidates: check their content). */
  async bookingsByEmailKey(m: EntityManager, engine: Engine, partnerId: string, key: number): Promise<StoredBooking[]> {
    return (await this.rows(m, engine, BOOKINGS_BY_EMAIL_KEY, [partnerId, key])).map(bookingOf);
  }

  async offersByIds(m: EntityManager, engine: Engine, partnerId: string, ids: readonly string[]): Promise<StoredOffer[]> {
    if (ids.length === 0) return [];
    return (await this.rows(m, engine, OFFERS_BY_IDS, [partnerId, idsParam(engine, ids)])).map(offerOf);
  }

  async bookingsByIds(m: EntityManager, engine: Engine, partnerId: string, ids: readonly string[]): Promise<StoredBooking[]> {
    if (ids.length === 0) return [];
    return (await this.rows(m, engine, BOOKINGS_BY_IDS, [partnerId, idsParam(engine, ids)])).map(bookingOf);
  }

  async bookingItems(m: EntityManager, engine: Engine, bookingIds: readonly string[]): Promise<StoredDocuments[]> {
    return this.documents(m, engine, BOOKING_ITEMS_OF, [idsParam(engine, bookingIds)], ['insured'], bookingIds.length);
  }

  async bookingEvents(m: EntityManager, engine: Engine, bookingIds: readonly string[]): Promise<StoredDocuments[]> {
    return this.documents(m, engine, BOOKING_EVENTS_OF, [idsParam(engine, bookingIds)], ['before', 'after'], bookingIds.length);
  }

  async bookingChanges(m: EntityManager, engine: Engine, bookingIds: readonly string[]): Promise<StoredDocuments[]> {
    return this.documents(m, engine, BOOKING_CHANGES_OF, [idsParam(engine, bookingIds)], ['plan'], bookingIds.length);
  }

  async optOuts(m: EntityManager, engine: Engine, offerIds: readonly string[]): Promise<StoredDocuments[]> {
    return this.documents(m, engine, OPT_OUTS_OF, [idsParam(engine, offerIds)], ['body'], offerIds.length);
  }

  /** the webhook deliveries of the partner's events `eventIds` */
  async deliveries(m: EntityManager, engine: Engine, partnerId: string, eventIds: readonly string[]): Promise<StoredDocuments[]> {
    return this.documents(m, engine, DELIVERIES_OF, [partnerId, idsParam(engine, eventIds)], ['payload'], eventIds.length);
  }

  /** the partner's idempotency records created since `since` whose response holds one of `ids` */
  async idempotencyRecords(m: EntityManager, engine: Engine, partnerId: string, since: Date, ids: readonly string[]): Promise<StoredDocuments[]> {
    return this.documents(m, engine, IDEMPOTENCY_RECORDS_OF, [partnerId, dateParam(engine, since), idsParam(engine, ids)], ['response_body'], ids.length);
  }

  private async documents(
    m: EntityManager,
    engine: Engine,
    sql: EngineSql,
    params: unknown[],
    columns: readonly string[],
    count: number,
  ): Promise<StoredDocuments[]> {
    if (count === 0) return [];
    return (await this.rows(m, engine, sql, params)).map((r) => documentsOf(r, columns));
  }

  /** Rewrites every row of `w`. */
  async write(m: EntityManager, engine: Engine, partnerId: string, w: ErasureWrites): Promise<void> {
    const run = (sql: EngineSql, params: unknown[]) => preparedQuery(m, sql[engine], params);
    for (const o of w.offers) await run(ERASE_OFFER, [offerJsonParam(engine, o.request), offerJsonParam(engine, o.response), o.id, partnerId]);
    for (const b of w.bookings) await run(ERASE_BOOKING, [json(b.policyholder), json(b.context), json(b.response), b.id, partnerId]);
    for (const r of w.bookingItems) await run(ERASE_BOOKING_ITEM, [json(r.docs.insured), r.id]);
    for (const r of w.bookingEvents) await run(ERASE_BOOKING_EVENT, [json(r.docs.before), json(r.docs.after), r.id]);
    for (const r of w.bookingChanges) await run(ERASE_BOOKING_CHANGE, [json(r.docs.plan), r.id]);
    for (const r of w.optOuts) await run(ERASE_OPT_OUT, [json(r.docs.body), r.id]);
    for (const r of w.deliveries) await run(ERASE_DELIVERY, [json(r.docs.payload), r.id]);
    for (const r of w.idempotencyRecords) await run(ERASE_IDEMPOTENCY_RECORD, [json(r.docs.response_body), r.id]);
  }
}
