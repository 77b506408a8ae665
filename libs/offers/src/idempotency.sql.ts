import { dateParam, readDate, readJson, type Engine, type EngineSql } from '@app/database';

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

/**
 * The SQL of idempotency records (IdempotencyRepository), per engine: `?` placeholders on SQLite,
 * `$n` on PostgreSQL, each statement with the function that binds its values (in placeholder
 * order) and, for a read, the one that maps a row it returns. `response_body` (simple-json) holds
 * JSON text, or NULL.
 */

type Row = Record<string, unknown>;

/** The record of one scope (unique: `uq_idempotency_scope`). */
export const IDEMPOTENCY_RECORD: EngineSql = {
  sqlite: `
    SELECT request_hash, state, response_status, response_body, created_at, expires_at
    FROM idempotency_records
    WHERE partner_id = ? AND route = ? AND key = ?`,
  postgres: `
    SELECT request_hash, state, response_status, response_body, created_at, expires_at
    FROM idempotency_records
    WHERE partner_id = $1 AND route = $2 AND key = $3`,
};

export function idempotencyRecordParams(scope: IdempotencyScope): unknown[] {
  return [scope.partnerId, scope.route, scope.key];
}

export function idempotencyRecordOf(row: Row): IdempotencyRecord {
  return {
    requestHash: row.request_hash as string,
    state: row.state === 'done' ? 'done' : 'in_progress',
    responseStatus: row.response_status === null || row.response_status === undefined ? null : Number(row.response_status),
    responseBody: readJson(row.response_body),
    createdAt: readDate(row.created_at),
    expiresAt: readDate(row.expires_at),
  };
}

/**
 * The records of several scopes at once (IdempotencyRepository.peek). SQLite reads one scope per
 * statement (in process: at once). PostgreSQL reads the scopes of one turn of the event loop in one
 * query: `$1` their partners, `$2` their routes, `$3` their keys, pairwise; each row names its
 * scope, a scope with no row has no record.
 */
export const IDEMPOTENCY_RECORDS: EngineSql = {
  sqlite: `
    SELECT partner_id, route, key, request_hash, state, response_status, response_body, created_at, expires_at
    FROM idempotency_records
    WHERE partner_id = ? AND route = ? AND key = ?`,
  postgres: `
    SELECT partner_id, route, key, request_hash, state, response_status, response_body, created_at, expires_at
    FROM idempotency_records
    WHERE (partner_id, route, key) IN (SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[]))`,
};

/** IDEMPOTENCY_RECORDS' values: on SQLite exactly one scope. */
export function idempotencyRecordsParams(engine: Engine, scopes: readonly IdempotencyScope[]): unknown[] {
  if (engine === 'postgres') return [scopes.map((s) => s.partnerId), scopes.map((s) => s.route), scopes.map((s) => s.key)];
  if (scopes.length !== 1) throw new Error(`IDEMPOTENCY_RECORDS reads one scope per statement on SQLite, not ${scopes.length}`);
  return idempotencyRecordParams(scopes[0]);
}

/** the scope a row of IDEMPOTENCY_RECORDS answers */
export function scopeOfRow(row: Row): IdempotencyScope {
  return { partnerId: row.partner_id as string, route: row.route as string, key: row.key as string };
}

/**
 * Claims a scope: its record, in progress. Inserts nothing (0 rows changed) when a unique
 * constraint holds the scope already, without failing the caller's transaction. `offer_id`: the
 * offer an offer-scoped route's record is about (confirm), deleted with it by retention; else NULL.
 */
export const CLAIM_IDEMPOTENCY_KEY: EngineSql = {
  sqlite: `
    INSERT INTO idempotency_records (id, partner_id, route, key, request_hash, state, response_status, response_body, created_at, expires_at, offer_id)
    VALUES (?, ?, ?, ?, ?, 'in_progress', NULL, NULL, ?, ?, ?)
    ON CONFLICT DO NOTHING`,
  postgres: `
    INSERT INTO idempotency_records (id, partner_id, route, key, request_hash, state, response_status, response_body, created_at, expires_at, offer_id)
    VALUES ($1, $2, $3, $4, $5, 'in_progress', NULL, NULL, $6, $7, $8)
    ON CONFLICT DO NOTHING`,
};

export function claimIdempotencyKeyParams(
  engine: Engine,
  scope: IdempotencyScope,
  rec: { id: string; requestHash: string; createdAt: Date; expiresAt: Date; offerId?: string | null },
): unknown[] {
  return [
    rec.id,
    scope.partnerId,
    scope.route,
    scope.key,
    rec.requestHash,
    dateParam(engine, rec.createdAt),
    dateParam(engine, rec.expiresAt),
    rec.offerId ?? null,
  ];
}

/** The scope's record done, with the response's status and body. */
export const COMPLETE_IDEMPOTENCY_RECORD: EngineSql = {
  sqlite: `
    UPDATE idempotency_records
    SET state = 'done', response_status = ?, response_body = ?
    WHERE partner_id = ? AND route = ? AND key = ?`,
  postgres: `
    UPDATE idempotency_records
    SET state = 'done', response_status = $1, response_body = $2
    WHERE partner_id = $3 AND route = $4 AND key = $5`,
};

export function completeIdempotencyRecordParams(scope: IdempotencyScope, status: number, body: unknown): unknown[] {
  return [status, body === null || body === undefined ? null : JSON.stringify(body), scope.partnerId, scope.route, scope.key];
}
