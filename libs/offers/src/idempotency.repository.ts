import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, LessThan, Repository } from 'typeorm';
import { fastInsertUnlessConflict, fastSelect, fastUpdate, insertStatements, JsonText, LookupInTurns, type SqlStatement } from '@app/database';
import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';

export interface IdempotencyScope {
  partnerId: string;
  /** a stable name of the route, e.g. `create_offer`, `confirm_offer` */
  route: string;
  key: string;
}

export interface IdempotencyRecord {
  requestHash: string;
  state: 'in_progress' | 'done';
  responseStatus: number | null;
  responseBody: unknown;
  createdAt: Date;
  expiresAt: Date;
}

/** Storage of spec §3.6 records; every method runs in the caller's transaction (peek: in none; recordStatement: in a writer's). */
@Injectable()
export class IdempotencyRepository {
  private readonly peeks: LookupInTurns<IdempotencyRecordEntity, (typeof RECORD_COLUMNS)[number], 'partnerId' | 'route' | 'key'>;

  constructor(@InjectRepository(IdempotencyRecordEntity) private readonly records: Repository<IdempotencyRecordEntity>) {
    this.peeks = new LookupInTurns(records.manager, IdempotencyRecordEntity, RECORD_COLUMNS);
  }

  /** Every create and confirm with a key reads this: fixed SQL (fastSelect), not the query builder. */
  async find(manager: EntityManager, scope: IdempotencyScope): Promise<IdempotencyRecord | null> {
    const [row] = await fastSelect(manager, IdempotencyRecordEntity, RECORD_COLUMNS, scopeOf(scope), 1);
    return row ? recordOf(row) : null;
  }

  /** Claims the scope; false when someone holds it already (unique constraint `uq_idempotency_scope`). */
  async claim(manager: EntityManager, scope: IdempotencyScope, rec: { id: string; requestHash: string; createdAt: Date; expiresAt: Date }): Promise<boolean> {
    const row = Object.assign(new IdempotencyRecordEntity(), { ...scopeOf(scope), ...rec, state: 'in_progress', responseStatus: null, responseBody: null });
    return fastInsertUnlessConflict(manager, IdempotencyRecordEntity, row);
  }

  /** Marks the request done with its response, in the caller's transaction. */
  async complete(manager: EntityManager, scope: IdempotencyScope, status: number, body: unknown): Promise<void> {
    await fastUpdate(manager, IdempotencyRecordEntity, { state: 'done', responseStatus: status, responseBody: body }, scopeOf(scope));
  }

  /**
   * find, outside any transaction. On PostgreSQL the reads asked during one turn of the event loop
   * go as one query (LookupInTurns); on SQLite each runs at once, in process.
   */
  async peek(scope: IdempotencyScope): Promise<IdempotencyRecord | null> {
    const row = await this.peeks.read(scopeOf(scope));
    return row ? recordOf(row) : null;
  }

  /**
   * The key's record, done, as one statement for a writer that commits it with the request's own
   * writes (Create Offer: with the offer, see IdempotencyService.runCommittingKey): `INSERT …
   * ON CONFLICT DO NOTHING` that must insert (`mustChange`), so the transaction fails when another
   * request holds the key. Its parameter at `responseParam` is the response's JSON text, set once
   * the response is known.
   */
  recordStatement(scope: IdempotencyScope, rec: { id: string; requestHash: string; createdAt: Date; expiresAt: Date }, status: number): { statement: SqlStatement; responseParam: number } {
    // a text no other parameter can hold, to find where the response goes
    const slot = `response:${rec.id}`;
    const row = Object.assign(new IdempotencyRecordEntity(), { ...scopeOf(scope), ...rec, state: 'done', responseStatus: status, responseBody: new JsonText(slot) });
    const [insert] = insertStatements(this.records.manager.connection, IdempotencyRecordEntity, [row]);
    return { statement: { sql: `${insert.sql} ON CONFLICT DO NOTHING`, params: insert.params, mustChange: true }, responseParam: insert.params.indexOf(slot) };
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

function scopeOf(scope: IdempotencyScope): Pick<IdempotencyRecordEntity, 'partnerId' | 'route' | 'key'> {
  return { partnerId: scope.partnerId, route: scope.route, key: scope.key };
}

const RECORD_COLUMNS = ['requestHash', 'state', 'responseStatus', 'responseBody', 'createdAt', 'expiresAt'] as const;

type RecordRow = Pick<IdempotencyRecordEntity, (typeof RECORD_COLUMNS)[number]>;

function recordOf(row: RecordRow): IdempotencyRecord {
  return {
    requestHash: row.requestHash,
    state: row.state === 'done' ? 'done' : 'in_progress',
    responseStatus: row.responseStatus,
    responseBody: row.responseBody,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}
