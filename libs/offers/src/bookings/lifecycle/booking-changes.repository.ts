import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { engineOf, preparedQuery, readDate, readJson, RowNotChangedError } from '@app/database';
import { INSERT_EVENT_DELIVERIES, insertEventDeliveriesParams } from '@app/webhooks';
import { BookingEntity } from '../../entities/booking.entity';
import type { BookingResponse } from '../bookings.types';
import {
  BOOKED_OFFER,
  bookedOfferOf,
  bookedOfferParams,
  BOOKING_EVENTS,
  BOOKING_ITEMS,
  BOOKING_RECORD,
  bookingEventOf,
  bookingEventsParams,
  bookingItemOf,
  bookingItemsParams,
  bookingRecordOf,
  bookingRecordParams,
  INSERT_BOOKING_EVENT,
  INSERT_PENDING_CHANGE,
  insertBookingEventParams,
  insertPendingChangeParams,
  MARK_CHANGE_APPLIED,
  markChangeAppliedParams,
  PENDING_CHANGE,
  pendingChangeOf,
  pendingChangeParams,
  UPDATE_VARIANT_FIGURES,
  updateVariantFiguresParams,
  WRITE_BOOKING,
  WRITE_BOOKING_ITEM,
  writeBookingItemParams,
  writeBookingParams,
  type BookedOffer,
  type BookingItemRecord,
  type BookingRecord,
  type NewBookingEvent,
  type PendingChange,
  type StoredBookingEvent,
  type VariantFigures,
} from './booking-changes.sql';

/** What one change of a booking writes, all in one transaction. */
export interface BookingWrite {
  /** the booking after the change (its `version` one more than expectedVersion) */
  booking: BookingRecord;
  expectedVersion: number;
  /** the quotes the change touched, as they are after it */
  items: BookingItemRecord[];
  event: NewBookingEvent;
  variants: VariantFigures;
  /** the priced change this write applies, marked applied (it must not have been already) */
  appliesChange?: string;
}

export interface BookingListFilter {
  partnerId: string;
  status?: string;
  partnerTransactionId?: string;
  createdFrom?: Date;
  createdTo?: Date;
}

/** What a search of a partner's bookings matches (any of the given). */
export interface BookingSearchFilter {
  partnerId: string;
  bookingId?: string;
  partnerTransactionId?: string;
  /** the lookup key of a policyholder e-mail, and the check of a candidate's e-mail (keys can collide) */
  email?: { key: number; matches(policyholderEmail: unknown): boolean };
}

interface FoundBooking {
  id: string;
  createdAt: Date;
  response: BookingResponse;
}

const newestFirst = (a: FoundBooking, b: FoundBooking): number => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Storage of the changes after the sale; its SQL is in booking-changes.sql.ts. */
@Injectable()
export class BookingChangesRepository {
  /** the data source's own manager: each statement outside any transaction */
  private readonly manager: EntityManager;

  constructor(@InjectRepository(BookingEntity) private readonly bookings: Repository<BookingEntity>) {
    this.manager = bookings.manager;
  }

  async findBooking(partnerId: string, bookingId: string): Promise<BookingRecord | null> {
    const { rows } = await preparedQuery(this.manager, BOOKING_RECORD[engineOf(this.manager)], bookingRecordParams(partnerId, bookingId));
    return rows.length > 0 ? bookingRecordOf(rows[0]) : null;
  }

  async findItems(bookingId: string): Promise<BookingItemRecord[]> {
    const { rows } = await preparedQuery(this.manager, BOOKING_ITEMS[engineOf(this.manager)], bookingItemsParams(bookingId));
    return rows.map(bookingItemOf);
  }

  async findOffer(partnerId: string, offerId: string): Promise<BookedOffer | null> {
    const { rows } = await preparedQuery(this.manager, BOOKED_OFFER[engineOf(this.manager)], bookedOfferParams(partnerId, offerId));
    return rows.length > 0 ? bookedOfferOf(rows[0]) : null;
  }

  async findChange(partnerId: string, bookingId: string, changeId: string): Promise<PendingChange | null> {
    const { rows } = await preparedQuery(this.manager, PENDING_CHANGE[engineOf(this.manager)], pendingChangeParams(partnerId, bookingId, changeId));
    return rows.length > 0 ? pendingChangeOf(rows[0]) : null;
  }

  async events(partnerId: string, bookingId: string): Promise<StoredBookingEvent[]> {
    const { rows } = await preparedQuery(this.manager, BOOKING_EVENTS[engineOf(this.manager)], bookingEventsParams(partnerId, bookingId));
    return rows.map(bookingEventOf);
  }

  async insertChange(manager: EntityManager, change: Omit<PendingChange, 'appliedAt'>): Promise<void> {
    const engine = engineOf(manager);
    await preparedQuery(manager, INSERT_PENDING_CHANGE[engine], insertPendingChangeParams(engine, change));
  }

  /**
   * Writes one change in `manager`'s transaction: the booking first, only while it is still at
   * `expectedVersion` (else RowNotChangedError and nothing is written), then the touched quotes,
   * the event and its webhook deliveries, the analytics rows and, for a confirmation, its priced
   * change marked applied.
   */
  async write(manager: EntityManager, w: BookingWrite): Promise<void> {
    const engine = engineOf(manager);
    const guard = await preparedQuery(manager, WRITE_BOOKING[engine], writeBookingParams(engine, w.booking, w.expectedVersion));
    if (guard.affected !== 1) throw new RowNotChangedError(WRITE_BOOKING[engine]);
    for (const item of w.items) await preparedQuery(manager, WRITE_BOOKING_ITEM[engine], writeBookingItemParams(engine, w.booking.id, item));
    await preparedQuery(manager, INSERT_BOOKING_EVENT[engine], insertBookingEventParams(engine, w.event));
    // the outbox: the event's webhook deliveries, whose data is the booking after the change
    const outbox = { id: w.event.id, partnerId: w.event.partnerId, type: w.event.type, occurredAt: w.event.at, payload: JSON.stringify(w.booking.response) };
    await preparedQuery(manager, INSERT_EVENT_DELIVERIES[engine], insertEventDeliveriesParams(engine, outbox, w.event.at));
    await preparedQuery(manager, UPDATE_VARIANT_FIGURES[engine], updateVariantFiguresParams(w.variants));
    if (w.appliesChange !== undefined) {
      const marked = await preparedQuery(manager, MARK_CHANGE_APPLIED[engine], markChangeAppliedParams(engine, w.appliesChange, w.booking.updatedAt));
      if (marked.affected !== 1) throw new RowNotChangedError(MARK_CHANGE_APPLIED[engine]);
    }
  }

  /**
   * One page of a partner's bookings, newest first, and how many match. Built with TypeORM's query
   * builder so that only the filters given are in the query: each is then served by an index
   * starting with partner_id (ix_bookings_partner_created, ix_bookings_partner_status_created,
   * ix_bookings_partner_transaction).
   */
  async list(filter: BookingListFilter, limit: number, offset: number): Promise<{ count: number; results: BookingResponse[] }> {
    const query = this.bookings.createQueryBuilder('b').where('b.partnerId = :partnerId', { partnerId: filter.partnerId });
    if (filter.status !== undefined) query.andWhere('b.status = :status', { status: filter.status });
    if (filter.partnerTransactionId !== undefined) query.andWhere('b.partnerTransactionId = :ptid', { ptid: filter.partnerTransactionId });
    if (filter.createdFrom !== undefined) query.andWhere('b.createdAt >= :from', { from: filter.createdFrom });
    if (filter.createdTo !== undefined) query.andWhere('b.createdAt < :to', { to: filter.createdTo });
    const count = await query.getCount();
    if (count === 0 || offset >= count) return { count, results: [] };
    const rows = await query
      .select('b.response', 'response')
      .orderBy('b.createdAt', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .limit(limit)
      .offset(offset)
      .getRawMany<{ response: unknown }>();
    return { count, results: rows.map((r) => readJson(r.response) as BookingResponse) };
  }

  /** A partner's latest bookings, newest first (ix_bookings_partner_created). */
  async latest(partnerId: string, limit: number): Promise<BookingResponse[]> {
    const rows = await this.bookings
      .createQueryBuilder('b')
      .select('b.response', 'response')
      .where('b.partnerId = :partnerId', { partnerId })
      .orderBy('b.createdAt', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .limit(limit)
      .getRawMany<{ response: unknown }>();
    return rows.map((r) => readJson(r.response) as BookingResponse);
  }

  /**
   * A partner's bookings matching any of the filter's terms, newest first: one query per term,
   * each through an index starting with partner_id (the primary key, ix_bookings_partner_transaction,
   * and for the e-mail key ix_bookings_email_key on PostgreSQL, ix_bookings_partner_created on SQLite).
   */
  async search(filter: BookingSearchFilter, limit: number): Promise<BookingResponse[]> {
    const found = new Map<string, FoundBooking>();
    const add = (rows: FoundBooking[]) => rows.forEach((r) => found.set(r.id, r));
    if (filter.bookingId !== undefined) add(await this.found(filter.partnerId, 'b.id = :bookingId', { bookingId: filter.bookingId }, 1));
    if (filter.partnerTransactionId !== undefined && filter.partnerTransactionId.length <= 200) {
      add(await this.found(filter.partnerId, 'b.partnerTransactionId = :ptid', { ptid: filter.partnerTransactionId }, limit));
    }
    if (filter.email !== undefined) {
      const email = filter.email;
      add((await this.found(filter.partnerId, 'b.emailKey = :emailKey', { emailKey: email.key }, limit, true)).filter((r) => email.matches(r.email)));
    }
    return [...found.values()]
      .sort(newestFirst)
      .slice(0, limit)
      .map((r) => r.response);
  }

  /** the newest `limit` of a partner's bookings matching `condition`, with the policyholder's e-mail when asked */
  private async found(
    partnerId: string,
    condition: string,
    params: Record<string, unknown>,
    limit: number,
    withEmail = false,
  ): Promise<Array<FoundBooking & { email?: unknown }>> {
    const query = this.bookings
      .createQueryBuilder('b')
      .select('b.id', 'id')
      .addSelect('b.createdAt', 'created_at')
      .addSelect('b.response', 'response')
      .where('b.partnerId = :partnerId', { partnerId })
      .andWhere(condition, params)
      .orderBy('b.createdAt', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .limit(limit);
    if (withEmail) query.addSelect('b.policyholder', 'policyholder');
    const rows = await query.getRawMany<{ id: string; created_at: unknown; response: unknown; policyholder?: unknown }>();
    return rows.map((r) => {
      const policyholder = withEmail ? readJson(r.policyholder) : null;
      return {
        id: r.id,
        createdAt: readDate(r.created_at),
        response: readJson(r.response) as BookingResponse,
        email: typeof policyholder === 'object' && policyholder !== null ? (policyholder as Record<string, unknown>).email : undefined,
      };
    });
  }
}
