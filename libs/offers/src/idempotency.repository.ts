import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, LessThan, Repository } from 'typeorm';
import { fastInsertUnlessConflict, fastSelect, fastUpdate, JsonText, updateStatement, type SqlStatement } from '@app/database';
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

/** Storage of spec §3.6 records; every method runs in the caller's transaction (completeStatement: in a writer's). */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectRepository(IdempotencyRecordEntity) private readonly records: Repository<IdempotencyRecordEntity>) {}

  /** Every create and confirm with a key reads this: fixed SQL (fastSelect), not the query builder. */
  async find(manager: EntityManager, scope: IdempotencyScope): Promise<IdempotencyRecord | null> {
    const [row] = await fastSelect(
      manager,
      IdempotencyRecordEntity,
      ['requestHash', 'state', 'responseStatus', 'responseBody', 'createdAt', 'expiresAt'],
      scopeOf(scope),
      1,
    );
    if (!row) return null;
    return {
      requestHash: row.requestHash,
      state: row.state === 'done' ? 'done' : 'in_progress',
      responseStatus: row.responseStatus,
      responseBody: row.responseBody,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
    };
  }

  /** Claims the scope; false when someone holds it already (unique constraint `uq_idempotency_scope`). */
  async claim(manager: EntityManager, scope: IdempotencyScope, rec: { id: string; requestHash: string; createdAt: Date; expiresAt: Date }): Promise<boolean> {
    const row = Object.assign(new IdempotencyRecordEntity(), { ...scopeOf(scope), ...rec, state: 'in_progress', responseStatus: null, responseBody: null });
    return fastInsertUnlessConflict(manager, IdempotencyRecordEntity, row);
  }

  /** Marks the request done with its response (a JsonText: stored as it is), in the caller's transaction. */
  async complete(manager: EntityManager, scope: IdempotencyScope, status: number, body: unknown): Promise<void> {
    await fastUpdate(manager, IdempotencyRecordEntity, { state: 'done', responseStatus: status, responseBody: body }, scopeOf(scope));
  }

  /**
   * The same as one statement, for a writer that commits it with the request's own writes (an
   * offer build thread): its parameter at `responseParam` is the response's JSON text, to be set
   * once the response is known.
   */
  completeStatement(scope: IdempotencyScope, status: number): { statement: SqlStatement; responseParam: number } {
    // responseBody is set first: its parameter is the first one
    const statement = updateStatement(this.records.manager, IdempotencyRecordEntity, { responseBody: new JsonText('null'), state: 'done', responseStatus: status }, scopeOf(scope));
    if (!statement) throw new Error('idempotency completion matches no row');
    return { statement, responseParam: 0 };
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
