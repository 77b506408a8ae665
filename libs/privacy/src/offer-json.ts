import { packedJsonParam, readJson, type Engine } from '@app/database';

/*
 * The one pair through which an erasure reads and writes an offer's `request` and `response`
 * columns. How those documents are stored (JSON text, or packed) belongs to the offer store
 * (libs/offers/src/storage): when it changes, these two follow it, and nothing else here does.
 */

/** An offer's `request` or `response` column as read, as a document. */
export function readOfferJson(value: unknown): unknown {
  return readJson(value);
}

/** A document bound for an offer's `request` or `response` column on `engine`. */
export function offerJsonParam(engine: Engine, doc: unknown): string | Buffer {
  return packedJsonParam(engine, JSON.stringify(doc));
}
