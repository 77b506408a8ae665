import type { ActiveConfig } from '@app/bundles';
import { PgTransactions, SqliteTransactions } from '@app/database';
import { CompiledSchemas } from '../compiled-schemas';
import { prepareOffer, type PreparedOffer } from '../prepare-offer';
import { OfferStore, type OfferTransactions } from '../storage/offer-store';
import type { OfferToStore } from '../storage/offer-insert.sql';
import { PackingDictionaryRegistry, packingScope } from '../storage/packing-dictionaries';
import { sendError, type FromBuildThread, type StoreTarget, type ToBuildThread } from './protocol';

/** configurations kept per partner: the one in force and a few older ones still being answered */
const KEEP_PER_PARTNER = 4;
/** answers go back in small groups: the first offers of a large batch need not wait for the last */
const REPLY_EVERY = 4;
/**
 * Offers built before the thread stores what it has: on SQLite (synchronous) that group is one
 * transaction, committed and answered before the next offers are built, so the event loop gets
 * answers while the thread goes on (measured: with one transaction per batch the event loop sat
 * idle ~12 % of the time waiting for a large batch's answers).
 */
const STORE_EVERY = 8;
/**
 * Offers per transaction at most on PostgreSQL, where transactions run on the thread's connections
 * while it builds: what was built while all were busy goes together in the next one.
 */
const MAX_PER_POSTGRES_TRANSACTION = 64;

type Build = Extract<ToBuildThread, { t: 'build' }>;

/** The thread's own connections to the database (a SQLite file, or PostgreSQL). */
export function openTransactions(target: StoreTarget): OfferTransactions & { close(): void | Promise<void> } {
  return 'sqlite' in target ? new SqliteTransactions(target.sqlite) : new PgTransactions(target.postgres);
}

function built(id: number, p: PreparedOffer): FromBuildThread {
  const { requestJson: _sent, ...prepared } = p;
  return { t: 'built', id, prepared };
}

function outcome(id: number, p: PreparedOffer, error: unknown): FromBuildThread {
  return error === undefined ? { t: 'stored', id, json: p.json, offerConfigId: p.offer.offerConfigId } : { t: 'failed', id, error: sendError(error) };
}

/**
 * What runs inside an offer build thread: the configurations it was sent, compiled once each,
 * and the offers it is asked to build and to store (OfferStore, on the thread's own connections).
 * Plain code, so it is tested without a thread. A thread that cannot open the database answers
 * `built` (the rows) instead, and the event loop stores them.
 */
export class BuildThreadHandler {
  private readonly configs = new Map<string, ActiveConfig>();
  private readonly keysByPartner = new Map<string, string[]>();
  private readonly dictionaries = new PackingDictionaryRegistry();
  private storage: { store: OfferStore; transactions: OfferTransactions & { close(): void | Promise<void> } } | undefined;
  /** answers not sent yet */
  private replies: FromBuildThread[] = [];
  private sendScheduled = false;
  /** `close` was received: no more storing, the connections close once idle */
  private closing = false;

  constructor(
    private readonly compiled: CompiledSchemas,
    private readonly send: (replies: FromBuildThread[]) => void,
    private readonly open: typeof openTransactions = openTransactions,
  ) {}

  get configCount(): number {
    return this.configs.size;
  }

  get storing(): boolean {
    return this.storage !== undefined;
  }

  /** One batch of messages, in order; the answers go to `send`, in groups. */
  handleBatch(batch: readonly ToBuildThread[]): void {
    let toStore = 0;
    for (const m of batch) {
      if (m.t === 'config') {
        this.keep(m.key, m.active);
        try {
          this.compiled.warm(m.active);
        } catch {
          // a configuration that fails to compile fails its requests, with their own error
        }
        if (m.ack !== undefined) this.reply({ t: 'ack', ack: m.ack });
      } else if (m.t === 'dictionary') {
        this.dictionaries.add(m.scope, m.text);
      } else if (m.t === 'storage') {
        this.openStorage(m.target);
      } else if (m.t === 'close') {
        this.close();
      } else if (this.build(m)) {
        toStore++;
        if (toStore >= STORE_EVERY) {
          this.storage?.store.flush();
          toStore = 0;
        }
      }
      if (this.replies.length >= REPLY_EVERY) this.sendReplies();
    }
    this.storage?.store.flush();
    this.sendReplies();
  }

  /** Builds one offer and answers it, or queues it to be stored (true). */
  private build(m: Build): boolean {
    const active = this.configs.get(m.key);
    if (!active) {
      this.reply({ t: 'missing', id: m.id });
      return false;
    }
    let p: PreparedOffer;
    try {
      p = prepareOffer(this.compiled, active, { schemaId: m.schemaId, body: JSON.parse(m.request), caller: m.caller, query: m.query, now: m.now }, m.request);
    } catch (e) {
      this.reply({ t: 'failed', id: m.id, error: sendError(e) });
      return false;
    }
    const store = this.storage?.store;
    if (!m.store || !store || this.closing) {
      this.reply(built(m.id, p));
      return false;
    }
    const dictionary = this.dictionaries.get(packingScope(p.offer.partnerId, p.offer.offerConfigId, p.offer.bundleVersion));
    const item: OfferToStore = { prepared: p, ...(m.keyRecord ? { key: m.keyRecord } : {}), ...(dictionary ? { dictionary } : {}) };
    if (m.rehearsal) {
      store.rehearse(item, (error) => this.reply(outcome(m.id, p, error)));
      return false;
    }
    store.add(item, (error) => this.reply(outcome(m.id, p, error)));
    return true;
  }

  private openStorage(target: StoreTarget): void {
    // sent once per thread, before any `store` build
    if (this.storage) return;
    try {
      const transactions = this.open(target);
      const maxPerTransaction = transactions.engine === 'sqlite' ? STORE_EVERY : MAX_PER_POSTGRES_TRANSACTION;
      this.storage = { store: new OfferStore(transactions, maxPerTransaction), transactions };
    } catch {
      // not stored here: `store` builds are answered with their rows, which the event loop stores
    }
  }

  /** answered `closed` once the transactions under way are committed and the connections closed */
  private close(): void {
    this.closing = true;
    const storage = this.storage;
    if (!storage) {
      this.reply({ t: 'closed' });
      return;
    }
    storage.store.flush();
    storage.store.whenIdle(() => {
      this.storage = undefined;
      void Promise.resolve()
        .then(() => storage.transactions.close())
        .catch(() => undefined)
        .then(() => {
          this.reply({ t: 'closed' });
          this.sendReplies();
        });
    });
  }

  /** queues an answer; answers given outside a batch (a PostgreSQL commit) are sent in the next microtask */
  private reply(r: FromBuildThread): void {
    this.replies.push(r);
    if (!this.sendScheduled) {
      this.sendScheduled = true;
      queueMicrotask(() => this.sendReplies());
    }
  }

  private sendReplies(): void {
    this.sendScheduled = false;
    if (this.replies.length === 0) return;
    const replies = this.replies;
    this.replies = [];
    this.send(replies);
  }

  private keep(key: string, active: ActiveConfig): void {
    const keys = (this.keysByPartner.get(active.partnerId) ?? []).filter((k) => k !== key);
    keys.push(key);
    while (keys.length > KEEP_PER_PARTNER) this.configs.delete(keys.shift() as string);
    this.keysByPartner.set(active.partnerId, keys);
    this.configs.set(key, active);
  }
}
