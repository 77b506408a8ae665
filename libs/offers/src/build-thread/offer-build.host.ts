import type { ActiveConfig } from '@app/bundles';
import { JsonText, SqliteTransactions, type SqliteWriteTarget, type SqlStatement } from '@app/database';
import { CompiledSchemas } from '../compiled-schemas';
import { offerStatementsFromPlans, withResponse, type OfferInsert, type OfferInsertPlans, type WithOffer } from '../offer-rows';
import { prepareOffer, type PreparedOffer } from '../prepare-offer';
import { sendError, type FromBuildThread, type ToBuildThread } from './offer-build.protocol';

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

/** Where a thread stores offers: synchronous transactions (SqliteTransactions), or a fake in tests. */
export interface OfferStore {
  /** the statements in one transaction, all or none; throws when it fails */
  run(statements: readonly SqlStatement[]): void;
  close(): void;
}

type Build = Extract<ToBuildThread, { t: 'build' }>;

/** a built offer this thread stores: the request's id, and what to commit with it */
interface ToStore {
  id: number;
  prepared: PreparedOffer;
  also?: WithOffer;
}

/**
 * What runs inside an offer build thread: the configurations it was sent, compiled once each,
 * and the offers it is asked to build and, on SQLite, to store. Plain code, so it is tested
 * without a thread.
 *
 * Storing: the offers of a batch (what the event loop sent in one go, and what queued behind it)
 * are inserted in transactions of up to STORE_EVERY offers, each answered `stored` once it is
 * committed; when such a transaction fails, each of its offers is tried in one of its own, so one
 * bad row fails only its request. A thread that cannot open the database answers `built` (the rows) instead, and the
 * event loop stores them.
 */
export class OfferBuildHost {
  private readonly configs = new Map<string, ActiveConfig>();
  private readonly keysByPartner = new Map<string, string[]>();
  private storage: { store: OfferStore; plans: OfferInsertPlans } | undefined;

  constructor(
    private readonly compiled: CompiledSchemas,
    private readonly openStore: (target: SqliteWriteTarget) => OfferStore = (target) => new SqliteTransactions(target),
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
      if (toStore.length > 0) replies.push(...this.store(toStore));
      toStore = [];
      if (replies.length > 0) send(replies);
      replies = [];
    };
    for (const m of batch) {
      if (m.t === 'build' && m.store && this.storage) {
        const built = this.build(m);
        if ('prepared' in built) toStore.push({ id: m.id, prepared: built.prepared, also: m.also });
        else replies.push(built.reply);
        if (toStore.length >= STORE_EVERY) flush();
      } else if (m.t === 'close') {
        flush();
        this.storage?.store.close();
        this.storage = undefined;
        replies.push({ t: 'closed' });
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

  private openStorage(target: SqliteWriteTarget, plans: OfferInsertPlans): void {
    this.storage?.store.close();
    this.storage = undefined;
    try {
      this.storage = { store: this.openStore(target), plans };
    } catch {
      // not stored here: `store` builds are answered with their rows, which the event loop stores
    }
  }

  private store(items: ToStore[]): FromBuildThread[] {
    const storage = this.storage as { store: OfferStore; plans: OfferInsertPlans };
    const insert = ({ prepared: p, also }: ToStore): OfferInsert => ({
      offer: { ...p.offer, request: new JsonText(p.requestJson), response: new JsonText(p.json) },
      quotes: p.quotes,
      ...(also ? { also: [withResponse(also, p.json)] } : {}),
    });
    const stored = (i: ToStore): FromBuildThread => ({ t: 'stored', id: i.id, json: i.prepared.json });
    try {
      storage.store.run(offerStatementsFromPlans(storage.plans, items.map(insert)));
      return items.map(stored);
    } catch (e) {
      if (items.length === 1) return [{ t: 'failed', id: items[0].id, error: sendError(e) }];
    }
    return items.map((i) => {
      try {
        storage.store.run(offerStatementsFromPlans(storage.plans, [insert(i)]));
        return stored(i);
      } catch (e) {
        return { t: 'failed', id: i.id, error: sendError(e) };
      }
    });
  }

  private keep(key: string, active: ActiveConfig): void {
    const keys = (this.keysByPartner.get(active.partnerId) ?? []).filter((k) => k !== key);
    keys.push(key);
    while (keys.length > KEEP_PER_PARTNER) this.configs.delete(keys.shift() as string);
    this.keysByPartner.set(active.partnerId, keys);
    this.configs.set(key, active);
  }
}
