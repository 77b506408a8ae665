import type { Worker } from 'node:worker_threads';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, closeThread, startWorker, type AppConfig } from '@app/core';
import type { ActiveConfig } from '@app/bundles';
import { JsonText, SqliteWriteLock, TransactionRunner } from '@app/database';
import { CompiledSchemas } from '../compiled-schemas';
import { resolveSchemaId } from '../offer-engine';
import { withResponse, type OfferInsertPlans, type WithOffer } from '../offer-rows';
import { OfferWriter } from '../offer-writer';
import { OffersRepository } from '../offers.repository';
import { prepareOffer, type PreparedOffer, type PrepareOfferInput } from '../prepare-offer';
import { configKey, receiveError, type FromBuildThread, type StoreTarget, type ToBuildThread } from './offer-build.protocol';

const RESTART_DELAY_MS = 5000;
/** how long a closing thread may take to finish what it was sent before it is ended */
const CLOSE_GRACE_MS = 5000;

/** Where build threads store offers themselves (the SQLite file, or the PostgreSQL database), see OfferBuildHost. */
interface Storage {
  target: StoreTarget;
  plans: OfferInsertPlans;
}

/** What a thread answers: the offer to store, or the response of one it has stored. */
type Outcome = { t: 'built'; prepared: PreparedOffer } | { t: 'stored'; json: string };

/** The thread ended (or lost its configuration) before answering: the build is done here instead. */
class BuildThreadGone extends Error {}

interface Pending {
  resolve: (o: Outcome) => void;
  reject: (e: Error) => void;
  active: ActiveConfig;
  input: PrepareOfferInput;
  /** the body as JSON text: what is sent, and stored */
  request: string;
  /** stored by the thread (it was sent `storage`) */
  store: boolean;
  /** committed with the offer by the thread that stores it */
  also: WithOffer | undefined;
  /** a warm-up's rehearsal: stored in a transaction that is rolled back */
  rehearsal: boolean;
  resent: boolean;
}

/**
 * Dates of this realm. Cloned Dates are the main context's; under a vm context (Jest) they are not
 * `instanceof Date` there, and the insert would not recognise them.
 */
function ownDates(p: PreparedOffer): PreparedOffer {
  const date = (d: Date): Date => new Date(d.getTime());
  p.offer.expiresAt = date(p.offer.expiresAt);
  p.offer.createdAt = date(p.offer.createdAt);
  for (const q of p.quotes) {
    q.policyStart = date(q.policyStart);
    if (q.policyEnd) q.policyEnd = date(q.policyEnd);
  }
  return p;
}

/** One build thread: the configurations it holds, the builds it owes. */
class BuildThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly acks = new Map<number, () => void>();
  /** per partner, the configuration last sent (messages arrive in order, so it is there for what follows) */
  private readonly sent = new Map<string, string>();
  /** the running thread was sent `storage` */
  private storageSent = false;
  /** the write lock the thread takes to store (see onGone) */
  private writeLock: SqliteWriteLock | undefined;
  private onClosed: (() => void) | undefined;
  private nextId = 1;
  private closed = false;
  /** messages of this turn of the event loop, sent together */
  private outbox: ToBuildThread[] = [];
  /** after a thread died, none is started again before this time (ms): requests are built in process */
  private restartAfter = 0;

  constructor(
    private readonly logger: Logger,
    private readonly index: number,
  ) {}

  get load(): number {
    return this.pending.size;
  }

  /** running, or allowed to start again */
  get available(): boolean {
    return !this.closed && (this.worker !== undefined || Date.now() >= this.restartAfter);
  }

  /**
   * The offer built; with `storage`, also stored by the thread (`stored`) when it can (with
   * `rehearsal`, in a transaction it rolls back).
   */
  build(active: ActiveConfig, input: PrepareOfferInput, storage?: Storage, also?: WithOffer, rehearsal = false): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      const worker = this.start();
      const id = this.nextId++;
      if (this.pending.size === 0 && this.acks.size === 0) worker.ref();
      if (storage && !this.storageSent) {
        this.storageSent = true;
        if ('sqlite' in storage.target) this.writeLock ??= new SqliteWriteLock(storage.target.sqlite.lock);
        this.send(worker, { t: 'storage', target: storage.target, plans: storage.plans });
      }
      const p: Pending = { resolve, reject, active, input, request: JSON.stringify(input.body), store: storage !== undefined, also, rehearsal, resent: false };
      this.pending.set(id, p);
      this.post(worker, id, p);
    });
  }

  /** Sends the configuration and resolves once the thread has compiled it. */
  warm(active: ActiveConfig): Promise<void> {
    // a thread that is down gets the configuration with its first request after it restarts
    if (!this.available) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const worker = this.start();
      const ack = this.nextId++;
      if (this.pending.size === 0 && this.acks.size === 0) worker.ref();
      this.acks.set(ack, resolve);
      const key = configKey(active);
      this.sent.set(active.partnerId, key);
      this.send(worker, { t: 'config', key, active, ack });
    });
  }

  /**
   * Ends the thread once it has answered what it was sent (and closed its database connection),
   * or after CLOSE_GRACE_MS; builds it still owes then are done in process (onGone), none is
   * left waiting.
   */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    await closeThread(
      worker,
      (closed) => {
        this.onClosed = closed;
        this.send(worker, { t: 'close' });
      },
      CLOSE_GRACE_MS,
    );
  }

  private post(worker: Worker, id: number, p: Pending): void {
    const { active, input } = p;
    const key = configKey(active);
    if (this.sent.get(active.partnerId) !== key) {
      this.sent.set(active.partnerId, key);
      this.send(worker, { t: 'config', key, active });
    }
    this.send(worker, {
      t: 'build',
      id,
      key,
      request: p.request,
      caller: input.caller,
      query: input.query,
      now: input.now,
      store: p.store,
      ...(p.store && p.also ? { also: p.also } : {}),
      ...(p.rehearsal ? { rehearsal: true as const } : {}),
    });
  }

  private send(worker: Worker, m: ToBuildThread): void {
    if (this.outbox.length === 0) {
      const batch = this.outbox;
      setImmediate(() => {
        if (this.outbox === batch) this.outbox = [];
        // a thread that died meanwhile has already failed these (onGone)
        if (this.worker === worker) worker.postMessage(batch);
      });
    }
    this.outbox.push(m);
  }

  private start(): Worker {
    if (this.closed) throw new BuildThreadGone('the offer build threads are closed');
    if (this.worker) return this.worker;
    const worker = startWorker(__dirname, 'offer-build.worker', { stdout: false, stderr: false });
    this.worker = worker;
    this.sent.clear();
    this.storageSent = false;
    worker.unref();
    worker.on('message', (replies: FromBuildThread[]) => {
      for (const m of replies) this.onMessage(worker, m);
      if (this.pending.size === 0 && this.acks.size === 0) worker.unref();
    });
    // taken now: a thread that has ended may no longer say its id
    const threadId = worker.threadId;
    worker.on('error', (e: Error) => this.onGone(worker, threadId, new BuildThreadGone(`offer build thread ${this.index} failed: ${e.message}`)));
    worker.on('exit', (code) => this.onGone(worker, threadId, new BuildThreadGone(`offer build thread ${this.index} exited (code ${code})`)));
    return worker;
  }

  private onMessage(worker: Worker, m: FromBuildThread): void {
    if (m.t === 'ack') {
      const done = this.acks.get(m.ack);
      this.acks.delete(m.ack);
      done?.();
    } else if (m.t === 'closed') {
      this.onClosed?.();
    } else {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.t === 'missing' && !p.resent) {
        // the thread dropped that configuration (several newer ones came since): once more, with it
        p.resent = true;
        this.sent.delete(p.active.partnerId);
        this.post(worker, m.id, p);
        return;
      }
      this.pending.delete(m.id);
      if (m.t === 'built') p.resolve({ t: 'built', prepared: ownDates({ ...m.prepared, requestJson: p.request }) });
      else if (m.t === 'stored') p.resolve({ t: 'stored', json: m.json });
      else if (m.t === 'failed') p.reject(receiveError(m.error));
      else p.reject(new BuildThreadGone('offer build thread lost the configuration twice'));
    }
  }

  private onGone(worker: Worker, threadId: number, reason: BuildThreadGone): void {
    // ended in the middle of a transaction: SQLite rolled it back with the connection, the
    // lock is freed here (the other writers would wait for it forever)
    if (this.writeLock?.releaseHeldBy(threadId)) this.logger.warn(`offer build thread ${this.index} ended holding the SQLite write lock: released`);
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.outbox = [];
    this.restartAfter = Date.now() + RESTART_DELAY_MS;
    if (!this.closed) this.logger.error(`${reason.message}; its requests are built in process, the next one starts another thread`);
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    // a configuration it did not confirm is sent again with the next request
    for (const done of this.acks.values()) done();
    this.acks.clear();
  }
}

/**
 * Builds offers (spec §3.1 steps 0–7, and the two JSON texts) on OFFER_BUILD_THREADS worker
 * threads, so the event loop only parses, authenticates and answers: on a machine with a core to
 * spare, Create Offer's CPU work runs beside the HTTP work instead of after it. On a SQLite file
 * the threads also store the offers they build (one transaction per batch, on a connection of
 * their own, under the write lock the event loop's transactions take); on PostgreSQL they store
 * them on a pool of their own (PgTransactions, group commit over its connections). Either way the
 * rows never cross to the event loop. On in-memory SQLite the rows come back and OfferWriter
 * stores them. With 0
 * threads everything runs in process (same code, same results). Each thread holds the
 * configurations it is sent (in force ones first, at load, see warm) and compiles them itself.
 */
@Injectable()
export class OfferBuilder implements OnModuleDestroy {
  private readonly logger = new Logger('OfferBuilder');
  private readonly threads: BuildThread[];
  private storage: Storage | undefined;
  private plans: OfferInsertPlans | null | undefined;

  constructor(
    private readonly compiled: CompiledSchemas,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'offerBuildThreads'>,
    private readonly writer: OfferWriter,
    private readonly repo: OffersRepository,
    private readonly tx: TransactionRunner,
  ) {
    this.threads = Array.from({ length: config.offerBuildThreads }, (_, i) => new BuildThread(this.logger, i));
  }

  get threadCount(): number {
    return this.threads.length;
  }

  /** the threads store the offers they build (a SQLite file); else the event loop stores them */
  get storesInThreads(): boolean {
    return this.threads.length > 0 && this.storageForThreads() !== undefined;
  }

  /** Compiles a configuration here and in every thread; resolves when all are done. */
  async warm(active: ActiveConfig): Promise<void> {
    this.compiled.warm(active);
    await Promise.all(this.threads.map((t) => t.warm(active)));
  }

  /**
   * Create Offer rehearsed for a warm-up: built by a thread, which inserts its rows in a
   * transaction that it rolls back, so the whole path runs and nothing is kept; the response's
   * JSON text. With no thread, built here and not stored. Rejects as Create Offer would.
   */
  async rehearse(active: ActiveConfig, input: PrepareOfferInput): Promise<string> {
    const thread = this.pick(active, input);
    if (!thread) return prepareOffer(this.compiled, active, input).json;
    const outcome = await thread.build(active, input, this.storageForThreads(), undefined, true);
    return outcome.t === 'stored' ? outcome.json : outcome.prepared.json;
  }

  /**
   * Create Offer: the offer built and stored (by a thread when there is one), and its response as
   * JSON text, once it is committed. `also` (an idempotency key's record) is committed in the
   * same transaction as the offer, wherever it is stored.
   */
  async create(active: ActiveConfig, input: PrepareOfferInput, also?: WithOffer): Promise<string> {
    const thread = this.pick(active, input);
    if (!thread) return this.storeHere(prepareOffer(this.compiled, active, input), also);
    let outcome: Outcome;
    try {
      outcome = await thread.build(active, input, this.storageForThreads(), also);
    } catch (e) {
      // a thread that died (or could not start) costs its requests time, not an answer (the body
      // was only serialised for the thread, never changed). A thread that died between its
      // commit and its answer leaves that offer stored without being answered: it is built again here.
      if (e instanceof BuildThreadGone) return this.storeHere(prepareOffer(this.compiled, active, input), also);
      throw e;
    }
    return outcome.t === 'stored' ? outcome.json : this.storeHere(outcome.prepared, also);
  }

  /** the least loaded thread that can take a build; none: build here */
  private pick(active: ActiveConfig, input: PrepareOfferInput): BuildThread | undefined {
    if (this.threads.length === 0) return undefined;
    // a body without a known schema is answered here, without a trip to a thread (throws)
    resolveSchemaId(active, input.body);
    let thread: BuildThread | undefined;
    for (const t of this.threads) if (t.available && (thread === undefined || t.load < thread.load)) thread = t;
    return thread;
  }

  /**
   * What the threads need to store offers: on a SQLite file (known once the database is up) or on
   * PostgreSQL; undefined on in-memory SQLite, where the event loop stores them
   */
  private storageForThreads(): Storage | undefined {
    if (this.storage) return this.storage;
    const sqlite = this.tx.sqliteWriteTarget;
    const postgres = sqlite ? undefined : this.tx.postgresWriteTarget;
    const target: StoreTarget | undefined = sqlite ? { sqlite } : postgres ? { postgres } : undefined;
    if (!target) return undefined;
    if (this.plans === undefined) this.plans = this.repo.insertPlans() ?? null;
    if (this.plans === null) return undefined;
    this.storage = { target, plans: this.plans };
    return this.storage;
  }

  private async storeHere(p: PreparedOffer, also: WithOffer | undefined): Promise<string> {
    await this.writer.write({ ...p.offer, request: new JsonText(p.requestJson), response: new JsonText(p.json) }, p.quotes, also ? [withResponse(also, p.json)] : undefined);
    return p.json;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
