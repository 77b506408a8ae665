import { newId } from '@app/core';
import { dateParam, type Engine, type SqlStatement } from '@app/database';
import type { PreparedOffer } from '../prepare-offer';

/**
 * What Create Offer stores, as plain data (it crosses to the build threads): the offer with its
 * quotes, the conversion rows for analytics, and, for a request with an idempotency key, the
 * key's record, committed in the same transaction as the offer.
 */
export interface OfferToStore {
  prepared: PreparedOffer;
  key?: OfferKeyRecord;
}

/** An idempotency key's record, done, whose response is the offer's (idempotency_records). */
export interface OfferKeyRecord {
  id: string;
  partnerId: string;
  route: string;
  key: string;
  requestHash: string;
  responseStatus: number;
  createdAt: Date;
  expiresAt: Date;
}

// The statements below list their columns in the same order as the function that binds their
// values (one row's values). A new column goes in the entity, the migrations, both texts of its
// table's statement and its values function.

// Each statement lists its columns in the order of the function that binds one row's values. A
// new column goes in the entity, the migrations, the statements of its table (SQLite's and the
// PostgreSQL one below) and its values function.

export const SQLITE_INSERT_OFFER = `
  INSERT INTO offers (id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency,
                      partner_transaction_id, experiments, request, response, status, booking_id,
                      expires_at, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'OFFERED', NULL, ?, ?, ?)`;

export const SQLITE_INSERT_QUOTE = `
  INSERT INTO quotes (id, offer_id, partner_id, product_code, product_name, currency, premium_minor, surcharge_minor,
                      tax_minor, commission_minor, price_minor, policy_start, policy_end, pds_url, experiment,
                      status, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'OFFERED', ?)`;

/**
 * The offer's conversion rows (analytics): one per experiment variant it was given, or one with no
 * experiment when it was in none; `ordinal` 0 stands for the offer in per-config totals.
 */
export const SQLITE_INSERT_OFFER_VARIANT = `
  INSERT INTO offer_variants (id, offer_id, partner_id, offer_config_id, experiment_key, variant, ordinal, currency,
                              status, premium_minor, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'OFFERED', 0, ?)`;

/**
 * The key's record: `ON CONFLICT DO NOTHING`, and the statement must insert it (`mustChange`):
 * when another request committed the key first, the transaction fails (RowNotChangedError) and
 * nothing of the offer is stored.
 */
export const SQLITE_INSERT_KEY_RECORD = `
  INSERT INTO idempotency_records (id, partner_id, route, key, request_hash, state, response_status, response_body,
                                   created_at, expires_at)
  VALUES (?, ?, ?, ?, ?, 'done', ?, ?, ?, ?)
  ON CONFLICT DO NOTHING`;

/**
 * PostgreSQL: the same four inserts as one statement (one round trip, one fixed text whatever the
 * number of rows): each table's rows as one array per column. The key records' insert is the
 * statement's own part, so its row count is the number of keys inserted (none conflicted).
 */
export const POSTGRES_INSERT_OFFERS = `
  WITH new_offers AS (
    INSERT INTO offers (id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency,
                        partner_transaction_id, experiments, request, response, status, booking_id,
                        expires_at, created_at, updated_at)
    SELECT id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency,
           partner_transaction_id, experiments, request, response, 'OFFERED', NULL,
           expires_at, created_at, updated_at
    FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::int[], $5::varchar[], $6::varchar[], $7::varchar[], $8::varchar[],
                $9::varchar[], $10::text[], $11::text[], $12::text[], $13::timestamp[], $14::timestamp[], $15::timestamp[])
      AS o(id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency,
           partner_transaction_id, experiments, request, response, expires_at, created_at, updated_at)
  ), new_quotes AS (
    INSERT INTO quotes (id, offer_id, partner_id, product_code, product_name, currency, premium_minor, surcharge_minor,
                        tax_minor, commission_minor, price_minor, policy_start, policy_end, pds_url, experiment,
                        status, created_at)
    SELECT id, offer_id, partner_id, product_code, product_name, currency, premium_minor, surcharge_minor,
           tax_minor, commission_minor, price_minor, policy_start, policy_end, pds_url, experiment,
           'OFFERED', created_at
    FROM unnest($16::varchar[], $17::varchar[], $18::varchar[], $19::varchar[], $20::varchar[], $21::varchar[], $22::int[], $23::int[],
                $24::int[], $25::int[], $26::int[], $27::timestamp[], $28::timestamp[], $29::varchar[], $30::text[], $31::timestamp[])
      AS q(id, offer_id, partner_id, product_code, product_name, currency, premium_minor, surcharge_minor,
           tax_minor, commission_minor, price_minor, policy_start, policy_end, pds_url, experiment, created_at)
  ), new_variants AS (
    INSERT INTO offer_variants (id, offer_id, partner_id, offer_config_id, experiment_key, variant, ordinal, currency,
                                status, premium_minor, created_at)
    SELECT id, offer_id, partner_id, offer_config_id, experiment_key, variant, ordinal, currency, 'OFFERED', 0, created_at
    FROM unnest($32::varchar[], $33::varchar[], $34::varchar[], $35::varchar[], $36::varchar[], $37::varchar[], $38::int[], $39::varchar[],
                $40::timestamp[])
      AS v(id, offer_id, partner_id, offer_config_id, experiment_key, variant, ordinal, currency, created_at)
  )
  INSERT INTO idempotency_records (id, partner_id, route, key, request_hash, state, response_status, response_body,
                                   created_at, expires_at)
  SELECT id, partner_id, route, key, request_hash, 'done', response_status, response_body, created_at, expires_at
  FROM unnest($41::varchar[], $42::varchar[], $43::varchar[], $44::varchar[], $45::varchar[], $46::int[], $47::text[],
              $48::timestamp[], $49::timestamp[])
    AS k(id, partner_id, route, key, request_hash, response_status, response_body, created_at, expires_at)
  ON CONFLICT DO NOTHING`;

function offerValues(engine: Engine, p: PreparedOffer): unknown[] {
  const o = p.offer;
  const created = dateParam(engine, o.createdAt);
  return [
    o.id,
    o.partnerId,
    o.offerConfigId,
    o.bundleVersion,
    o.schemaId,
    o.apiKeyId,
    o.keyMode,
    o.currency,
    o.partnerTransactionId,
    JSON.stringify(o.experiments),
    p.requestJson,
    p.json,
    dateParam(engine, o.expiresAt),
    created,
    created,
  ];
}

function quoteValues(engine: Engine, p: PreparedOffer): unknown[][] {
  const o = p.offer;
  const created = dateParam(engine, o.createdAt);
  return p.quotes.map((q) => [
    q.id,
    o.id,
    o.partnerId,
    q.productCode,
    q.productName,
    o.currency,
    q.premiumMinor,
    q.surchargeMinor,
    q.taxMinor,
    q.commissionMinor,
    q.priceMinor,
    dateParam(engine, q.policyStart),
    q.policyEnd === null ? null : dateParam(engine, q.policyEnd),
    q.pdsUrl,
    q.experiment === null ? null : JSON.stringify(q.experiment),
    created,
  ]);
}

function variantValues(engine: Engine, p: PreparedOffer): unknown[][] {
  const o = p.offer;
  const created = dateParam(engine, o.createdAt);
  const experiments: Array<{ key: string | null; variant: string | null }> = o.experiments.length > 0 ? o.experiments : [{ key: null, variant: null }];
  return experiments.map((e, ordinal) => [newId(), o.id, o.partnerId, o.offerConfigId, e.key, e.variant, ordinal, o.currency, created]);
}

function keyValues(engine: Engine, k: OfferKeyRecord, responseJson: string): unknown[] {
  return [k.id, k.partnerId, k.route, k.key, k.requestHash, k.responseStatus, responseJson, dateParam(engine, k.createdAt), dateParam(engine, k.expiresAt)];
}

/** The statements that store `items` in one transaction, for `engine`. */
export function offerInsertStatements(engine: Engine, items: readonly OfferToStore[]): SqlStatement[] {
  return engine === 'sqlite' ? sqliteStatements(items) : [postgresStatement(items)];
}

function sqliteStatements(items: readonly OfferToStore[]): SqlStatement[] {
  const out: SqlStatement[] = [];
  for (const { prepared } of items) {
    out.push({ sql: SQLITE_INSERT_OFFER, params: offerValues('sqlite', prepared) });
    for (const params of quoteValues('sqlite', prepared)) out.push({ sql: SQLITE_INSERT_QUOTE, params });
    for (const params of variantValues('sqlite', prepared)) out.push({ sql: SQLITE_INSERT_OFFER_VARIANT, params });
  }
  for (const { prepared, key } of items) {
    if (key) out.push({ sql: SQLITE_INSERT_KEY_RECORD, params: keyValues('sqlite', key, prepared.json), mustChange: true });
  }
  return out;
}

function postgresStatement(items: readonly OfferToStore[]): SqlStatement {
  const offers: unknown[][] = [];
  const quotes: unknown[][] = [];
  const variants: unknown[][] = [];
  const keys: unknown[][] = [];
  for (const { prepared, key } of items) {
    offers.push(offerValues('postgres', prepared));
    quotes.push(...quoteValues('postgres', prepared));
    variants.push(...variantValues('postgres', prepared));
    if (key) keys.push(keyValues('postgres', key, prepared.json));
  }
  const params = [...columns(offers, 15), ...columns(quotes, 16), ...columns(variants, 9), ...columns(keys, 9)];
  return keys.length > 0 ? { sql: POSTGRES_INSERT_OFFERS, params, mustChange: true, rows: keys.length } : { sql: POSTGRES_INSERT_OFFERS, params };
}

/** rows of values as one array per column (what `unnest` takes) */
function columns(rows: readonly unknown[][], width: number): unknown[][] {
  const out: unknown[][] = Array.from({ length: width }, () => new Array<unknown>(rows.length));
  rows.forEach((row, r) => {
    if (row.length !== width) throw new Error(`a row of ${row.length} values for a statement of ${width} columns`);
    row.forEach((v, c) => (out[c][r] = v));
  });
  return out;
}
