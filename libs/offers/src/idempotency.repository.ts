import { Injectable } from '@nestjs/common';
import { EntityManager, LessThan } from 'typeorm';
import { partialRow } from '@app/database';
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

/** Storage of spec §3.6 records; every method runs in the caller's transaction. */
@Injectable()
export class IdempotencyRepository {
  async find(manager: EntityManager, scope: IdempotencyScope): Promise<IdempotencyRecord | null> {
    const row = await manager.getRepository(IdempotencyRecordEntity).findOne({ where: { partnerId: scope.partnerId, route: scope.route, key: scope.key } });
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
    const repo = manager.getRepository(IdempotencyRecordEntity);
    await repo
      .createQueryBuilder()
      .insert()
      .values(partialRow<IdempotencyRecordEntity>({ ...scope, ...rec, state: 'in_progress', responseStatus: null, responseBody: null }))
      .orIgnore()
      .execute();
    // portable "did my insert win": read the row back and compare ids
    const row = await repo.findOne({ where: { partnerId: scope.partnerId, route: scope.route, key: scope.key }, select: { id: true } });
    return row?.id === rec.id;
  }

  async complete(manager: EntityManager, scope: IdempotencyScope, status: number, body: unknown): Promise<void> {
    await manager
      .getRepository(IdempotencyRecordEntity)
      .update({ partnerId: scope.partnerId, route: scope.route, key: scope.key }, partialRow<IdempotencyRecordEntity>({ state: 'done', responseStatus: status, responseBody: body }));
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
