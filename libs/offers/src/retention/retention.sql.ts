import { dateParam, type Engine, type EngineSql } from '@app/database';

/**
 * The SQL of the retention purge (RetentionService) and of its lease (JobLease), per engine: `?`
 * placeholders on SQLite, `$n` on PostgreSQL, each statement with the function that binds its
 * values in placeholder order. A batch of offers is named by its ids: one JSON array read with
 * `json_each` on SQLite, one `varchar[]` on PostgreSQL, so every text is fixed whatever the batch.
 */

// ---------------------------------------------------------------------------------------------
// The lease

/**
 * Takes the job's lease, or renews it: inserts the job's row, or takes it over when this holder
 * already has it or it has run out. The database decides (one row, one statement): 1 row changed
 * when the lease is this holder's until `expires_at`, 0 when another holder's is still valid.
 *   parameters: name, holder, expires at, now
 */
export const ACQUIRE_LEASE: EngineSql = {
  sqlite: `
    INSERT INTO job_leases (name, holder, expires_at)
    VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= ?`,
  postgres: `
    INSERT INTO job_leases (name, holder, expires_at)
    VALUES ($1, $2, $3)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= $4`,
};

export function acquireLeaseParams(engine: Engine, l: { name: string; holder: string; expiresAt: Date; now: Date }): unknown[] {
  return [l.name, l.holder, dateParam(engine, l.expiresAt), dateParam(engine, l.now)];
}

/** Gives the lease up (a clean shutdown): another instance may take it at once. */
export const RELEASE_LEASE: EngineSql = {
  sqlite: `DELETE FROM job_leases WHERE name = ? AND holder = ?`,
  postgres: `DELETE FROM job_leases WHERE name = $1 AND holder = $2`,
};

export function releaseLeaseParams(l: { name: string; holder: string }): unknown[] {
  return [l.name, l.holder];
}

// ---------------------------------------------------------------------------------------------
// Offers never bought

/**
 * A batch of offers never bought whose expiry is before the cutoff, oldest expiry first, read
 * through the partial index `ix_offers_unbought_expires` (its predicate is repeated word for word,
 * which is what lets both engines use it). On PostgreSQL the rows are locked for the batch's
 * transaction, and rows locked by a confirm or an opt-out in progress are skipped (the next run
 * sees them again); on SQLite the transaction is the only writer.
 *   parameters: cutoff, limit
 */
export const UNBOUGHT_OFFERS: EngineSql = {
  sqlite: `
    SELECT id
    FROM offers
    WHERE status IN ('OFFERED', 'OPTED_OUT') AND expires_at < ? AND booking_id IS NULL
    ORDER BY expires_at
    LIMIT ?`,
  postgres: `
    SELECT id
    FROM offers
    WHERE status IN ('OFFERED', 'OPTED_OUT') AND expires_at < $1 AND booking_id IS NULL
    ORDER BY expires_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED`,
};

export function unboughtOffersParams(engine: Engine, cutoff: Date, limit: number): unknown[] {
  return [dateParam(engine, cutoff), limit];
}

/**
 * The batch's conversion rows added to the daily roll-ups, grouped as analytics groups
 * `offer_variants` (partner, UTC day of creation, config, experiment, variant, currency, primary
 * row or not): offers and opt-outs (the offers were never confirmed: nothing else to keep). No
 * experiment is stored as '' (NULLs are distinct in a unique key). Runs before the batch's rows
 * are deleted, in the same transaction.
 *   parameters: the offers' ids
 */
export const ROLL_UP_OFFERS: EngineSql = {
  sqlite: `
    INSERT INTO offer_rollups (partner_id, day, offer_config_id, experiment_key, variant, currency, is_primary,
                               offers, opt_outs)
    SELECT partner_id, substr(created_at, 1, 10) || ' 00:00:00.000', offer_config_id,
           COALESCE(experiment_key, ''), COALESCE(variant, ''), currency, CASE WHEN ordinal = 0 THEN 1 ELSE 0 END,
           COUNT(*), SUM(CASE WHEN status = 'OPTED_OUT' THEN 1 ELSE 0 END)
    FROM offer_variants
    WHERE offer_id IN (SELECT value FROM json_each(?))
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (partner_id, day, offer_config_id, experiment_key, variant, currency, is_primary)
    DO UPDATE SET offers = offer_rollups.offers + excluded.offers, opt_outs = offer_rollups.opt_outs + excluded.opt_outs`,
  postgres: `
    INSERT INTO offer_rollups (partner_id, day, offer_config_id, experiment_key, variant, currency, is_primary,
                               offers, opt_outs)
    SELECT partner_id, date_trunc('day', created_at), offer_config_id,
           COALESCE(experiment_key, ''), COALESCE(variant, ''), currency, CASE WHEN ordinal = 0 THEN 1 ELSE 0 END,
           COUNT(*), SUM(CASE WHEN status = 'OPTED_OUT' THEN 1 ELSE 0 END)
    FROM offer_variants
    WHERE offer_id = ANY($1::varchar[])
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (partner_id, day, offer_config_id, experiment_key, variant, currency, is_primary)
    DO UPDATE SET offers = offer_rollups.offers + excluded.offers, opt_outs = offer_rollups.opt_outs + excluded.opt_outs`,
};

/** What goes with a batch of offers, each through its table's index on offer_id; the offers last. */
export const DELETE_OFFER_QUOTES: EngineSql = {
  sqlite: `DELETE FROM quotes WHERE offer_id IN (SELECT value FROM json_each(?))`,
  postgres: `DELETE FROM quotes WHERE offer_id = ANY($1::varchar[])`,
};

export const DELETE_OFFER_VARIANTS: EngineSql = {
  sqlite: `DELETE FROM offer_variants WHERE offer_id IN (SELECT value FROM json_each(?))`,
  postgres: `DELETE FROM offer_variants WHERE offer_id = ANY($1::varchar[])`,
};

export const DELETE_OFFER_OPT_OUTS: EngineSql = {
  sqlite: `DELETE FROM opt_out_events WHERE offer_id IN (SELECT value FROM json_each(?))`,
  postgres: `DELETE FROM opt_out_events WHERE offer_id = ANY($1::varchar[])`,
};

export const DELETE_OFFER_KEY_RECORDS: EngineSql = {
  sqlite: `DELETE FROM idempotency_records WHERE offer_id IN (SELECT value FROM json_each(?))`,
  postgres: `DELETE FROM idempotency_records WHERE offer_id = ANY($1::varchar[])`,
};

/** The offers themselves, still unbought (the batch's own condition, checked again). */
export const DELETE_OFFERS: EngineSql = {
  sqlite: `
    DELETE FROM offers
    WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('OFFERED', 'OPTED_OUT') AND booking_id IS NULL`,
  postgres: `
    DELETE FROM offers
    WHERE id = ANY($1::varchar[]) AND status IN ('OFFERED', 'OPTED_OUT') AND booking_id IS NULL`,
};

/** The one value of the statements above that take a batch of offers: their ids. */
export function offerIdsParams(engine: Engine, ids: readonly string[]): unknown[] {
  return [engine === 'sqlite' ? JSON.stringify(ids) : [...ids]];
}

/** The statements that roll up and delete a batch, in order (the roll-up reads offer_variants first). */
export const PURGE_OFFER_BATCH: readonly EngineSql[] = [
  ROLL_UP_OFFERS,
  DELETE_OFFER_QUOTES,
  DELETE_OFFER_VARIANTS,
  DELETE_OFFER_OPT_OUTS,
  DELETE_OFFER_KEY_RECORDS,
  DELETE_OFFERS,
];

// ---------------------------------------------------------------------------------------------
// Priced booking changes never applied, finished webhook deliveries

/**
 * A batch of priced changes (cancellation previews, quotes for update) never applied whose
 * confirmation window closed before the cutoff, through the partial index
 * `ix_booking_changes_unapplied_confirm_before`. An applied change is the record of what was done
 * to a booking: it is kept. The outer conditions are checked again on the row deleted (PostgreSQL
 * re-reads a row changed meanwhile).
 *   parameters: cutoff, limit
 */
export const DELETE_UNAPPLIED_CHANGES: EngineSql = {
  sqlite: `
    DELETE FROM booking_changes
    WHERE id IN (SELECT id FROM booking_changes WHERE applied_at IS NULL AND confirm_before < ? ORDER BY confirm_before LIMIT ?)`,
  postgres: `
    DELETE FROM booking_changes
    WHERE id IN (SELECT id FROM booking_changes WHERE applied_at IS NULL AND confirm_before < $1 ORDER BY confirm_before LIMIT $2)
      AND applied_at IS NULL AND confirm_before < $1`,
};

/**
 * A batch of webhook deliveries finished (delivered, or failed for good) before the cutoff. A
 * finished delivery's `next_attempt_at` is when it finished (the dispatcher sets it so), so the
 * batch is read through `ix_webhook_deliveries_due` (status, next_attempt_at). Pending deliveries
 * are never deleted.
 *   parameters: cutoff, limit
 */
export const DELETE_FINISHED_DELIVERIES: EngineSql = {
  sqlite: `
    DELETE FROM webhook_deliveries
    WHERE id IN (
      SELECT id FROM webhook_deliveries WHERE status IN ('delivered', 'failed') AND next_attempt_at < ? LIMIT ?)`,
  postgres: `
    DELETE FROM webhook_deliveries
    WHERE id IN (
      SELECT id FROM webhook_deliveries WHERE status IN ('delivered', 'failed') AND next_attempt_at < $1 LIMIT $2)
      AND status IN ('delivered', 'failed') AND next_attempt_at < $1`,
};

/** the values of DELETE_UNAPPLIED_CHANGES and DELETE_FINISHED_DELIVERIES */
export function cutoffBatchParams(engine: Engine, cutoff: Date, limit: number): unknown[] {
  return [dateParam(engine, cutoff), limit];
}
