import { DomainError, type ErrorDetails, type ErrorKind, type ErrorType } from '@app/core';
import type { ActiveConfig } from '@app/bundles';
import type { PostgresWriteTarget, SqliteWriteTarget } from '@app/database';
import type { OfferCaller, OfferQuery } from '../offer-engine.types';
import type { PreparedOffer } from '../prepare-offer';
import type { OfferKeyRecord } from '../storage/offer-insert.sql';

/**
 * Messages between the event loop (BuildPool) and an offer build thread (BuildThreadHandler). Plain data only:
 * they are structured-cloned, and travel in batches (an array per postMessage: what one turn of
 * the event loop asked for, and the answers to one such batch), since each postMessage costs a
 * wake-up of the other thread.
 */
export type ToBuildThread =
  /** a configuration to keep under `key`, compiled at once; `ack` is answered when done */
  | { t: 'config'; key: string; active: ActiveConfig; ack?: number }
  /**
   * `schemaId`: the request's schema, resolved by the event loop. `request`: the body as JSON
   * text (what is stored; a string crosses threads cheaper than the object). `store`: the thread
   * inserts the offer itself (see `storage`) and answers `stored` once it is committed; else it
   * answers `built` with the rows. `keyRecord`: an idempotency key's record the thread commits
   * with the offer. `rehearsal`: a warm-up's request, built and inserted in a transaction that is
   * rolled back (nothing is kept).
   */
  | {
      t: 'build';
      id: number;
      key: string;
      schemaId: string;
      request: string;
      caller: OfferCaller;
      query: OfferQuery;
      now: Date;
      store: boolean;
      keyRecord?: OfferKeyRecord;
      rehearsal?: true;
    }
  /** where to store offers (before the first `store` build) */
  | { t: 'storage'; target: StoreTarget }
  /** the packing dictionary of an offer configuration (packingScope): offers of it are packed against it from now on */
  | { t: 'dictionary'; scope: string; text: string }
  /** finish what was sent before, close the database connection, answer `closed` */
  | { t: 'close' };

/** The database a thread stores offers in: the app's SQLite file, or its PostgreSQL database. */
export type StoreTarget = { sqlite: SqliteWriteTarget } | { postgres: PostgresWriteTarget };

/** A built offer on its way back: the request text stays with the sender. */
export type BuiltOfferReply = Omit<PreparedOffer, 'requestJson'>;

export type FromBuildThread =
  | { t: 'ack'; ack: number }
  | { t: 'built'; id: number; prepared: BuiltOfferReply }
  /** the offer is committed; `json` is the response stored with it, `offerConfigId` the configuration it was built from */
  | { t: 'stored'; id: number; json: string; offerConfigId: string }
  | { t: 'closed' }
  /** the configuration `key` is no longer held there: send it again */
  | { t: 'missing'; id: number }
  | { t: 'failed'; id: number; error: SentError };

/** An error as it crosses threads: a domain error keeps what the HTTP filter needs. */
export type SentError =
  | { domain: true; name: string; kind: ErrorKind; code: string; message: string; errors?: ErrorDetails; extra?: Record<string, unknown>; type?: ErrorType }
  /** `code`: a driver's error code (SQLITE_BUSY…), which decides 503 against 500 */
  | { domain: false; name: string; message: string; stack?: string; code?: string };

/** The configuration as a build thread knows it: a version is immutable, the partner fields are not. */
export function configKey(active: ActiveConfig): string {
  return `${active.partnerId}\u0000${active.version}\u0000${active.defaultSchema ?? ''}\u0000${active.partnerCode}`;
}

export function sendError(e: unknown): SentError {
  if (e instanceof DomainError) {
    return { domain: true, name: e.name, kind: e.kind, code: e.code, message: e.message, errors: e.errors, extra: e.extra, type: e.type };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  return { domain: false, name: err.name, message: err.message, stack: err.stack, ...(typeof code === 'string' ? { code } : {}) };
}

/** The error again on the receiving side: a DomainError maps to the same status and envelope. */
export function receiveError(sent: SentError): Error {
  if (sent.domain) {
    const e = new DomainError(sent.kind, sent.code, sent.message, sent.errors, sent.extra, sent.type);
    e.name = sent.name;
    return e;
  }
  // the original message and code as `cause`: what tells a database that cannot be reached (503)
  const cause = { name: sent.name, message: sent.message, ...(sent.code !== undefined ? { code: sent.code } : {}) };
  const e: Error & { code?: string } = new Error(`offer build thread: ${sent.message}`, { cause });
  e.name = sent.name;
  if (sent.code !== undefined) e.code = sent.code;
  if (sent.stack) e.stack = `${e.name}: ${e.message}\n${sent.stack.split('\n').slice(1).join('\n')}`;
  return e;
}
