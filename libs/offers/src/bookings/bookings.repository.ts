import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, QueryFailedError, Repository } from 'typeorm';
import { fastInsert, fastSelect, fastUpdate, greaterThan, insertStatements, LookupInTurns, oneOf, runTogether, updateStatement } from '@app/database';
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

const OFFER_FOR_BOOKING = ['id', 'partnerId', 'offerConfigId', 'status', 'bookingId', 'expiresAt', 'currency', 'partnerTransactionId', 'request', 'response'] as const;
const BOOKABLE_QUOTE = ['id', 'productCode', 'productName', 'currency', 'premiumMinor', 'taxMinor', 'priceMinor', 'policyStart', 'policyEnd', 'pdsUrl'] as const;

/** The states an offer can be confirmed from (spec §3.2: an opted-out offer may still be confirmed). */
const CONFIRMABLE: OfferStatus[] = ['OFFERED', 'OPTED_OUT'];

/** Storage of confirm, opt-out and bookings; the only file of bookings/ that touches TypeORM. */
@Injectable()
export class BookingsRepository {
  /**
   * The two reads of every confirm are fixed SQL, kept prepared (fastSelect), not the query
   * builder; on PostgreSQL the offers of the confirms of one turn of the event loop are read
   * together (LookupInTurns: one round trip for all).
   */
  private readonly offerReads: LookupInTurns<OfferEntity, (typeof OFFER_FOR_BOOKING)[number], 'id' | 'partnerId'>;

  constructor(
    @InjectRepository(OfferEntity) private readonly offers: Repository<OfferEntity>,
    @InjectRepository(QuoteEntity) private readonly quotes: Repository<QuoteEntity>,
    @InjectRepository(BookingEntity) private readonly bookings: Repository<BookingEntity>,
  ) {
    this.offerReads = new LookupInTurns(offers.manager, OfferEntity, OFFER_FOR_BOOKING);
  }

  async findOffer(partnerId: string, offerId: string): Promise<OfferForBooking | null> {
    return (await this.offerReads.read({ id: offerId, partnerId })) ?? null;
  }

  /**
   * The offer's state as `manager` sees it: in an opt-out's transaction after its conditional
   * update matched nothing, or after a confirm found the offer not confirmable (outside that
   * confirm's transaction, which wrote nothing).
   */
  async offerState(partnerId: string, offerId: string, manager: EntityManager = this.offers.manager): Promise<OfferState | null> {
    const row = await manager.getRepository(OfferEntity).findOne({
      where: { id: offerId, partnerId },
      select: { id: true, status: true, bookingId: true, expiresAt: true },
    });
    return row ? { status: row.status, bookingId: row.bookingId, expiresAt: row.expiresAt } : null;
  }

  async findQuotes(offerId: string): Promise<BookableQuote[]> {
    return fastSelect(this.quotes.manager, QuoteEntity, BOOKABLE_QUOTE, { offerId });
  }

  /**
   * Confirms the offer with its booking, all or nothing (runTogether with a guard). The guard is
   * the state change that makes "one booking per offer" hold under any concurrency: only one
   * confirm can move a live, unbooked offer to CONFIRMED (the others match no row:
   * RowNotChangedError, nothing written). Then what is written once the offer is won: the booking
   * and its items (plain multi-row INSERTs, no read-back), the selected quotes CONFIRMED, and the
   * offer's analytics rows in step with it. None depends on another's effect. A unique constraint
   * that refuses the booking fails it all (isUniqueViolation). In `manager`'s transaction (SQLite
   * needs one); on PostgreSQL the default manager, outside any transaction, makes it one
   * statement, a transaction of its own (confirmsAtOnce).
   */
  async confirmOffer(c: Confirmation, manager: EntityManager = this.offers.manager): Promise<void> {
    const connection = manager.connection;
    const guard = updateStatement(
      manager,
      OfferEntity,
      { status: 'CONFIRMED', bookingId: c.booking.id, updatedAt: c.now },
      { id: c.offerId, partnerId: c.partnerId, status: oneOf(CONFIRMABLE), expiresAt: greaterThan(c.now) },
    );
    if (!guard) throw new Error('confirmOffer: no confirmable state');
    await runTogether(
      manager,
      [
        ...insertStatements(connection, BookingEntity, [Object.assign(new BookingEntity(), c.booking)]),
        ...insertStatements(
          connection,
          BookingItemEntity,
          c.items.map((i) => Object.assign(new BookingItemEntity(), i)),
        ),
        updateStatement(manager, QuoteEntity, { status: 'CONFIRMED' }, { offerId: c.offerId, id: oneOf(c.quoteIds) }),
        updateStatement(manager, OfferVariantEntity, { status: 'CONFIRMED', premiumMinor: c.premiumMinor }, { offerId: c.offerId }),
      ],
      guard,
    );
  }

  /** true where confirmOffer is all or nothing without a transaction (PostgreSQL: one statement) */
  get confirmsAtOnce(): boolean {
    return this.offers.manager.connection.options.type === 'postgres';
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
