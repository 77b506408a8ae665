import { packedJsonParam, readJsonPair, type Engine } from '@app/database';

/*
 * The one pair through which an erasure reads and writes an offer's `request` and `response`
 * columns. How those documents are stored (JSON text, or packed) belongs to the offer store
 * (libs/offers/src/storage): when it changes, these two follow it, and nothing else here does.
 */

/** An offer's `request` and `response` columns as read, as documents (packed together or not). */
export function readOfferJson(request: unknown, response: unknown): { request: unknown; response: unknown } {
  const [requestDoc, responseDoc] = readJsonPair(request, response);
  return { request: requestDoc, response: responseDoc };
}

/** A document bound for an offer's `request` or `response` column on `engine`. */
export function offerJsonParam(engine: Engine, doc: unknown): string | Buffer {
  return packedJsonParam(engine, JSON.stringify(doc));
}
