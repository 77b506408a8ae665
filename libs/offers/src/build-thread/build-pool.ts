import type { Worker } from 'node:worker_threads';
import type { Logger } from '@nestjs/common';
import { closeThread, startWorker, type Clock } from '@app/core';
import type { ActiveConfig } from '@app/bundles';
import { SqliteWriteLock } from '@app/database';
import type { PreparedOffer, PrepareOfferInput } from '../prepare-offer';
import type { OfferKeyRecord } from '../storage/offer-insert.sql';
import type { SharedDictionary } from '../storage/packing-dictionaries';
import { configKey, receiveError, type FromBuildThread, type StoreTarget, type ToBuildThread } from './protocol';

const RESTART_DELAY_MS = 5000;
/** how long a closing thread may take to finish what it was sent before it is ended */
const CLOSE_GRACE_MS = 5000;

/**
 * What a thread answers: the offer built (to be stored by the caller), or the response of one it
 * has stored, with the configuration it was built from and the request as sent.
 */
export type BuildOutcome = { t: 'built'; prepared: PreparedOffer } | { t: 'stored'; json: string; offerConfigId: string; requestJson: string };

/** The thread ended (or lost its configuration) before answering: the build is done in process instead. */
export class BuildThreadGone extends Error {}

/** What a build asks of the thread besides the offer. */
export interface BuildRequest {
  active: ActiveConfig;
  input: PrepareOfferInput;
  /** where the thread stores the offer; none: it answers `built` */
  storage: StoreTarget | undefined;
  /** committed with the offer by the thread that stores it */
  keyRecord?: OfferKeyRecord;
  /** a warm-up's rehearsal: stored in a transaction that is rolled back */
  rehearsal?: boolean;
}

interface Pending {
  build: BuildRequest;
  /** the body as JSON text: what is sent, and stored */
  body: string;
  resolve: (o: BuildOutcome) => void;
  reject: (e: Error) => void;
  resent: boolean;
}

/** One build thread: the configurations it holds, the builds it owes. */
export class BuildThread {
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
    private readonly clock: Clock,
    /** the packing dictionaries known so far: a thread that starts is sent them all */
    private readonly dictionaries: () => readonly SharedDictionary[],
  ) {}

  get load(): number {
    return this.pending.size;
  }

  /** running, or allowed to start again */
  get available(): boolean {
    return !this.closed && (this.worker !== undefined || this.clock.now().getTime() >= this.restartAfter);
  }

  /**
   * The offer built; with `storage`, also stored by the thread (`stored`) when it can (with
   * `rehearsal`, in a transaction it rolls back).
   */
  build(request: BuildRequest): Promise<BuildOutcome> {
    return new Promise<BuildOutcome>((resolve, reject) => {
      const worker = this.start();
      const id = this.nextId++;
      if (this.pending.size === 0 && this.acks.size === 0) worker.ref();
      const storage = request.storage;
      if (storage && !this.storageSent) {
        this.storageSent = true;
        if ('sqlite' in storage) this.writeLock ??= new SqliteWriteLock(storage.sqlite.lock);
        this.send(worker, { t: 'storage', target: storage });
      }
      const p: Pending = { build: request, body: JSON.stringify(request.input.body), resolve, reject, resent: false };
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

  /** Sends a packing dictionary to the running thread (a thread that starts later is sent it then). */
  share(dictionary: SharedDictionary): void {
    const worker = this.worker;
    if (worker) this.send(worker, { t: 'dictionary', ...dictionary });
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
    const { active, input, storage, keyRecord, rehearsal } = p.build;
    const key = configKey(active);
    if (this.sent.get(active.partnerId) !== key) {
      this.sent.set(active.partnerId, key);
      this.send(worker, { t: 'config', key, active });
    }
    this.send(worker, {
      t: 'build',
      id,
      key,
      schemaId: input.schemaId,
      request: p.body,
      caller: input.caller,
      query: input.query,
      now: input.now,
      store: storage !== undefined,
      ...(storage && keyRecord ? { keyRecord } : {}),
      ...(rehearsal ? { rehearsal: true as const } : {}),
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
    const worker = startWorker(__dirname, 'build.worker', { stdout: false, stderr: false });
    this.worker = worker;
    this.sent.clear();
    this.storageSent = false;
    for (const d of this.dictionaries()) this.send(worker, { t: 'dictionary', ...d });
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
        this.sent.delete(p.build.active.partnerId);
        this.post(worker, m.id, p);
        return;
      }
      this.pending.delete(m.id);
      if (m.t === 'built') p.resolve({ t: 'built', prepared: { ...m.prepared, requestJson: p.body } });
      else if (m.t === 'stored') p.resolve({ t: 'stored', json: m.json, offerConfigId: m.offerConfigId, requestJson: p.body });
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
    this.restartAfter = this.clock.now().getTime() + RESTART_DELAY_MS;
    if (!this.closed) this.logger.error(`${reason.message}; its requests are built in process, the next one starts another thread`);
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    // a configuration it did not confirm is sent again with the next request
    for (const done of this.acks.values()) done();
    this.acks.clear();
  }
}

/**
 * OFFER_BUILD_THREADS build threads, so that the event loop only parses, authenticates and
 * answers: on a machine with a core to spare, Create Offer's CPU work (build, serialise, store)
 * runs beside the HTTP work instead of after it. Each thread holds the configurations it is sent
 * (those in force first, at load, see warm) and compiles them itself.
 */
export class BuildPool {
  private readonly threads: BuildThread[];

  constructor(logger: Logger, size: number, clock: Clock, dictionaries: () => readonly SharedDictionary[] = () => []) {
    this.threads = Array.from({ length: size }, (_, i) => new BuildThread(logger, i, clock, dictionaries));
  }

  get size(): number {
    return this.threads.length;
  }

  /** the least loaded thread that can take a build; none when there are no threads, or none can */
  pick(): BuildThread | undefined {
    let thread: BuildThread | undefined;
    for (const t of this.threads) if (t.available && (thread === undefined || t.load < thread.load)) thread = t;
    return thread;
  }

  /** Sends a configuration to every thread; resolves once all have compiled it. */
  async warm(active: ActiveConfig): Promise<void> {
    await Promise.all(this.threads.map((t) => t.warm(active)));
  }

  /** Sends a packing dictionary to every running thread. */
  share(dictionary: SharedDictionary): void {
    for (const t of this.threads) t.share(dictionary);
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
