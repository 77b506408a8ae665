import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '@app/audit';
import { Clock, localeFor, newId, type ExpressionVars } from '@app/core';
import { isRowNotChanged, TransactionRunner } from '@app/database';
import { lookupKey, normaliseEmail } from '@app/privacy';
import { formatApiDate, quoteProduct } from '@app/quotes';
import { fingerprint, IdempotencyService, type CompleteIdempotency } from '../../idempotency.service';
import { money } from '../booking-builder';
import {
  BookingAlreadyCancelledError,
  BookingNotFoundError,
  BookingValidationError,
  CancellationExpiredError,
  CancellationNotFoundError,
  CancellationStaleError,
  QuotePricingError,
  UpdateExpiredError,
  UpdateNotFoundError,
  UpdateStaleError,
} from '../bookings.errors';
import type { BookingResponse, PersonInput, PolicyholderInput } from '../bookings.types';
import type { BookingEventType } from '../../entities/booking-event.entity';
import type { BookedOffer, BookingItemRecord, PendingChange } from './booking-changes.sql';
import { BookingChangesRepository } from './booking-changes.repository';
import { BOOKING_ID_PATTERN } from '../booking-id';
import type {
  BookingActor,
  BookingCaller,
  BookingChangeResult,
  BookingEventView,
  BookingListQuery,
  BookingPage,
  BookingSearchQuery,
  CancelBookingCommand,
  CancellationPreviewResponse,
  ConfirmCancellationCommand,
  ConfirmUpdateCommand,
  OperatorCaller,
  QuoteForUpdateCommand,
  UpdateBookingCommand,
  UpdateQuoteResponse,
} from './booking-lifecycle.types';
import { assertModifiable, bookingVars, fieldsNotModifiable, refundedPremium, refundsFor } from './booking-rules';
import { BookingTermsService, type BookingTerms } from './booking-terms';
import { changedFacts, renderBooking, withTotals, type BookingState } from './booking-view';
import { newChangeId } from './change-id';

/** How long a cancellation preview or a quote for update can be confirmed. */
export const CHANGE_CONFIRM_WINDOW_MS = 24 * 3_600_000;
/**
 * Attempts of a change computed from a booking another change has just moved on (its version
 * guard matched nothing): each attempt reads the booking again, so the answer reflects the winner.
 */
const MAX_ATTEMPTS = 5;

/** The idempotency scope of each change, per partner: the partner's routes and, apart, an operator's. */
const ROUTES = {
  cancel: 'cancel_booking',
  confirmCancellation: 'confirm_booking_cancellation',
  update: 'booking_modification',
  quoteForUpdate: 'booking_modification_quote',
  confirmUpdate: 'confirm_booking_modification',
} as const;
type ChangeRoute = keyof typeof ROUTES;
const OPERATOR_ROUTES: Record<ChangeRoute, string> = {
  cancel: 'admin_cancel_booking',
  confirmCancellation: 'admin_confirm_cancellation',
  update: 'admin_booking_modification',
  quoteForUpdate: 'admin_booking_mod_quote',
  confirmUpdate: 'admin_confirm_booking_mod',
};

/** What an operator's applied change is called in the audit log. */
const AUDIT_ACTIONS: Record<BookingEventType, string> = {
  'booking.created': 'booking.create',
  'booking.updated': 'booking.update',
  'booking.cancelled': 'booking.cancel',
};

/**
 * booking_changes.api_key_id of a change an operator priced: no partner key (the admin key is
 * recorded by the event and the audit entry of its confirmation)
 */
const NO_API_KEY = '00000000-0000-0000-0000-000000000000';

/** the most bookings one search answers */
const MAX_SEARCH_RESULTS = 100;

/** What a confirmed cancellation applies (booking_changes.plan of a preview). */
interface CancellationPlan {
  quotes: Array<{ quote_id: string; refund_minor: number; cooling_off_end: string }>;
  cancellation_reason: string | null;
}

/** What a confirmed update applies (booking_changes.plan of a quote for update). */
interface UpdatePlan {
  quotes: Array<{ quote_id: string; premium_minor: number; tax_minor: number; price_minor: number; policy_start: string; policy_end: string | null }>;
  context: Record<string, unknown>;
  policyholder: PolicyholderInput;
}

/** A booking read for a change, with the locale of its amounts. */
interface Loaded extends BookingState {
  locale: string;
  offer: BookedOffer;
}

interface Actor {
  caller: BookingCaller;
  idempotencyKey?: string;
}

const isOperator = (caller: BookingCaller): caller is OperatorCaller => 'operator' in caller;

/** who a booking's event names */
function actorOf(caller: BookingCaller): BookingActor {
  return isOperator(caller) ? { admin_key_id: caller.operator } : { api_key_id: caller.keyId };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A validated DTO (class instance, maybe with undefined members) as plain JSON data. */
function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * After the sale: cancel (with a priced preview to confirm), update without and with a price
 * change, list, and the events of a booking. Every change is computed from the booking as read,
 * then written in one transaction whose first statement changes the booking only if its version
 * is still the one read (BookingChangesRepository.write): of two concurrent changes one wins, the
 * other writes nothing and is worked out again or refused. The change's event is written in the
 * same transaction.
 */
@Injectable()
export class BookingLifecycleService {
  constructor(
    private readonly repo: BookingChangesRepository,
    private readonly terms: BookingTermsService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  // -------------------------------------------------------------------------------------------
  // Cancel

  async cancel(cmd: CancelBookingCommand): Promise<BookingChangeResult<BookingResponse | CancellationPreviewResponse>> {
    return this.idempotent(cmd, 'cancel', [cmd.bookingId, cmd.body], async (complete) => {
      for (let attempt = 1; ; attempt++) {
        const loaded = await this.load(cmd.caller.partnerId, cmd.bookingId);
        const now = this.clock.now();
        const targets = this.quotesToCancel(loaded, cmd.body.quotes);
        const terms = await this.termsOf(cmd.caller, loaded);
        const refunds = refundsFor(targets, terms, bookingVars(this.requestOf(loaded), now), loaded.booking.currency);
        const plan: CancellationPlan = {
          quotes: refunds.map((r) => ({ quote_id: r.quoteId, refund_minor: r.refundMinor, cooling_off_end: r.coolingOffEnd.toISOString() })),
          cancellation_reason: cmd.body.cancellation_reason ?? null,
        };
        if (cmd.body.preview === true) return this.previewCancellation(cmd, loaded, plan, now, complete);
        try {
          const body = await this.applyCancellation(loaded, plan, now, { caller: cmd.caller, idempotencyKey: cmd.idempotencyKey }, complete);
          return { status: 200, body };
        } catch (e) {
          if (!isRowNotChanged(e) || attempt >= MAX_ATTEMPTS) throw e;
        }
      }
    });
  }

  async confirmCancellation(cmd: ConfirmCancellationCommand): Promise<BookingChangeResult> {
    return this.idempotent(cmd, 'confirmCancellation', [cmd.bookingId, cmd.cancellationId], async (complete) => {
      const loaded = await this.load(cmd.caller.partnerId, cmd.bookingId);
      const change = await this.repo.findChange(cmd.caller.partnerId, cmd.bookingId, cmd.cancellationId);
      if (!change || change.kind !== 'CANCELLATION') throw new CancellationNotFoundError();
      const now = this.clock.now();
      if (now.getTime() >= change.confirmBefore.getTime()) throw new CancellationExpiredError(formatApiDate(change.confirmBefore));
      if (!this.stillApplies(change, loaded)) throw new CancellationStaleError();
      try {
        const body = await this.applyCancellation(
          loaded,
          change.plan as CancellationPlan,
          now,
          { caller: cmd.caller, idempotencyKey: cmd.idempotencyKey },
          complete,
          change.id,
        );
        return { status: 200, body };
      } catch (e) {
        if (isRowNotChanged(e)) throw new CancellationStaleError();
        throw e;
      }
    });
  }

  /** The quotes a cancel names (all still in force when it names none), each of this booking and in force. */
  private quotesToCancel(loaded: Loaded, named: Array<{ id: string }> | undefined): BookingItemRecord[] {
    if (loaded.booking.status === 'CANCELLED') throw new BookingAlreadyCancelledError([]);
    if (named === undefined) return loaded.items.filter((i) => i.status === 'CONFIRMED');
    const byQuote = new Map(loaded.items.map((i) => [i.quoteId, i]));
    const errors: Record<string, string[]> = {};
    named.forEach((q, i) => {
      if (!byQuote.has(q.id)) errors[`/quotes/${i}/id`] = ['is not a quote of this booking'];
    });
    if (Object.keys(errors).length > 0) throw new BookingValidationError(errors);
    const items = named.map((q) => byQuote.get(q.id) as BookingItemRecord);
    const cancelled = items.filter((i) => i.status !== 'CONFIRMED').map((i) => i.quoteId);
    if (cancelled.length > 0) throw new BookingAlreadyCancelledError(cancelled);
    return items;
  }

  private async previewCancellation(
    cmd: CancelBookingCommand,
    loaded: Loaded,
    plan: CancellationPlan,
    now: Date,
    complete: CompleteIdempotency | undefined,
  ): Promise<{ status: number; body: CancellationPreviewResponse }> {
    const refunds = new Map(plan.quotes.map((q) => [q.quote_id, q]));
    const previewed = withTotals({
      booking: loaded.booking,
      items: loaded.items.map((i) => {
        const r = refunds.get(i.quoteId);
        return r ? { ...i, status: 'CANCELLED' as const, cancelledAt: null, refundMinor: r.refund_minor } : i;
      }),
    });
    const id = newChangeId('CCL');
    const confirmBefore = new Date(now.getTime() + CHANGE_CONFIRM_WINDOW_MS);
    const body: CancellationPreviewResponse = {
      ...renderBooking(previewed, loaded.locale, coolingOffEnds(plan)),
      cancellation_id: id,
      confirm_before: formatApiDate(confirmBefore),
    };
    await this.storeChange({ id, kind: 'CANCELLATION', loaded, plan, confirmBefore, now, caller: cmd.caller }, { status: 200, body }, complete);
    return { status: 200, body };
  }

  private async applyCancellation(
    loaded: Loaded,
    plan: CancellationPlan,
    now: Date,
    actor: Actor,
    complete: CompleteIdempotency | undefined,
    changeId?: string,
  ): Promise<BookingResponse> {
    const refunds = new Map(plan.quotes.map((q) => [q.quote_id, q.refund_minor]));
    let refundedMinor = 0;
    let refundedPremiumMinor = 0;
    const items = loaded.items.map((i) => {
      const refund = refunds.get(i.quoteId);
      if (refund === undefined) return i;
      refundedMinor += refund;
      refundedPremiumMinor += refundedPremium(i, refund);
      return { ...i, status: 'CANCELLED' as const, cancelledAt: now, refundMinor: refund };
    });
    const next = withTotals({ booking: { ...loaded.booking, version: loaded.booking.version + 1, updatedAt: now }, items });
    if (next.booking.status === 'CANCELLED') next.booking.cancelledAt = now;
    const extra = plan.cancellation_reason === null ? {} : { cancellation_reason: plan.cancellation_reason };
    return this.write(loaded, next, 'booking.cancelled', now, actor, complete, {
      figures: { cancellations: refunds.size, refundedMinor, refundedPremiumMinor },
      changeId,
      extra,
      coolingOffEnds: coolingOffEnds(plan),
      answer: { cancellation_id: null },
    });
  }

  // -------------------------------------------------------------------------------------------
  // Update without a price change

  async update(cmd: UpdateBookingCommand): Promise<BookingChangeResult> {
    return this.idempotent(cmd, 'update', [cmd.bookingId, cmd.body], async (complete) => {
      for (let attempt = 1; ; attempt++) {
        const loaded = await this.load(cmd.caller.partnerId, cmd.bookingId);
        if (loaded.booking.status === 'CANCELLED') throw new BookingAlreadyCancelledError([]);
        const insuredByQuote = this.insuredChanges(loaded, cmd.body.quotes);
        const now = this.clock.now();
        const policyholder = this.mergedPolicyholder(loaded, cmd.body.policyholder);
        const items = loaded.items.map((i) => (insuredByQuote.has(i.quoteId) ? { ...i, insured: insuredByQuote.get(i.quoteId) as PersonInput[] } : i));
        const next = withTotals({ booking: { ...loaded.booking, policyholder, version: loaded.booking.version + 1, updatedAt: now }, items });
        if (Object.keys(changedFacts(loaded, next).after).length === 0) {
          // nothing changes: no new version, no event
          const body = loaded.booking.response;
          if (complete) await this.tx.run((m) => complete(m, { status: 200, body }));
          return { status: 200, body };
        }
        try {
          return {
            status: 200,
            body: await this.write(loaded, next, 'booking.updated', now, { caller: cmd.caller, idempotencyKey: cmd.idempotencyKey }, complete),
          };
        } catch (e) {
          if (!isRowNotChanged(e) || attempt >= MAX_ATTEMPTS) throw e;
        }
      }
    });
  }

  /** New insured lists by quote id: each quote of this booking and in force. */
  private insuredChanges(loaded: Loaded, quotes: Array<{ id: string; insured?: PersonInput[] }> | undefined): Map<string, PersonInput[]> {
    const byQuote = new Map(loaded.items.map((i) => [i.quoteId, i]));
    const errors: Record<string, string[]> = {};
    const out = new Map<string, PersonInput[]>();
    (quotes ?? []).forEach((q, i) => {
      const item = byQuote.get(q.id);
      if (!item) errors[`/quotes/${i}/id`] = ['is not a quote of this booking'];
      else if (q.insured !== undefined) out.set(q.id, plain(q.insured));
    });
    if (Object.keys(errors).length > 0) throw new BookingValidationError(errors);
    const cancelled = (quotes ?? []).filter((q) => byQuote.get(q.id)?.status === 'CANCELLED').map((q) => q.id);
    if (cancelled.length > 0) throw new BookingAlreadyCancelledError(cancelled);
    return out;
  }

  /** The policyholder with the given fields replaced (each validated by the HTTP layer). */
  private mergedPolicyholder(loaded: Loaded, given: Partial<PolicyholderInput> | undefined): PolicyholderInput {
    if (given === undefined) return loaded.booking.policyholder;
    return { ...loaded.booking.policyholder, ...plain(given) };
  }

  // -------------------------------------------------------------------------------------------
  // Update with a price change

  async quoteForUpdate(cmd: QuoteForUpdateCommand): Promise<BookingChangeResult<UpdateQuoteResponse>> {
    return this.idempotent(cmd, 'quoteForUpdate', [cmd.bookingId, cmd.body], async (complete) => {
      const loaded = await this.load(cmd.caller.partnerId, cmd.bookingId);
      if (loaded.booking.status === 'CANCELLED') throw new BookingAlreadyCancelledError([]);
      const now = this.clock.now();
      const terms = await this.termsOf(cmd.caller, loaded);
      const listed = this.quotesToUpdate(loaded, terms, cmd.body.quotes);

      // the offer's request with its context as updated: validated against the offer's schema
      const context = { ...this.contextOf(loaded) };
      for (const q of cmd.body.quotes) Object.assign(context, plain(q.update_fields));
      const checked = terms.compiled.validate({ ...loaded.offer.request, context });
      if (!checked.valid) throw new BookingValidationError(checked.errors);
      const vars = bookingVars(checked.value as Record<string, unknown>, now);
      for (const item of listed) assertModifiable(item, terms, vars, loaded.booking.currency);

      const plan: UpdatePlan = { quotes: [], context, policyholder: this.mergedPolicyholder(loaded, cmd.body.policyholder) };
      for (const item of listed) {
        const product = terms.products.get(item.productCode);
        if (!product) throw new QuotePricingError(item.quoteId, `the product ${item.productCode} is not in the offer's configuration`);
        // the request's parts as pricing reads them (prepared by toCelInput, as on Create Offer)
        const pricingVars = vars as unknown as ExpressionVars;
        const priced = quoteProduct(product, {
          vars: pricingVars,
          currency: loaded.booking.currency,
          locale: loaded.locale,
          evaluate: terms.compiled.evaluate,
        });
        if (!priced.ok) throw new QuotePricingError(item.quoteId, priced.message);
        const q = priced.quote;
        plan.quotes.push({
          quote_id: item.quoteId,
          premium_minor: q.premiumMinor,
          tax_minor: q.taxMinor,
          price_minor: q.priceMinor,
          policy_start: q.policyStart.toISOString(),
          policy_end: q.policyEnd ? q.policyEnd.toISOString() : null,
        });
      }

      const updated = withTotals(applyUpdatePlan(loaded, plan, loaded.booking.updatedAt));
      const rendered = renderBooking(updated, loaded.locale);
      const oldPrices = new Map(loaded.items.map((i) => [i.quoteId, i.priceMinor]));
      const newPrices = new Map(plan.quotes.map((q) => [q.quote_id, q.price_minor]));
      for (const quote of rendered.quotes) {
        const after = newPrices.get(quote.id);
        if (after === undefined) continue;
        const diff = money(after - (oldPrices.get(quote.id) ?? 0), loaded.booking.currency, loaded.locale);
        quote.price_diff = diff.value;
        quote.price_diff_formatted = diff.formatted;
      }
      const totalDiff = money(updated.booking.totalPriceMinor - loaded.booking.totalPriceMinor, loaded.booking.currency, loaded.locale);
      const id = newChangeId('UPD');
      const confirmBefore = new Date(now.getTime() + CHANGE_CONFIRM_WINDOW_MS);
      const body: UpdateQuoteResponse = {
        ...rendered,
        total_price_diff: totalDiff.value,
        total_price_diff_formatted: totalDiff.formatted,
        update_id: id,
        confirm_before: formatApiDate(confirmBefore),
      };
      await this.storeChange({ id, kind: 'UPDATE', loaded, plan, confirmBefore, now, caller: cmd.caller }, { status: 200, body }, complete);
      return { status: 200, body };
    });
  }

  /** The booking's quotes an update names: each of this booking, in force, and changing only the fields its product allows. */
  private quotesToUpdate(loaded: Loaded, terms: BookingTerms, quotes: Array<{ id: string; update_fields: Record<string, unknown> }>): BookingItemRecord[] {
    const byQuote = new Map(loaded.items.map((i) => [i.quoteId, i]));
    const errors: Record<string, string[]> = {};
    const items: BookingItemRecord[] = [];
    quotes.forEach((q, i) => {
      const item = byQuote.get(q.id);
      if (!item) {
        errors[`/quotes/${i}/id`] = ['is not a quote of this booking'];
        return;
      }
      for (const field of fieldsNotModifiable(item, terms, q.update_fields)) {
        errors[`/quotes/${i}/update_fields/${field.replace(/~/g, '~0').replace(/\//g, '~1')}`] = [
          `is not a field the product ${item.productCode} lets an update change`,
        ];
      }
      items.push(item);
    });
    if (Object.keys(errors).length > 0) throw new BookingValidationError(errors);
    const cancelled = items.filter((i) => i.status !== 'CONFIRMED').map((i) => i.quoteId);
    if (cancelled.length > 0) throw new BookingAlreadyCancelledError(cancelled);
    return items;
  }

  /** 201 with the booking after the update */
  async confirmUpdate(cmd: ConfirmUpdateCommand): Promise<BookingChangeResult> {
    return this.idempotent(cmd, 'confirmUpdate', [cmd.bookingId, cmd.updateId], async (complete) => {
      const loaded = await this.load(cmd.caller.partnerId, cmd.bookingId);
      const change = await this.repo.findChange(cmd.caller.partnerId, cmd.bookingId, cmd.updateId);
      if (!change || change.kind !== 'UPDATE') throw new UpdateNotFoundError();
      const now = this.clock.now();
      if (now.getTime() >= change.confirmBefore.getTime()) throw new UpdateExpiredError(formatApiDate(change.confirmBefore));
      if (!this.stillApplies(change, loaded)) throw new UpdateStaleError();
      const plan = change.plan as UpdatePlan;
      const updated = applyUpdatePlan(loaded, plan, now);
      const next = withTotals({ booking: { ...updated.booking, version: loaded.booking.version + 1, updatedAt: now }, items: updated.items });
      try {
        const body = await this.write(loaded, next, 'booking.updated', now, { caller: cmd.caller, idempotencyKey: cmd.idempotencyKey }, complete, {
          changeId: change.id,
          status: 201,
        });
        return { status: 201, body };
      } catch (e) {
        if (isRowNotChanged(e)) throw new UpdateStaleError();
        throw e;
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  async list(partnerId: string, query: BookingListQuery): Promise<BookingPage> {
    return this.repo.list(
      { partnerId, status: query.status, partnerTransactionId: query.partnerTransactionId, createdFrom: query.createdFrom, createdTo: query.createdTo },
      query.limit,
      query.offset,
    );
  }

  /**
   * A partner's bookings that `text` names, newest first: the booking of that id, those of that
   * partner transaction id, and those whose policyholder has that e-mail (any case: found by its
   * lookup key, then checked against the policyholder). Without `text`, the latest.
   */
  async search(partnerId: string, query: BookingSearchQuery): Promise<BookingResponse[]> {
    const limit = Math.min(Math.max(1, query.limit), MAX_SEARCH_RESULTS);
    const text = query.text?.trim() ?? '';
    if (text === '') return this.repo.latest(partnerId, limit);
    const email = text.includes('@') ? normaliseEmail(text) : null;
    return this.repo.search(
      {
        partnerId,
        bookingId: BOOKING_ID_PATTERN.test(text) ? text : undefined,
        partnerTransactionId: text,
        email: email === null ? undefined : { key: lookupKey(partnerId, 'email', email), matches: (v) => normaliseEmail(v) === email },
      },
      limit,
    );
  }

  /** oldest first; BookingNotFoundError for an unknown booking or another partner's */
  async events(partnerId: string, bookingId: string): Promise<BookingEventView[]> {
    const booking = await this.repo.findBooking(partnerId, bookingId);
    if (!booking) throw new BookingNotFoundError();
    const events = await this.repo.events(partnerId, bookingId);
    return events.map((e) => ({
      id: e.id,
      type: e.type,
      at: formatApiDate(e.at),
      version: e.version,
      actor: e.actor as BookingEventView['actor'],
      idempotency_key: e.idempotencyKey,
      before: e.before,
      after: e.after,
    }));
  }

  // -------------------------------------------------------------------------------------------
  // Shared steps

  /** Runs `work` once per idempotency key (replays answer 409 with the first response), or at once without a key. */
  private async idempotent<T extends BookingResponse>(
    cmd: { caller: BookingCaller; idempotencyKey?: string },
    route: ChangeRoute,
    parts: unknown[],
    work: (complete: CompleteIdempotency | undefined) => Promise<{ status: number; body: T }>,
  ): Promise<BookingChangeResult<T>> {
    if (!cmd.idempotencyKey) return { ...(await work(undefined)), replayed: false };
    return this.idempotency.run<T>(
      {
        partnerId: cmd.caller.partnerId,
        route: isOperator(cmd.caller) ? OPERATOR_ROUTES[route] : ROUTES[route],
        key: cmd.idempotencyKey,
        fingerprint: fingerprint(...parts),
        replayStatus: 409,
      },
      (complete) => work(complete),
    );
  }

  private async load(partnerId: string, bookingId: string): Promise<Loaded> {
    const booking = await this.repo.findBooking(partnerId, bookingId);
    if (!booking) throw new BookingNotFoundError();
    const [items, offer] = await Promise.all([this.repo.findItems(booking.id), this.repo.findOffer(partnerId, booking.offerId)]);
    if (!offer) throw new Error(`booking ${booking.id}: its offer ${booking.offerId} is missing`);
    const customer = isRecord(offer.request.customer) ? offer.request.customer : {};
    const locale = localeFor(
      typeof customer.language === 'string' ? customer.language : undefined,
      typeof customer.country === 'string' ? customer.country : undefined,
    );
    // the context the booking's expressions see: as last updated, else the offer's own
    const context = booking.context ?? (isRecord(offer.request.context) ? offer.request.context : {});
    return { booking: { ...booking, context }, items, offer, locale };
  }

  private async termsOf(caller: { partnerId: string; partnerCode: string }, loaded: Loaded): Promise<BookingTerms> {
    const terms = await this.terms.termsOf({ id: caller.partnerId, code: caller.partnerCode }, loaded.offer, loaded.booking.offerConfigId);
    if (!terms) throw new Error(`booking ${loaded.booking.id}: bundle version ${loaded.offer.bundleVersion} lacks its schema or offer config`);
    return terms;
  }

  /** The booking's create-offer `context`: as last updated, else the offer's own (see load). */
  private contextOf(loaded: Loaded): Record<string, unknown> {
    return loaded.booking.context ?? {};
  }

  /** The offer's request with the booking's context: what the booking's expressions see. */
  private requestOf(loaded: Loaded): Record<string, unknown> {
    return { ...loaded.offer.request, context: this.contextOf(loaded) };
  }

  /** A priced change applies only to the booking as it was priced, and only once. */
  private stillApplies(change: PendingChange, loaded: Loaded): boolean {
    return change.appliedAt === null && change.bookingVersion === loaded.booking.version;
  }

  private async storeChange(
    c: { id: string; kind: PendingChange['kind']; loaded: Loaded; plan: CancellationPlan | UpdatePlan; confirmBefore: Date; now: Date; caller: BookingCaller },
    answer: { status: number; body: BookingResponse },
    complete: CompleteIdempotency | undefined,
  ): Promise<void> {
    await this.tx.run(async (m) => {
      await this.repo.insertChange(m, {
        id: c.id,
        bookingId: c.loaded.booking.id,
        partnerId: c.loaded.booking.partnerId,
        kind: c.kind,
        bookingVersion: c.loaded.booking.version,
        plan: c.plan,
        apiKeyId: isOperator(c.caller) ? NO_API_KEY : c.caller.keyId,
        confirmBefore: c.confirmBefore,
        createdAt: c.now,
      });
      if (complete) await complete(m, answer);
    });
  }

  /**
   * Writes `next` (the booking after a change, one version on) with its event and analytics figures
   * in one transaction, and the idempotency record with it; returns the answer.
   */
  private async write(
    loaded: Loaded,
    next: BookingState,
    type: BookingEventType,
    now: Date,
    actor: Actor,
    complete: CompleteIdempotency | undefined,
    options: {
      figures?: { cancellations: number; refundedMinor: number; refundedPremiumMinor: number };
      changeId?: string;
      extra?: Record<string, unknown>;
      coolingOffEnds?: ReadonlyMap<string, Date>;
      answer?: Record<string, unknown>;
      status?: number;
    } = {},
  ): Promise<BookingResponse> {
    const response = renderBooking(next, loaded.locale, options.coolingOffEnds);
    next.booking.response = response;
    const facts = changedFacts(loaded, next);
    const body = { ...response, ...(options.answer ?? {}) };
    const figures = options.figures ?? { cancellations: 0, refundedMinor: 0, refundedPremiumMinor: 0 };
    const changedItems = next.items.filter((item, i) => item !== loaded.items[i]);
    await this.tx.run(async (m: EntityManager) => {
      await this.repo.write(m, {
        booking: next.booking,
        expectedVersion: loaded.booking.version,
        items: changedItems,
        event: {
          id: newId(),
          bookingId: next.booking.id,
          partnerId: next.booking.partnerId,
          version: next.booking.version,
          type,
          at: now,
          actor: actorOf(actor.caller),
          idempotencyKey: actor.idempotencyKey ?? null,
          before: facts.before,
          after: { ...facts.after, ...(options.extra ?? {}) },
        },
        variants: {
          offerId: next.booking.offerId,
          premiumMinor: next.items.reduce((sum, i) => sum + i.premiumMinor, 0),
          addCancellations: figures.cancellations,
          addRefundedMinor: figures.refundedMinor,
          addRefundedPremiumMinor: figures.refundedPremiumMinor,
        },
        appliesChange: options.changeId,
      });
      if (isOperator(actor.caller)) {
        // an operator's change is an admin change: in the audit log too, committed with it
        await this.audit.record(
          {
            actor: actor.caller.operator,
            requestId: actor.caller.requestId,
            action: AUDIT_ACTIONS[type],
            partnerCode: actor.caller.partnerCode,
            targetType: 'booking',
            targetId: next.booking.id,
            before: facts.before,
            after: { ...facts.after, ...(options.extra ?? {}) },
          },
          m,
        );
      }
      if (complete) await complete(m, { status: options.status ?? 200, body });
    });
    return body;
  }
}

/** Per quote, the end of its cooling-off period as the cancellation priced it. */
function coolingOffEnds(plan: CancellationPlan): Map<string, Date> {
  return new Map(plan.quotes.map((q) => [q.quote_id, new Date(q.cooling_off_end)]));
}

/** The booking with an update's new prices, policy dates, context and policyholder (totals not yet summed). */
function applyUpdatePlan(loaded: Loaded, plan: UpdatePlan, updatedAt: Date): BookingState {
  const repriced = new Map(plan.quotes.map((q) => [q.quote_id, q]));
  return {
    booking: { ...loaded.booking, context: plan.context, policyholder: plan.policyholder, updatedAt },
    items: loaded.items.map((i) => {
      const q = repriced.get(i.quoteId);
      if (!q) return i;
      return {
        ...i,
        premiumMinor: q.premium_minor,
        taxMinor: q.tax_minor,
        priceMinor: q.price_minor,
        policyStart: new Date(q.policy_start),
        policyEnd: q.policy_end === null ? null : new Date(q.policy_end),
      };
    }),
  };
}
