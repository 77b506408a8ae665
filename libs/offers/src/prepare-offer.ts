import type { ActiveConfig } from '@app/bundles';
import { offerLookupKeys } from '@app/privacy';
import type { CompiledSchemas } from './compiled-schemas';
import { buildOffer, type BuiltOffer } from './offer-engine';
import type { OfferCaller, OfferQuery } from './offer-engine.types';
import { SchemaNotFoundError } from './offers.errors';
import type { StoredExperiment } from './entities/offer.entity';

export interface PrepareOfferInput {
  /** the request's schema (resolveSchemaId), resolved once, where the request arrives */
  schemaId: string;
  body: unknown;
  caller: OfferCaller;
  query: OfferQuery;
  now: Date;
}

/** The offer's row without its two JSON documents (those travel as text, see PreparedOffer). */
export interface PreparedOfferRow {
  id: string;
  partnerId: string;
  offerConfigId: string;
  bundleVersion: number;
  schemaId: string;
  apiKeyId: string;
  keyMode: string;
  currency: string;
  partnerTransactionId: string | null;
  experiments: StoredExperiment[];
  expiresAt: Date;
  createdAt: Date;
  /** lookup keys of the request's customer e-mail and `partner.customer_id` (@app/privacy: an erasure finds the offer by them); absent: none */
  emailKey?: number | null;
  customerKey?: number | null;
}

/** One priced product of the offer, as stored (money in integer minor units). */
export interface NewQuote {
  id: string;
  productCode: string;
  productName: string;
  premiumMinor: number;
  surchargeMinor: number;
  taxMinor: number;
  commissionMinor: number;
  priceMinor: number;
  policyStart: Date;
  policyEnd: Date | null;
  pdsUrl: string | null;
  experiment: StoredExperiment | null;
}

/**
 * Everything Create Offer stores and sends, worked out from a request: plain data (it crosses
 * threads, see BuildPool), the two JSON documents already serialised.
 */
export interface PreparedOffer {
  offer: PreparedOfferRow;
  quotes: NewQuote[];
  /** the request as received (before validation wrote defaults into it) */
  requestJson: string;
  /** the response: the exact text stored with the offer and sent */
  json: string;
}

/**
 * Create Offer: the offer built and serialised, ready to insert.
 * The body is consumed (validation writes its defaults into it), so it is serialised first
 * (`requestJson`: that text when the caller has it already).
 */
export function prepareOffer(
  compiled: CompiledSchemas,
  active: ActiveConfig,
  input: PrepareOfferInput,
  requestJson = JSON.stringify(input.body),
): PreparedOffer {
  const schemaId = input.schemaId;
  const schema = compiled.get(active, schemaId);
  if (!schema) throw new SchemaNotFoundError(schemaId);
  // of the body as received (stored as `requestJson`), before validation writes its defaults into it
  const keys = offerLookupKeys(active.partnerId, input.body);
  const built = buildOffer({ active, compiled: schema, schemaId, body: input.body, bodyOwned: true, caller: input.caller, query: input.query, now: input.now });
  return { offer: offerRow(active, input.caller, built, input.now, keys), quotes: quoteRows(built), requestJson, json: JSON.stringify(built.response) };
}

function offerRow(
  active: ActiveConfig,
  caller: OfferCaller,
  built: BuiltOffer,
  now: Date,
  keys: { emailKey: number | null; customerKey: number | null },
): PreparedOfferRow {
  return {
    id: built.response.id,
    partnerId: active.partnerId,
    offerConfigId: built.config.id,
    bundleVersion: active.version,
    schemaId: built.schemaId,
    apiKeyId: caller.keyId,
    keyMode: caller.mode,
    currency: built.response.currency,
    partnerTransactionId: built.partnerTransactionId,
    experiments: built.experiments,
    expiresAt: built.expiresAt,
    createdAt: now,
    emailKey: keys.emailKey,
    customerKey: keys.customerKey,
  };
}

function quoteRows(built: BuiltOffer): NewQuote[] {
  return built.quotes.map((q) => ({
    id: q.id,
    productCode: q.quote.code,
    productName: q.quote.name,
    premiumMinor: q.quote.premiumMinor,
    surchargeMinor: q.quote.surchargeMinor,
    taxMinor: q.quote.taxMinor,
    commissionMinor: q.quote.commissionMinor,
    priceMinor: q.quote.priceMinor,
    policyStart: q.quote.policyStart,
    policyEnd: q.quote.policyEnd,
    pdsUrl: q.quote.pdsUrl,
    experiment: q.experiment,
  }));
}
