import type { InsertPlan, SqlStatement } from '@app/database';
import { mergeInserts, statementsFromPlan } from '@app/database';
import { offerVariantRows } from './analytics/offer-variants';
import { OfferVariantEntity } from './entities/offer-variant.entity';
import { OfferEntity } from './entities/offer.entity';
import { QuoteEntity } from './entities/quote.entity';
import type { NewOffer, NewQuote } from './offers.repository';

export interface OfferInsert {
  offer: NewOffer;
  quotes: NewQuote[];
  /** statements committed with the offer, after its rows (an idempotency key's record) */
  also?: readonly SqlStatement[];
}

/**
 * A statement to commit with an offer whose response is not known yet (an idempotency key's
 * record, built on the event loop): its parameter at `responseParam` becomes the response's JSON
 * text (withResponse).
 */
export interface WithOffer {
  statement: SqlStatement;
  responseParam: number;
}

export function withResponse(w: WithOffer, json: string): SqlStatement {
  const params = w.statement.params.slice();
  params[w.responseParam] = json;
  return { ...w.statement, params };
}

/**
 * the items' `also` statements, in order, after all the rows; the same one-row insert for several
 * offers (their idempotency keys' records) as one multi-row insert, each of whose rows must insert
 */
export function alsoStatements(items: readonly OfferInsert[]): SqlStatement[] {
  return mergeInserts(items.flatMap((i) => i.also ?? []));
}

/** The rows Create Offer inserts for some offers: the offers, their quotes, their conversion rows. */
export interface OfferTables {
  offers: OfferEntity[];
  quotes: QuoteEntity[];
  variants: OfferVariantEntity[];
}

/** The INSERT plans of the three tables, when another thread can build them (see portableInsertPlan). */
export type OfferInsertPlans = { [T in keyof OfferTables]: InsertPlan };

export function offerTables(items: readonly OfferInsert[]): OfferTables {
  return {
    offers: items.map(({ offer }) => Object.assign(new OfferEntity(), offer, { status: 'OFFERED' as const, bookingId: null, updatedAt: offer.createdAt })),
    quotes: items.flatMap(({ offer, quotes }) =>
      quotes.map((q) =>
        Object.assign(new QuoteEntity(), q, { offerId: offer.id, partnerId: offer.partnerId, currency: offer.currency, status: 'OFFERED', createdAt: offer.createdAt }),
      ),
    ),
    variants: offerVariantRows(items.map((i) => i.offer)),
  };
}

/** The offers' INSERT statements by the plans, without TypeORM (in an offer build thread). */
export function offerStatementsFromPlans(plans: OfferInsertPlans, items: readonly OfferInsert[]): SqlStatement[] {
  const tables = offerTables(items);
  return [
    ...statementsFromPlan(plans.offers, tables.offers),
    ...statementsFromPlan(plans.quotes, tables.quotes),
    ...statementsFromPlan(plans.variants, tables.variants),
    ...alsoStatements(items),
  ];
}
