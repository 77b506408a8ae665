import { Injectable } from '@nestjs/common';
import { TransactionRunner, type SqlStatement } from '@app/database';
import { NewOffer, NewQuote, OffersRepository } from './offers.repository';

interface Pending {
  offer: NewOffer;
  quotes: NewQuote[];
  also?: readonly SqlStatement[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** offers per transaction at most (SQLite caps bound parameters per statement) */
const MAX_BATCH = 64;
/**
 * Transactions in flight at once. SQLite has one writer: two, so the next batch waits in the write
 * worker while the previous one commits (TransactionRunner hands it over at once) and starts the
 * moment it is done; PostgreSQL commits several at once over its pool, so a commit waiting on the
 * server does not hold back the offers that arrive meanwhile.
 */
const IN_FLIGHT_SQLITE = 2;
const IN_FLIGHT_POSTGRES = 4;

/**
 * Group commit for Create Offer. Every offer is stored before its response leaves, but offers
 * that arrive while a commit is under way are written together in the next transaction: one
 * fsync for many offers instead of one each, which is what bounds throughput with
 * `synchronous=FULL`. A request waits at most for the commits in progress plus its own.
 * When a batch fails, its offers are retried one by one so one bad row fails only its request.
 */
@Injectable()
export class OfferWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly maxInFlight: number;

  constructor(
    private readonly repo: OffersRepository,
    private readonly tx: TransactionRunner,
  ) {
    this.maxInFlight = tx.isSqlite ? IN_FLIGHT_SQLITE : IN_FLIGHT_POSTGRES;
  }

  /** `also`: statements committed with the offer, after its rows (an idempotency key's record) */
  write(offer: NewOffer, quotes: NewQuote[], also?: readonly SqlStatement[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ offer, quotes, also, resolve, reject });
      if (!this.scheduled && this.inFlight < this.maxInFlight) {
        this.scheduled = true;
        // let the requests of this event-loop turn join the batch
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /** Starts batches while there are offers waiting and room for another transaction. */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    try {
      await this.tx.runStatements(this.repo.insertOffersStatements(batch));
      for (const p of batch) p.resolve();
    } catch (e) {
      if (batch.length === 1) batch[0].reject(e);
      else await this.oneByOne(batch);
    }
  }

  private async oneByOne(batch: Pending[]): Promise<void> {
    for (const p of batch) {
      try {
        await this.tx.runStatements(this.repo.insertOffersStatements([p]));
        p.resolve();
      } catch (e) {
        p.reject(e);
      }
    }
  }
}
