import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '@app/database';
import { NewOffer, NewQuote, OffersRepository } from './offers.repository';

interface Pending {
  offer: NewOffer;
  quotes: NewQuote[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** offers per transaction at most (SQLite caps bound parameters per statement) */
const MAX_BATCH = 64;

/**
 * Group commit for Create Offer. Every offer is stored before its response leaves, but offers
 * that arrive while a commit is under way are written together in the next transaction: one
 * fsync for many offers instead of one each, which is what bounds throughput with
 * `synchronous=FULL`. A request waits at most for the commit in progress plus its own.
 * When a batch fails, its offers are retried one by one so one bad row fails only its request.
 */
@Injectable()
export class OfferWriter {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly repo: OffersRepository,
    private readonly tx: TransactionRunner,
  ) {}

  write(offer: NewOffer, quotes: NewQuote[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ offer, quotes, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // let the requests of this event-loop turn join the first batch
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.tx.runStatements(this.repo.insertOffersStatements(batch));
          for (const p of batch) p.resolve();
        } catch (e) {
          if (batch.length === 1) batch[0].reject(e);
          else await this.oneByOne(batch);
        }
      }
    } finally {
      this.flushing = false;
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
