import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, LessThan, Repository } from 'typeorm';
import { TurnBatch } from '@app/core';
import { engineOf, preparedQuery } from '@app/database';
import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import type { IdempotencyRecord, IdempotencyScope } from './idempotency.sql';

export type { IdempotencyRecord, IdempotencyScope } from './idempotency.sql';
import {
  CLAIM_IDEMPOTENCY_KEY,
  claimIdempotencyKeyParams,
  COMPLETE_IDEMPOTENCY_RECORD,
  completeIdempotencyRecordParams,
  IDEMPOTENCY_RECORD,
  IDEMPOTENCY_RECORDS,
  idempotencyRecordOf,
  idempotencyRecordParams,
  idempotencyRecordsParams,
  scopeOfRow,
} from './idempotency.sql';

/** PostgreSQL: at most this many scopes per read of a turn (IDEMPOTENCY_RECORDS) */
const SCOPES_PER_READ = 16;

/**
 * Storage of idempotency keys' records (X-Idempotency-Key); every method runs in the caller's
 * transaction (peek: in none). Create Offer's record is inserted with its offer, by OfferStore
 * (storage/offer-insert.sql.ts). The hot statements are in idempotency.sql.ts, run as prepared
 * statements (preparedQuery).
 */
@Injectable()
export class IdempotencyRepository {
  /**
   * PostgreSQL: the peeks of one turn of the event loop, as one query (one round trip for all).
   * Undefined on SQLite, which reads each at once, in process.
   */
  private readonly peeks: TurnBatch<IdempotencyScope, IdempotencyRecord | null> | undefined;

  constructor(@InjectRepository(IdempotencyRecordEntity) private readonly records: Repository<IdempotencyRecordEntity>) {
    if (engineOf(records.manager) === 'postgres') this.peeks = new TurnBatch((scopes) => this.readRecords(scopes), SCOPES_PER_READ);
  }

  /** The scope's record as `manager` (the caller's transaction) sees it; every create and confirm with a key reads it. */
  async find(manager: EntityManager, scope: IdempotencyScope): Promise<IdempotencyRecord | null> {
    const { rows } = await preparedQuery(manager, IDEMPOTENCY_RECORD[engineOf(manager)], idempotencyRecordParams(scope));
    return rows.length > 0 ? idempotencyRecordOf(rows[0]) : null;
  }

  /** Claims the scope; false when someone holds it already (unique constraint `uq_idempotency_scope`). */
  async claim(
    manager: EntityManager,
    scope: IdempotencyScope,
    rec: { id: string; requestHash: string; createdAt: Date; expiresAt: Date; offerId?: string | null },
  ): Promise<boolean> {
    const engine = engineOf(manager);
    const { affected } = await preparedQuery(manager, CLAIM_IDEMPOTENCY_KEY[engine], claimIdempotencyKeyParams(engine, scope, rec));
    return affected === 1;
  }

  /** Marks the request done with its response, in the caller's transaction. */
  async complete(manager: EntityManager, scope: IdempotencyScope, status: number, body: unknown): Promise<void> {
    await preparedQuery(manager, COMPLETE_IDEMPOTENCY_RECORD[engineOf(manager)], completeIdempotencyRecordParams(scope, status, body));
  }

  /**
   * find, outside any transaction. On PostgreSQL the reads asked during one turn of the event loop
   * go as one query; on SQLite each runs at once, in process.
   */
  async peek(scope: IdempotencyScope): Promise<IdempotencyRecord | null> {
    if (this.peeks) return this.peeks.add(scope);
    const [record] = await this.readRecords([scope]);
    return record;
  }

  /** each scope's record, or null, in the scopes' order */
  private async readRecords(scopes: IdempotencyScope[]): Promise<Array<IdempotencyRecord | null>> {
    const manager = this.records.manager;
    const engine = engineOf(manager);
    const { rows } = await preparedQuery(manager, IDEMPOTENCY_RECORDS[engine], idempotencyRecordsParams(engine, scopes));
    const byScope = new Map<string, IdempotencyRecord>();
    for (const row of rows) byScope.set(scopeKey(scopeOfRow(row)), idempotencyRecordOf(row));
    return scopes.map((s) => byScope.get(scopeKey(s)) ?? null);
  }

  async delete(manager: EntityManager, scope: IdempotencyScope): Promise<void> {
    await manager.getRepository(IdempotencyRecordEntity).delete({ partnerId: scope.partnerId, route: scope.route, key: scope.key });
  }

  /** Frees a claim that is still in progress (the work failed): the partner may retry with the key. */
  async release(manager: EntityManager, scope: IdempotencyScope): Promise<void> {
    await manager.getRepository(IdempotencyRecordEntity).delete({ partnerId: scope.partnerId, route: scope.route, key: scope.key, state: 'in_progress' });
  }

  async deleteExpired(manager: EntityManager, now: Date): Promise<number> {
    const r = await manager.getRepository(IdempotencyRecordEntity).delete({ expiresAt: LessThan(now) });
    return r.affected ?? 0;
  }
}

/** a scope as one string: its partner, route and key */
function scopeKey(s: IdempotencyScope): string {
  return `${s.partnerId}\u0000${s.route}\u0000${s.key}`;
}
