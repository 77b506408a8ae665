import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, Clock, SystemClock, type AppConfig } from '@app/core';
import type { ActiveConfig } from '@app/bundles';
import { TransactionRunner } from '@app/database';
import { BuildPool, BuildThreadGone, type BuildOutcome } from './build-thread/build-pool';
import type { StoreTarget } from './build-thread/protocol';
import { CompiledSchemas } from './compiled-schemas';
import { resolveSchemaId } from './offer-engine';
import { prepareOffer, type PreparedOffer, type PrepareOfferInput } from './prepare-offer';
import type { OfferKeyRecord, OfferToStore } from './storage/offer-insert.sql';
import { OfferStore } from './storage/offer-store';
import { PackingDictionaries } from './storage/packing-dictionary.store';

/** offers per transaction at most when the event loop stores them */
const MAX_PER_TRANSACTION = 64;
/**
 * Transactions under way at once when the event loop stores offers. SQLite has one writer: two,
 * so the next group waits its turn while the previous one commits; PostgreSQL commits several
 * at once over the pool.
 */
const EVENT_LOOP_CONCURRENCY = { sqlite: 2, postgres: 4 } as const;

/** A Create Offer request before its schema is resolved. */
export type OfferRequest = Omit<PrepareOfferInput, 'schemaId'>;

/**
 * Create Offer's build and store. With build threads (OFFER_BUILD_THREADS, see BuildPool) a
 * thread builds the offer and, on a SQLite file or on PostgreSQL, stores it on connections of its
 * own (the rows never cross back). Otherwise (no threads, in-memory SQLite, a thread that died)
 * the same code runs here: prepareOffer, then the same OfferStore and statements on the event
 * loop's connection (TransactionRunner). On a SQLite file the threads' transactions and the event
 * loop's take the same write lock (SqliteWriteLock). On SQLite, offers are packed against their
 * configuration's dictionary (PackingDictionaries), made from the first offer stored of it.
 */
@Injectable()
export class OfferBuilder implements OnModuleDestroy {
  private readonly logger = new Logger('OfferBuilder');
  private readonly pool: BuildPool;
  private readonly store: OfferStore;
  private flushScheduled = false;

  constructor(
    private readonly compiled: CompiledSchemas,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'offerBuildThreads'>,
    private readonly tx: TransactionRunner,
    private readonly dictionaries: PackingDictionaries,
    clock: Clock = new SystemClock(),
  ) {
    this.pool = new BuildPool(this.logger, config.offerBuildThreads, clock, () => dictionaries.all());
    dictionaries.onAdded((d) => this.pool.share(d));
    const engine = tx.engine;
    this.store = new OfferStore({ engine, concurrency: EVENT_LOOP_CONCURRENCY[engine], run: (s, o) => tx.runStatements(s, o) }, MAX_PER_TRANSACTION);
  }

  get threadCount(): number {
    return this.pool.size;
  }

  /** the threads store the offers they build (a SQLite file, or PostgreSQL); else the event loop stores them */
  get storesInThreads(): boolean {
    return this.pool.size > 0 && this.threadStorage() !== undefined;
  }

  /** Compiles a configuration here and in every thread; resolves when all are done. */
  async warm(active: ActiveConfig): Promise<void> {
    this.compiled.warm(active);
    await this.pool.warm(active);
  }

  /**
   * Create Offer: the offer built and stored, and its response as JSON text, once it is
   * committed. `keyRecord` (an idempotency key's record) is committed in the same transaction.
   */
  async create(active: ActiveConfig, request: OfferRequest, keyRecord?: OfferKeyRecord): Promise<string> {
    const input: PrepareOfferInput = { ...request, schemaId: resolveSchemaId(active, request.body) };
    const thread = this.pool.pick();
    if (!thread) return this.storeHere(prepareOffer(this.compiled, active, input), keyRecord);
    let outcome: BuildOutcome;
    try {
      outcome = await thread.build({ active, input, storage: this.threadStorage(), keyRecord });
    } catch (e) {
      // a thread that died (or could not start) costs its requests time, not an answer (the body
      // was only serialised for the thread, never changed). A thread that died between its
      // commit and its answer leaves that offer stored without being answered: it is built again here.
      if (e instanceof BuildThreadGone) return this.storeHere(prepareOffer(this.compiled, active, input), keyRecord);
      throw e;
    }
    if (outcome.t === 'built') return this.storeHere(outcome.prepared, keyRecord);
    this.dictionaries.learnFrom({
      partnerId: active.partnerId,
      offerConfigId: outcome.offerConfigId,
      bundleVersion: active.version,
      requestJson: outcome.requestJson,
      responseJson: outcome.json,
    });
    return outcome.json;
  }

  /**
   * Create Offer rehearsed for a warm-up: built, and its rows inserted in a transaction that is
   * rolled back, so the whole path runs and nothing is kept; the response's JSON text. Rejects as
   * Create Offer would.
   */
  async rehearse(active: ActiveConfig, request: OfferRequest): Promise<string> {
    const input: PrepareOfferInput = { ...request, schemaId: resolveSchemaId(active, request.body) };
    const thread = this.pool.pick();
    let outcome: BuildOutcome | undefined;
    try {
      outcome = thread ? await thread.build({ active, input, storage: this.threadStorage(), rehearsal: true }) : undefined;
    } catch (e) {
      if (!(e instanceof BuildThreadGone)) throw e;
    }
    outcome ??= { t: 'built', prepared: prepareOffer(this.compiled, active, input) };
    if (outcome.t === 'stored') return outcome.json;
    const prepared = outcome.prepared;
    await new Promise<void>((resolve, reject) => this.store.rehearse({ prepared }, (error) => (error === undefined ? resolve() : reject(error))));
    return prepared.json;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }

  /** where the threads store offers: the SQLite file (known once the database is up), or PostgreSQL; none on in-memory SQLite */
  private threadStorage(): StoreTarget | undefined {
    const sqlite = this.tx.sqliteWriteTarget;
    if (sqlite) return { sqlite };
    const postgres = this.tx.postgresWriteTarget;
    return postgres ? { postgres } : undefined;
  }

  /** stores the offer on the event loop's connection, with the offers of this turn of the event loop */
  private storeHere(prepared: PreparedOffer, keyRecord: OfferKeyRecord | undefined): Promise<string> {
    const o = prepared.offer;
    const dictionary = this.dictionaries.for(o.partnerId, o.offerConfigId, o.bundleVersion);
    const item: OfferToStore = { prepared, ...(keyRecord ? { key: keyRecord } : {}), ...(dictionary ? { dictionary } : {}) };
    return new Promise<string>((resolve, reject) => {
      this.store.add(item, (error) => {
        if (error !== undefined) return reject(error);
        if (!dictionary)
          this.dictionaries.learnFrom({
            partnerId: o.partnerId,
            offerConfigId: o.offerConfigId,
            bundleVersion: o.bundleVersion,
            requestJson: prepared.requestJson,
            responseJson: prepared.json,
          });
        resolve(prepared.json);
      });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.store.flush();
        });
      }
    });
  }
}
