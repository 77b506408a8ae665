import { isRowNotChanged, type Engine, type SqlStatement } from '@app/database';
import { offerInsertStatements, type OfferToStore } from './offer-insert.sql';

/**
 * Where OfferStore commits: transactions on one database, synchronous (better-sqlite3 in a build
 * thread: the call returns once committed) or asynchronous (a promise). Implemented by
 * SqliteTransactions and PgTransactions (a build thread's own connections) and by
 * TransactionRunner (the event loop's connection).
 */
export interface OfferTransactions {
  readonly engine: Engine;
  /** transactions it runs at once */
  readonly concurrency: number;
  /**
   * The statements in one transaction: all committed, or none (throws or rejects). With
   * `rollBack` they run and are rolled back: nothing is stored (a warm-up's rehearsal).
   */
  run(statements: readonly SqlStatement[], options?: { rollBack?: boolean }): void | Promise<void>;
}

/** called once an offer is committed (no error) or has failed */
export type Stored = (error?: unknown) => void;

interface Waiting {
  item: OfferToStore;
  done: Stored;
}

/** PostgreSQL refused the rows themselves (data exception, integrity violation): another transaction without them may pass */
const PG_ROW_REFUSED = /^(22|23)[0-9A-Z]{3}$/;
/** SQLite refused the rows themselves (a constraint) */
const SQLITE_ROW_REFUSED = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

/**
 * When a transaction of several offers fails, each is tried alone only if the failure may be one
 * row's: a database that cannot be reached (or is busy) fails them all at once, not once each.
 */
function mayBeOneRows(e: unknown): boolean {
  const code =
    (e as { code?: unknown; driverError?: { code?: unknown } } | null)?.code ?? (e as { driverError?: { code?: unknown } } | null)?.driverError?.code;
  return isRowNotChanged(e) || (typeof code === 'string' && (PG_ROW_REFUSED.test(code) || SQLITE_ROW_REFUSED.test(code)));
}

function isPromise(v: unknown): v is PromiseLike<void> {
  return typeof (v as { then?: unknown } | undefined)?.then === 'function';
}

/**
 * Runs `run` and calls `next` with its outcome: at once for a synchronous transaction (so a build
 * thread on SQLite commits and answers before it builds the next offers), once settled for a promise.
 */
function afterRun(run: () => void | Promise<void>, next: (failed: boolean, error?: unknown) => void): void {
  let result: void | Promise<void>;
  try {
    result = run();
  } catch (e) {
    next(true, e ?? new Error('the transaction failed'));
    return;
  }
  if (isPromise(result))
    result.then(
      () => next(false),
      (e: unknown) => next(true, e ?? new Error('the transaction failed')),
    );
  else next(false);
}

/**
 * Group commit for Create Offer, the one way offers are stored (in a build thread or on the event
 * loop). Every offer is committed before it is answered, but the offers that arrive while a commit
 * is under way go together in the next transaction: one commit (one fsync) for many. `flush`
 * starts transactions of up to `maxPerTransaction` offers while fewer than the database's
 * `concurrency` are under way. When a transaction of several offers fails and the failure may be
 * one row's, each offer is tried in a transaction of its own, so one bad row fails only its request.
 */
export class OfferStore {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private idleCallbacks: Array<() => void> = [];

  constructor(
    private readonly transactions: OfferTransactions,
    private readonly maxPerTransaction: number,
  ) {}

  get engine(): Engine {
    return this.transactions.engine;
  }

  /** Queues an offer; it is stored by the next `flush` that has room for it. */
  add(item: OfferToStore, done: Stored): void {
    this.queue.push({ item, done });
  }

  /** Starts transactions for the offers waiting, while there is room. */
  flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.transactions.concurrency) {
      const batch = this.queue.splice(0, this.maxPerTransaction);
      this.inFlight++;
      this.commit(batch, () => {
        this.inFlight--;
        this.flush();
        if (this.inFlight === 0 && this.queue.length === 0) for (const idle of this.idleCallbacks.splice(0)) idle();
      });
    }
  }

  /**
   * A warm-up's rehearsal: the offer's statements run in a transaction that is rolled back, so
   * the whole path runs and nothing is kept.
   */
  rehearse(item: OfferToStore, done: Stored): void {
    afterRun(
      () => this.transactions.run(offerInsertStatements(this.engine, [item]), { rollBack: true }),
      (failed, error) => done(failed ? error : undefined),
    );
  }

  /** Calls `idle` once nothing is waiting or under way (at once if so). */
  whenIdle(idle: () => void): void {
    if (this.inFlight === 0 && this.queue.length === 0) idle();
    else this.idleCallbacks.push(idle);
  }

  private commit(batch: Waiting[], finished: () => void): void {
    afterRun(
      () =>
        this.transactions.run(
          offerInsertStatements(
            this.engine,
            batch.map((w) => w.item),
          ),
        ),
      (failed, error) => {
        if (!failed) {
          for (const w of batch) w.done();
          finished();
        } else if (batch.length === 1 || !mayBeOneRows(error)) {
          for (const w of batch) w.done(error);
          finished();
        } else {
          this.oneByOne(batch, 0, finished);
        }
      },
    );
  }

  private oneByOne(batch: Waiting[], index: number, finished: () => void): void {
    if (index === batch.length) {
      finished();
      return;
    }
    const w = batch[index];
    afterRun(
      () => this.transactions.run(offerInsertStatements(this.engine, [w.item])),
      (failed, error) => {
        w.done(failed ? error : undefined);
        this.oneByOne(batch, index + 1, finished);
      },
    );
  }
}
