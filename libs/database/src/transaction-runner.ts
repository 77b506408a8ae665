import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Every write goes through here. On SQLite, TypeORM shares one connection, so two transactions
 * cannot be open at once and a plain write issued while another request's transaction is open
 * would land inside it: writes are serialised in-process. On PostgreSQL each call gets its own
 * pooled connection and transaction.
 */
@Injectable()
export class TransactionRunner {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly serialise: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.serialise = dataSource.options.type === 'better-sqlite3' || dataSource.options.type === 'sqlite';
  }

  get isSqlite(): boolean {
    return this.serialise;
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialise) return this.dataSource.transaction(work);
    const result = this.tail.then(() => this.dataSource.transaction(work));
    // the chain continues whether this transaction commits or fails
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
