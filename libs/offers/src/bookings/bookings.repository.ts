import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, QueryFailedError, Repository } from 'typeorm';
import { fastInsert, fastSelect, fastUpdate, greaterThan, insertStatements, oneOf, runTogether, updateStatement } from '@app/database';
import { BookingEntity } from '../entities/booking.entity';
import { BookingItemEntity } from '../entities/booking-item.entity';
import { OfferEntity, OfferStatus } from '../entities/offer.entity';
import { OfferVariantEntity } from '../entities/offer-variant.entity';
import { OptOutEventEntity } from '../entities/opt-out-event.entity';
import { QuoteEntity } from '../entities/quote.entity';
import type { BookableQuote, NewBooking, NewBookingItem } from './booking-builder';

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

/** The states an offer can be confirmed from (spec §3.2: an opted-out offer may still be confirmed). */
const CONFIRMABLE: OfferStatus[] = ['OFFERED', 'OPTED_OUT'];

/** Storage of confirm, opt-out and bookings; the only file of bookings/ that touches TypeORM. */
@Injectable()
export class BookingsRepository {
  constructor(
    @InjectRepository(OfferEntity) private readonly offers: Repository<OfferEntity>,
    @InjectRepository(QuoteEntity) private readonly quotes: Repository<QuoteEntity>,
    @InjectRepository(BookingEntity) private readonly bookings: Repository<BookingEntity>,
  ) {}

  /** The two reads of every confirm: fixed SQL, kept prepared (fastSelect), not the query builder. */
  async findOffer(partnerId: string, offerId: string): Promise<OfferForBooking | null> {
    const [row] = await fastSelect(
      this.offers.manager,
      OfferEntity,
      ['id', 'partnerId', 'offerConfigId', 'status', 'bookingId', 'expiresAt', 'currency', 'partnerTransactionId', 'request', 'response'],
      { id: offerId, partnerId },
      1,
    );
    return row ?? null;
  }

  /** The offer's state as the transaction sees it (after a conditional update matched nothing). */
  async offerState(manager: EntityManager, partnerId: string, offerId: string): Promise<OfferState | null> {
    const row = await manager.getRepository(OfferEntity).findOne({
      where: { id: offerId, partnerId },
      select: { id: true, status: true, bookingId: true, expiresAt: true },
    });
    return row ? { status: row.status, bookingId: row.bookingId, expiresAt: row.expiresAt } : null;
  }

  async findQuotes(offerId: string): Promise<BookableQuote[]> {
    return fastSelect(
      this.quotes.manager,
      QuoteEntity,
      ['id', 'productCode', 'productName', 'currency', 'premiumMinor', 'taxMinor', 'priceMinor', 'policyStart', 'policyEnd', 'pdsUrl'],
      { offerId },
    );
  }

  /**
   * The state change that makes "one booking per offer" hold under any concurrency: only one
   * transaction can move a live, unbooked offer to CONFIRMED (the others match no row).
   */
  async markOfferConfirmed(manager: EntityManager, a: { partnerId: string; offerId: string; bookingId: string; now: Date }): Promise<boolean> {
    const changed = await fastUpdate(
      manager,
      OfferEntity,
      { status: 'CONFIRMED', bookingId: a.bookingId, updatedAt: a.now },
      { id: a.offerId, partnerId: a.partnerId, status: oneOf(CONFIRMABLE), expiresAt: greaterThan(a.now) },
    );
    return changed === 1;
  }

  /**
   * What a confirm writes once its offer is won (markOfferConfirmed), in the same transaction: the
   * booking and its items (plain multi-row INSERTs, no read-back), the selected quotes CONFIRMED,
   * and the offer's analytics rows in step with it. None depends on another's effect, so on
   * PostgreSQL they go as one statement (runTogether: one round trip instead of four). A unique
   * constraint that refuses the booking fails them all (isUniqueViolation).
   */
  async writeBooking(manager: EntityManager, w: { booking: NewBooking; items: NewBookingItem[]; offerId: string; quoteIds: string[]; premiumMinor: number }): Promise<void> {
    const connection = manager.connection;
    await runTogether(manager, [
      ...insertStatements(connection, BookingEntity, [Object.assign(new BookingEntity(), w.booking)]),
      ...insertStatements(
        connection,
        BookingItemEntity,
        w.items.map((i) => Object.assign(new BookingItemEntity(), i)),
      ),
      updateStatement(manager, QuoteEntity, { status: 'CONFIRMED' }, { offerId: w.offerId, id: oneOf(w.quoteIds) }),
      updateStatement(manager, OfferVariantEntity, { status: 'CONFIRMED', premiumMinor: w.premiumMinor }, { offerId: w.offerId }),
    ]);
  }

  async markVariantsOptedOut(manager: EntityManager, offerId: string): Promise<void> {
    await fastUpdate(manager, OfferVariantEntity, { status: 'OPTED_OUT' }, { offerId });
  }

  /** OFFERED → OPTED_OUT; false when the offer is absent, already opted out, or confirmed. */
  async markOfferOptedOut(manager: EntityManager, a: { partnerId: string; offerId: string; now: Date }): Promise<boolean> {
    const changed = await fastUpdate(manager, OfferEntity, { status: 'OPTED_OUT', updatedAt: a.now }, { id: a.offerId, partnerId: a.partnerId, status: 'OFFERED' });
    return changed === 1;
  }

  async insertOptOut(manager: EntityManager, event: NewOptOut): Promise<void> {
    await fastInsert(manager, OptOutEventEntity, [Object.assign(new OptOutEventEntity(), event)]);
  }

  async findBooking(partnerId: string, bookingId: string): Promise<unknown | null> {
    const row = await this.bookings.findOne({ where: { id: bookingId, partnerId }, select: { id: true, response: true } });
    return row ? row.response : null;
  }

  /** A unique constraint refused a write (a booking id or policy number collision, or a second booking). */
  isUniqueViolation(e: unknown): boolean {
    if (!(e instanceof QueryFailedError)) return false;
    const code = (e.driverError as { code?: unknown } | undefined)?.code;
    return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  }
}
