import { Injectable } from '@nestjs/common';
import { Clock, DomainError, InvalidError, localeFor, newId } from '@app/core';
import { isRowNotChanged, TransactionRunner } from '@app/database';
import { formatApiDate } from '@app/quotes';
import { checkSelection, type ProductRuleResponse } from '@app/rules';
import { fingerprint, IdempotencyService, type CompleteIdempotency } from '../idempotency.service';
import { OfferNotFoundError } from '../offers.errors';
import { buildBooking, type BookableQuote } from './booking-builder';
import { BookingHooks } from './booking-hooks';
import { newBookingId } from './booking-id';
import {
  BookingAlreadyExistsError,
  BookingNotFoundError,
  BookingValidationError,
  OfferAlreadyConfirmedError,
  OfferExpiredError,
  ProductRulesViolationError,
} from './bookings.errors';
import { BookingsRepository, type Confirmation, type OfferForBooking, type OfferState } from './bookings.repository';
import type { BookingResponse, ConfirmOfferCommand, ConfirmOfferResult, OptOutCommand, PersonInput, PolicyholderInput } from './bookings.types';

export const CONFIRM_ROUTE = 'confirm_offer';
/** offers.id is varchar(36) */
const MAX_OFFER_ID_LENGTH = 36;
/** attempts at a fresh booking id when a unique constraint refuses one (a ~1 in 10^14 event) */
const MAX_ID_ATTEMPTS = 5;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A validated DTO (class instance, maybe with undefined members) as plain JSON data. */
function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Confirm, opt-out and bookings (docs/api.md: "Confirm Offer", "Opt out", "Bookings"). */
@Injectable()
export class BookingsService {
  constructor(
    private readonly repo: BookingsRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly idempotency: IdempotencyService,
    private readonly hooks: BookingHooks,
  ) {}

  async confirm(cmd: ConfirmOfferCommand): Promise<ConfirmOfferResult> {
    if (!cmd.idempotencyKey) {
      return { status: 200, body: await this.book(cmd), replayed: false };
    }
    return this.idempotency.run<BookingResponse>(
      {
        partnerId: cmd.caller.partnerId,
        route: CONFIRM_ROUTE,
        key: cmd.idempotencyKey,
        fingerprint: fingerprint(cmd.offerId, cmd.body),
        replayStatus: 409,
        // the record goes with the offer when retention deletes it (a longer id names no offer)
        offerId: cmd.offerId.length <= MAX_OFFER_ID_LENGTH ? cmd.offerId : undefined,
      },
      async (complete) => ({ status: 200, body: await this.book(cmd, complete) }),
    );
  }

  async optOut(cmd: OptOutCommand): Promise<void> {
    const { partnerId, keyId } = cmd.caller;
    if (cmd.body !== undefined && !isRecord(cmd.body))
      throw new InvalidError('validation_error', 'Request validation failed', { '': ['must be a JSON object'] });
    const body = cmd.body ?? {};
    const now = this.clock.now();
    await this.tx.run(async (m) => {
      if (await this.repo.markOfferOptedOut(m, { partnerId, offerId: cmd.offerId, now })) {
        await this.repo.markVariantsOptedOut(m, cmd.offerId);
      } else {
        // locked: the repeat's record must not outlive an offer a retention purge is deleting
        const state = await this.repo.lockedOfferState(m, partnerId, cmd.offerId);
        if (!state) throw new OfferNotFoundError();
        if (state.status === 'CONFIRMED') throw new OfferAlreadyConfirmedError(state.bookingId);
        // already opted out: the repeat is recorded too
      }
      await this.repo.insertOptOut(m, { id: newId(), offerId: cmd.offerId, partnerId, apiKeyId: keyId, body, createdAt: now });
    });
  }

  async getBooking(partnerId: string, bookingId: string): Promise<BookingResponse> {
    const body = await this.repo.findBooking(partnerId, bookingId);
    if (!body) throw new BookingNotFoundError();
    return body as BookingResponse;
  }

  private async book(cmd: ConfirmOfferCommand, complete?: CompleteIdempotency): Promise<BookingResponse> {
    const { partnerId } = cmd.caller;
    const offer = await this.repo.findOffer(partnerId, cmd.offerId);
    if (!offer) throw new OfferNotFoundError();
    // early answers only: the conditional update below is what decides
    this.assertBookable(offer, this.clock.now());
    const selected = this.select(offer, cmd, await this.repo.findQuotes(offer.id));
    await this.hooks.beforeBooking(offer.id);

    const body = cmd.body;
    const customer = isRecord(offer.request) && isRecord(offer.request.customer) ? offer.request.customer : {};
    const locale = localeFor(
      typeof customer.language === 'string' ? customer.language : undefined,
      typeof customer.country === 'string' ? customer.country : undefined,
    );
    for (let attempt = 1; ; attempt++) {
      const now = this.clock.now();
      const built = buildBooking({
        bookingId: newBookingId(),
        offer,
        selected,
        policyholder: plain<PolicyholderInput>(body.policyholder),
        partnerTransactionId: body.partner_transaction_id ?? offer.partnerTransactionId,
        apiKeyId: cmd.caller.keyId,
        locale,
        now,
        newId,
      });
      const confirmation: Confirmation = {
        partnerId,
        offerId: offer.id,
        now,
        booking: built.booking,
        items: built.items,
        quoteIds: selected.map((s) => s.quote.id),
        premiumMinor: built.booking.totalPremiumMinor,
        eventId: newId(),
        idempotencyKey: cmd.idempotencyKey,
      };
      try {
        if (complete || !this.repo.confirmsAtOnce) {
          await this.tx.run(async (m) => {
            await this.repo.confirmOffer(confirmation, m);
            if (complete) await complete(m, { status: 200, body: built.response });
          });
        } else {
          // PostgreSQL, no idempotency record to commit with it: one statement, its own transaction
          await this.repo.confirmOffer(confirmation);
        }
        return built.response;
      } catch (e) {
        // the conditional update matched nothing: nothing was written; the offer's state says why
        if (isRowNotChanged(e)) throw this.stateError(await this.repo.offerState(partnerId, offer.id), now);
        if (e instanceof DomainError || !this.repo.isUniqueViolation(e) || attempt >= MAX_ID_ATTEMPTS) throw e;
        // a unique constraint refused the booking: another one won (answer as such), or the id collided (retry)
        const after = await this.repo.findOffer(partnerId, offer.id);
        if (after?.bookingId) throw new BookingAlreadyExistsError(after.bookingId);
      }
    }
  }

  private assertBookable(offer: OfferForBooking, now: Date): void {
    if (offer.status === 'CONFIRMED') throw new BookingAlreadyExistsError(offer.bookingId ?? '');
    if (offer.expiresAt.getTime() <= now.getTime()) throw new OfferExpiredError(formatApiDate(offer.expiresAt));
  }

  /** Why the conditional update matched no row, from the state the transaction sees. */
  private stateError(state: OfferState | null, now: Date): DomainError {
    if (!state) return new OfferNotFoundError();
    if (state.status === 'CONFIRMED' && state.bookingId) return new BookingAlreadyExistsError(state.bookingId);
    if (state.expiresAt.getTime() <= now.getTime()) return new OfferExpiredError(formatApiDate(state.expiresAt));
    // unreachable while every write goes through the conditional updates of this service
    throw new Error(`offer ${state.status} neither confirmable nor refused`);
  }

  /** Quotes named by the body: each a quote of this offer, and together within the product rules. */
  private select(offer: OfferForBooking, cmd: ConfirmOfferCommand, quotes: BookableQuote[]): Array<{ quote: BookableQuote; insured: PersonInput[] }> {
    const byId = new Map(quotes.map((q) => [q.id, q]));
    const errors: Record<string, string[]> = {};
    const selected: Array<{ quote: BookableQuote; insured: PersonInput[] }> = [];
    cmd.body.quotes.forEach((q, i) => {
      const quote = byId.get(q.id);
      if (!quote) errors[`/quotes/${i}/id`] = ['is not a quote of this offer'];
      else selected.push({ quote, insured: plain<PersonInput[]>(q.insured ?? []) });
    });
    if (Object.keys(errors).length > 0) throw new BookingValidationError(errors);
    const rules = isRecord(offer.response) && Array.isArray(offer.response.product_rules) ? (offer.response.product_rules as ProductRuleResponse[]) : [];
    const violations = checkSelection(
      rules,
      selected.map((s) => s.quote.id),
    );
    if (violations.length > 0) throw new ProductRulesViolationError(violations);
    return selected;
  }
}
