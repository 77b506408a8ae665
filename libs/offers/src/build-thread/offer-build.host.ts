import type { ActiveConfig } from '@app/bundles';
import { isRowNotChanged, JsonText, PgTransactions, SqliteTransactions, type SqlStatement } from '@app/database';
import { CompiledSchemas } from '../compiled-schemas';
import { offerStatementsFromPlans, withResponse, type OfferInsert, type OfferInsertPlans, type WithOffer } from '../offer-rows';
import { prepareOffer, type PreparedOffer } from '../prepare-offer';
import { sendError, type FromBuildThread, type StoreTarget, type ToBuildThread } from './offer-build.protocol';

/** configurations kept per partner: the one in force and a few older ones still being answered */
const KEEP_PER_PARTNER = 4;
/** answers go back in small groups: the first offers of a large batch need not wait for the last */
const REPLY_EVERY = 4;
/**
 * Offers per transaction at most, committed and answered before the next ones are built: small
 * groups keep the event loop and the thread both busy (measured: with one transaction per batch
 * the event loop sat idle ~12 % of the time waiting for a large batch's answers).
 */
const STORE_EVERY = 8;
/**
 * Offers per transaction at most on an asynchronous store (PostgreSQL): what was built while all
 * its connections were busy goes in one transaction when one is free (group commit).
 */
const MAX_PER_ASYNC_TRANSACTION = 64;

/**
 * Where a thread stores offers: synchronous transactions (SqliteTransactions: the thread waits for
 * each commit), asynchronous ones (PgTransactions: `concurrency` transactions at once, the thread
 * builds meanwhile), or a fake in tests.
 */
export interface OfferStore {
  /**
   * the statements in one transaction, all or none; throws (or rejects) when it fails. With
   * `rollBack` they run and are rolled back (a warm-up's rehearsal: nothing is stored)
   */
  run(statements: readonly SqlStatement[], options?: { rollBack?: boolean }): void | Promise<void>;
  close(): void | Promise<void>;
  /** an asynchronous store: how many transactions it runs at once; undefined for a synchronous one */
  readonly concurrency?: number;
}

/** PostgreSQL refused the rows themselves (data exception, integrity violation): another transaction without them may pass */
const PG_ROW_REFUSED = /^(22|23)[0-9A-Z]{3}$/;

/**
 * When a transaction of several offers fails on an asynchronous store, each is tried alone only if
 * the failure may be one row's: a database that cannot be reached fails them all at once instead of
 * once each, after a connection timeout each.
 */
function mayBeOneRows(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return isRowNotChanged(e) || (typeof code === 'string' && PG_ROW_REFUSED.test(code));
}

function openStoreFor(target: StoreTarget): OfferStore {
  if ('sqlite' in target) return new SqliteTransactions(target.sqlite);
  const pg = new PgTransactions(target.postgres);
  return { run: (s, options) => pg.run(s, options), close: () => pg.close(), concurrency: target.postgres.max };
}

type Build = Extract<ToBuildThread, { t: 'build' }>;

/** where this thread stores, and the INSERT plans of the offers' tables */
interface Storage {
  store: OfferStore;
  plans: OfferInsertPlans;
}

/** a built offer this thread stores: the request's id, and what to commit with it */
interface ToStore {
  id: number;
  prepared: PreparedOffer;
  also?: WithOffer;
}

function toInsert({ prepared: p, also }: ToStore): OfferInsert {
  return {
    offer: { ...p.offer, request: new JsonText(p.requestJson), response: new JsonText(p.json) },
    quotes: p.quotes,
    ...(also ? { also: [withResponse(also, p.json)] } : {}),
  };
}

function stored(i: ToStore): FromBuildThread {
  return { t: 'stored', id: i.id, json: i.prepared.json };
}

function failed(i: ToStore, e: unknown): FromBuildThread {
  return { t: 'failed', id: i.id, error: sendError(e) };
}

/**
 * What runs inside an offer build thread: the configurations it was sent, compiled once each,
 * and the offers it is asked to build and to store. Plain code, so it is tested without a thread.
 *
 * Storing on SQLite (synchronous): the offers of a batch (what the event loop sent in one go, and
 * what queued behind it) are inserted in transactions of up to STORE_EVERY offers, each answered
 * `stored` once it is committed. On PostgreSQL (asynchronous): each group of STORE_EVERY built
 * offers goes to a free connection of the thread's pool at once; while all are busy, the offers
 * built meanwhile wait and go together in the next transaction (up to
 * MAX_PER_ASYNC_TRANSACTION), and the thread goes on building. When a transaction fails, each of
 * its offers is tried in one of its own, so one bad row fails only its request (on PostgreSQL only
 * when the database refused rows, not when it cannot be reached: then all fail at once). A thread
 * that cannot open the database answers `built` (the rows) instead, and the event loop stores them.
 */
export class OfferBuildHost {
  private readonly configs = new Map<string, ActiveConfig>();
  private readonly keysByPartner = new Map<string, string[]>();
  private storage: Storage | undefined;
  /** built offers waiting for a transaction of an asynchronous store */
  private queue: ToStore[] = [];
  /** transactions of an asynchronous store under way */
  private inFlight = 0;
  /** called once no transaction is under way and none is waiting (see close) */
  private whenIdle: Array<() => void> = [];
  /** `close` was received: no more storing, the store closes once idle */
  private closing = false;

  constructor(
    private readonly compiled: CompiledSchemas,
    private readonly openStore: (target: StoreTarget) => OfferStore = openStoreFor,
  ) {}

  get configCount(): number {
    return this.configs.size;
  }

  get storing(): boolean {
    return this.storage !== undefined;
  }

  /** One batch of messages, in order; the replies go to `send` (several calls for a large batch). */
  handleBatch(batch: readonly ToBuildThread[], send: (replies: FromBuildThread[]) => void): void {
    let replies: FromBuildThread[] = [];
    let toStore: ToStore[] = [];
    const flush = (): void => {
      if (toStore.length > 0) replies.push(...this.storeOrQueue(toStore, send));
      toStore = [];
      if (replies.length > 0) send(replies);
      replies = [];
    };
    for (const m of batch) {
      if (m.t === 'build' && m.rehearsal) {
        const reply = this.rehearse(m);
        if (reply instanceof Promise) void reply.then((r) => send([r]));
        else replies.push(reply);
      } else if (m.t === 'build' && m.store && this.storage && !this.closing) {
        const built = this.build(m);
        if ('prepared' in built) toStore.push({ id: m.id, prepared: built.prepared, also: m.also });
        else replies.push(built.reply);
        if (toStore.length >= STORE_EVERY) flush();
      } else if (m.t === 'close') {
        flush();
        this.closing = true;
        // answered once the transactions under way are committed and the connections closed
        this.idle(() => {
          const closing = this.storage?.store.close();
          this.storage = undefined;
          if (closing instanceof Promise) {
            void closing.catch(() => undefined).then(() => send([{ t: 'closed' }]));
          } else {
            send([{ t: 'closed' }]);
          }
        });
      } else {
        const reply = this.handle(m);
        if (reply) replies.push(reply);
      }
      if (replies.length >= REPLY_EVERY) {
        send(replies);
        replies = [];
      }
    }
    flush();
  }

  /** One message, without storing (a `store` build is answered with its rows). */
  handle(m: ToBuildThread): FromBuildThread | null {
    if (m.t === 'config') {
      this.keep(m.key, m.active);
      try {
        this.compiled.warm(m.active);
      } catch {
        // a configuration that fails to compile fails its requests, with their own error
      }
      return m.ack !== undefined ? { t: 'ack', ack: m.ack } : null;
    }
    if (m.t === 'storage') {
      this.openStorage(m.target, m.plans);
      return null;
    }
    if (m.t === 'close') return { t: 'closed' };
    // (a `store` build answered with its rows, e.g. one that came after `close`)
    const built = this.build(m);
    if (!('prepared' in built)) return built.reply;
    const { requestJson: _sent, ...prepared } = built.prepared;
    return { t: 'built', id: m.id, prepared };
  }

  private build(m: Build): { prepared: PreparedOffer } | { reply: FromBuildThread } {
    const active = this.configs.get(m.key);
    if (!active) return { reply: { t: 'missing', id: m.id } };
    try {
      return { prepared: prepareOffer(this.compiled, active, { body: JSON.parse(m.request), caller: m.caller, query: m.query, now: m.now }, m.request) };
    } catch (e) {
      return { reply: { t: 'failed', id: m.id, error: sendError(e) } };
    }
  }

  /**
   * A warm-up's rehearsal: the offer built and its rows inserted in a transaction that is rolled
   * back, so the whole path runs and nothing is kept; answered `stored` with its response (`built`
   * when this thread does not store).
   */
  private rehearse(m: Build): FromBuildThread | Promise<FromBuildThread> {
    const built = this.build(m);
    if (!('prepared' in built)) return built.reply;
    const item: ToStore = { id: m.id, prepared: built.prepared };
    const storage = this.storage;
    if (!storage || this.closing) {
      const { requestJson: _sent, ...prepared } = built.prepared;
      return { t: 'built', id: m.id, prepared };
    }
    try {
      const run = storage.store.run(offerStatementsFromPlans(storage.plans, [toInsert(item)]), { rollBack: true });
      if (run instanceof Promise) return run.then(() => stored(item), (e: unknown) => failed(item, e));
      return stored(item);
    } catch (e) {
      return failed(item, e);
    }
  }

  private openStorage(target: StoreTarget, plans: OfferInsertPlans): void {
    // (sent once per thread, before any `store` build: nothing is under way on an earlier store)
    void Promise.resolve(this.storage?.store.close()).catch(() => undefined);
    this.storage = undefined;
    try {
      this.storage = { store: this.openStore(target), plans };
    } catch {
      // not stored here: `store` builds are answered with their rows, which the event loop stores
    }
  }

  /**
   * A synchronous store commits the offers now and returns their answers; an asynchronous one
   * queues them for its next free connection (pump) and answers them through `send` once committed.
   */
  private storeOrQueue(items: ToStore[], send: (replies: FromBuildThread[]) => void): FromBuildThread[] {
    const storage = this.storage as Storage;
    if (storage.store.concurrency === undefined) return this.store(storage, items);
    this.queue.push(...items);
    this.pump(storage, send);
    return [];
  }

  private pump(storage: Storage, send: (replies: FromBuildThread[]) => void): void {
    const max = storage.store.concurrency ?? 1;
    while (this.queue.length > 0 && this.inFlight < max) {
      const items = this.queue.splice(0, MAX_PER_ASYNC_TRANSACTION);
      this.inFlight++;
      void this.storeAsync(storage, items)
        // (it answers failures itself; this only keeps a bug from leaving requests unanswered)
        .catch((e: unknown) => items.map((i) => failed(i, e)))
        .then((replies) => {
          this.inFlight--;
          send(replies);
          this.pump(storage, send);
          if (this.inFlight === 0 && this.queue.length === 0) for (const done of this.whenIdle.splice(0)) done();
        });
    }
  }

  /** runs `done` once no transaction is under way or waiting (at once on a synchronous store) */
  private idle(done: () => void): void {
    if (this.inFlight === 0 && this.queue.length === 0) done();
    else this.whenIdle.push(done);
  }

  private store(storage: Storage, items: ToStore[]): FromBuildThread[] {
    try {
      storage.store.run(offerStatementsFromPlans(storage.plans, items.map(toInsert)));
      return items.map(stored);
    } catch (e) {
      if (items.length === 1) return [failed(items[0], e)];
    }
    return items.map((i) => {
      try {
        storage.store.run(offerStatementsFromPlans(storage.plans, [toInsert(i)]));
        return stored(i);
      } catch (e) {
        return failed(i, e);
      }
    });
  }

  /** As `store`, awaiting each transaction; never rejects (a failure is its offers' answer). */
  private async storeAsync(storage: Storage, items: ToStore[]): Promise<FromBuildThread[]> {
    try {
      await storage.store.run(offerStatementsFromPlans(storage.plans, items.map(toInsert)));
      return items.map(stored);
    } catch (e) {
      if (items.length === 1 || !mayBeOneRows(e)) return items.map((i) => failed(i, e));
    }
    const replies: FromBuildThread[] = [];
    for (const i of items) {
      try {
        await storage.store.run(offerStatementsFromPlans(storage.plans, [toInsert(i)]));
        replies.push(stored(i));
      } catch (e) {
        replies.push(failed(i, e));
      }
    }
    return replies;
  }

  private keep(key: string, active: ActiveConfig): void {
    const keys = (this.keysByPartner.get(active.partnerId) ?? []).filter((k) => k !== key);
    keys.push(key);
    while (keys.length > KEEP_PER_PARTNER) this.configs.delete(keys.shift() as string);
    this.keysByPartner.set(active.partnerId, keys);
    this.configs.set(key, active);
  }
}
