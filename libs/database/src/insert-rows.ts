import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * Plain INSERT of whole rows. TypeORM's partial-entity typing cannot express JSON columns typed
 * `unknown` or recursive; the rows here are complete entities, so the cast is safe.
 */
export async function insertRows<E extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<E>, rows: E | E[]): Promise<void> {
  if (Array.isArray(rows) && rows.length === 0) return;
  await manager.insert(target, rows as QueryDeepPartialEntity<E> | QueryDeepPartialEntity<E>[]);
}

export function partialRow<E extends ObjectLiteral>(values: Partial<E>): QueryDeepPartialEntity<E> {
  return values as QueryDeepPartialEntity<E>;
}
