import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, QueryFailedError, Repository } from 'typeorm';
import { TurnBatch } from '@app/core';
import { engineOf, preparedQuery, RowNotChangedError } from '@app/database';
import { INSERT_EVENT_DELIVERIES, insertEventDeliveriesParams } from '@app/webhooks';
import { OfferEntity } from '../entities/offer.entity';
import type { BookableQuote } from './booking-builder';
import {
  BOOKING_RESPONSE,
  bookableQuoteOf,
  bookingResponseOf,
  bookingResponseParams,
  CONFIRM_OFFER,
  confirmOfferParams,
  INSERT_OPT_OUT,
  INSERT_OPT_OUT_DELIVERIES,
  insertOptOutDeliveriesParams,
  insertOptOutParams,
  MARK_OFFER_OPTED_OUT,
  MARK_VARIANTS_OPTED_OUT,
  markOfferOptedOutParams,
  markVariantsOptedOutParams,
  OFFER_STATE,
  offerForBookingOf,
  offersForBookingParams,
  OFFERS_FOR_BOOKING,
  OFFER_STATE_LOCKED,
  offerStateOf,
  offerStateParams,
  QUOTES_FOR_BOOKING,
  quotesForBookingParams,
  SQLITE_CONFIRM_QUOTES,
  SQLITE_CONFIRM_VARIANTS,
  SQLITE_INSERT_BOOKING,
  SQLITE_INSERT_BOOKING_ITEM,
  SQLITE_INSERT_CREATED_EVENT,
  sqliteConfirmQuotesParams,
  sqliteConfirmVariantsParams,
  sqliteInsertBookingItemParams,
  sqliteInsertBookingParams,
  sqliteInsertCreatedEventParams,
  type OfferKey,
} from './bookings.sql';
import type { Confirmation, NewOptOut, OfferForBooking, OfferState } from './bookings.sql';

export type { Confirmation, NewOptOut, OfferForBooking, OfferState } from './bookings.sql';

/** PostgreSQL: at most this many offers per read of a turn (OFFERS_FOR_BOOKING) */
const OFFERS_PER_READ = 16;

/**
 * Storage of confirm, opt-out and bookings; the only file of bookings/ that touches the database.
 * Its SQL is in bookings.sql.ts, run as prepared statements (preparedQuery).
 */
@Injectable()
export class BookingsRepository {
  /** the data source's own manager: each statement outside any transaction */
  private readonly manager: EntityManager;
  /**
   * PostgreSQL: the offer reads of the confirms of one turn of the event loop, as one query (one
   * round trip for all). Undefined on SQLite, which reads each at once, in process.
   */
  private readonly offerReads: TurnBatch<OfferKey, OfferForBooking | null> | undefined;

  constructor(@InjectRepository(OfferEntity) offers: Repository<OfferEntity>) {
    this.manager = offers.manager;
    if (engineOf(this.manager) === 'postgres') this.offerReads = new TurnBatch((keys) => this.readOffers(keys), OFFERS_PER_READ);
  }

  async findOffer(partnerId: string, offerId: string): Promise<OfferForBooking | null> {
    const key = { id: offerId, partnerId };
    if (this.offerReads) return this.offerReads.add(key);
    const [offer] = await this.readOffers([key]);
    return offer;
  }

  /** each key's offer, or null, in the keys' order */
  private async readOffers(keys: OfferKey[]): Promise<Array<OfferForBooking | null>> {
    const engine = engineOf(this.manager);
    const { rows } = await preparedQuery(this.manager, OFFERS_FOR_BOOKING[engine], offersForBookingParams(engine, keys));
    const byKey = new Map<string, OfferForBooking>();
    for (const row of rows) {
      const offer = offerForBookingOf(row);
      byKey.set(keyOf(offer), offer);
    }
    return keys.map((k) => byKey.get(keyOf(k)) ?? null);
  }

  /**
   * The offer's state as `manager` sees it: in an opt-out's transaction after its conditional
   * update matched nothing, or after a confirm found the offer not confirmable (outside that
   * confirm's transaction, which wrote nothing).
   */
  async offerState(partnerId: string, offerId: string, manager: EntityManager = this.manager): Promise<OfferState | null> {
    const { rows } = await preparedQuery(manager, OFFER_STATE[engineOf(manager)], offerStateParams(partnerId, offerId));
    return rows.length > 0 ? offerStateOf(rows[0]) : null;
  }

  /** The offer's state, its row locked until `manager`'s transaction ends (OFFER_STATE_LOCKED); null when it is absent. */
  async lockedOfferState(manager: EntityManager, partnerId: string, offerId: string): Promise<OfferState | null> {
    const { rows } = await preparedQuery(manager, OFFER_STATE_LOCKED[engineOf(manager)], offerStateParams(partnerId, offerId));
    return rows.length > 0 ? offerStateOf(rows[0]) : null;
  }

  async findQuotes(offerId: string): Promise<BookableQuote[]> {
    const { rows } = await preparedQuery(this.manager, QUOTES_FOR_BOOKING[engineOf(this.manager)], quotesForBookingParams(offerId));
    return rows.map(bookableQuoteOf);
  }

  /**
   * Confirms the offer with its booking, all or nothing (CONFIRM_OFFER). Its guard is the state
   * change that makes "one booking per offer" hold under any concurrency: only one confirm can move
   * a live, unbooked offer to CONFIRMED (the others match no row: RowNotChangedError, nothing
   * written). Then what is written once the offer is won: the booking and its items, the selected
   * quotes CONFIRMED, and the offer's analytics rows in step with it. A unique constraint that
   * refuses the booking fails it all (isUniqueViolation). In `manager`'s transaction (SQLite needs
   * one: the guard and the writes are separate statements); on PostgreSQL it is one statement, so
   * the default manager, outside any transaction, makes it a transaction of its own
   * (confirmsAtOnce).
   */
  async confirmOffer(c: Confirmation, manager: EntityManager = this.manager): Promise<void> {
    const engine = engineOf(manager);
    const sql = CONFIRM_OFFER[engine];
    const { rows, affected } = await preparedQuery(manager, sql, confirmOfferParams(engine, c));
    if (engine === 'postgres') {
      if (Number(rows[0]?.won ?? 0) === 0) throw new RowNotChangedError(sql);
      return;
    }
    if (affected === 0) throw new RowNotChangedError(sql);
    await preparedQuery(manager, SQLITE_INSERT_BOOKING, sqliteInsertBookingParams(c.booking));
    for (const item of c.items) await preparedQuery(manager, SQLITE_INSERT_BOOKING_ITEM, sqliteInsertBookingItemParams(item));
    await preparedQuery(manager, SQLITE_CONFIRM_QUOTES, sqliteConfirmQuotesParams(c));
    await preparedQuery(manager, SQLITE_CONFIRM_VARIANTS, sqliteConfirmVariantsParams(c));
    await preparedQuery(manager, SQLITE_INSERT_CREATED_EVENT, sqliteInsertCreatedEventParams(c));
    const event = { id: c.eventId, partnerId: c.partnerId, type: 'booking.created', occurredAt: c.now, payload: JSON.stringify(c.booking.response) };
    await preparedQuery(manager, INSERT_EVENT_DELIVERIES.sqlite, insertEventDeliveriesParams('sqlite', event, c.now));
  }

  /** true where confirmOffer is all or nothing without a transaction (PostgreSQL: one statement) */
  get confirmsAtOnce(): boolean {
    return engineOf(this.manager) === 'postgres';
  }

  async markVariantsOptedOut(manager: EntityManager, offerId: string): Promise<void> {
    await preparedQuery(manager, MARK_VARIANTS_OPTED_OUT[engineOf(manager)], markVariantsOptedOutParams(offerId));
  }

  /** OFFERED → OPTED_OUT; false when the offer is absent, already opted out, or confirmed. */
  async markOfferOptedOut(manager: EntityManager, a: { partnerId: string; offerId: string; now: Date }): Promise<boolean> {
    const engine = engineOf(manager);
    const { affected } = await preparedQuery(manager, MARK_OFFER_OPTED_OUT[engine], markOfferOptedOutParams(engine, a));
    return affected === 1;
  }

  /** The opt-out received, and its webhook deliveries (the outbox), in `manager`'s transaction. */
  async insertOptOut(manager: EntityManager, event: NewOptOut): Promise<void> {
    const engine = engineOf(manager);
    await preparedQuery(manager, INSERT_OPT_OUT[engine], insertOptOutParams(engine, event));
    await preparedQuery(manager, INSERT_OPT_OUT_DELIVERIES[engine], insertOptOutDeliveriesParams(engine, event));
  }

  async findBooking(partnerId: string, bookingId: string): Promise<unknown> {
    const { rows } = await preparedQuery(this.manager, BOOKING_RESPONSE[engineOf(this.manager)], bookingResponseParams(partnerId, bookingId));
    return rows.length > 0 ? bookingResponseOf(rows[0]) : null;
  }

  /** A unique constraint refused a write (a booking id or policy number collision, or a second booking). */
  isUniqueViolation(e: unknown): boolean {
    if (!(e instanceof QueryFailedError)) return false;
    const code = (e.driverError as { code?: unknown } | undefined)?.code;
    return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  }
}

/** an offer's key as one string: its id and partner */
function keyOf(k: OfferKey): string {
  return `${k.id}\u0000${k.partnerId}`;
}
