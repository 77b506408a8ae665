import { newId, type PackingDictionary } from '@app/core';
import { dateParam, packedJsonPairParams, type Engine, type SqlStatement } from '@app/database';
import type { PreparedOffer } from '../prepare-offer';

/**
 * What Create Offer stores, as plain data (it crosses to the build threads): the offer with its
 * quotes, the conversion rows for analytics, and, for a request with an idempotency key, the
 * key's record, committed in the same transaction as the offer.
 */
export interface OfferToStore {
  prepared: PreparedOffer;
  key?: OfferKeyRecord;
  /** on SQLite, the request and response are packed together against it (the offer's configuration's, when there is one; each alone without) */
  dictionary?: PackingDictionary;
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

// A new column goes in the entity, the migrations, the column lists of its table's statements
// (SQLite's and the PostgreSQL one) and the function that gives a row's values by column name.

/** a row's values by column name: SQLite binds them by name (`@id`), PostgreSQL reads them as JSON */
type Row = Record<string, unknown>;

export const SQLITE_INSERT_OFFER = `
  INSERT INTO offers (id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency,
                      partner_transaction_id, experiments, request, response, status, booking_id,
                      expires_at, created_at, updated_at, email_key, customer_key)
  VALUES (@id, @partner_id, @offer_config_id, @bundle_version, @schema_id, @api_key_id, @key_mode, @currency,
          @partner_transaction_id, @experiments, @request, @response, 'OFFERED', NULL,
          @expires_at, @created_at, @updated_at, @email_key, @customer_key)`;

function offerRow(engine: Engine, p: PreparedOffer, dictionary?: PackingDictionary): Row {
  const o = p.offer;
  const created = dateParam(engine, o.createdAt);
  const [request, response] = packedJsonPairParams(engine, p.requestJson, p.json, dictionary);
  return {
    id: o.id,
    partner_id: o.partnerId,
    offer_config_id: o.offerConfigId,
    bundle_version: o.bundleVersion,
    schema_id: o.schemaId,
    api_key_id: o.apiKeyId,
    key_mode: o.keyMode,
    currency: o.currency,
    partner_transaction_id: o.partnerTransactionId,
    experiments: JSON.stringify(o.experiments),
    request,
    response,
    expires_at: dateParam(engine, o.expiresAt),
    created_at: created,
    updated_at: created,
    email_key: o.emailKey ?? null,
    customer_key: o.customerKey ?? null,
  };
}

export const SQLITE_INSERT_QUOTE = `
  INSERT INTO quotes (id, offer_id, partner_id, product_code, product_name, currency, premium_minor, surcharge_minor,
                      tax_minor, commission_minor, price_minor, policy_start, policy_end, pds_url, experiment,
                      status, created_at)
  VALUES (@id, @offer_id, @partner_id, @product_code, @product_name, @currency, @premium_minor, @surcharge_minor,
          @tax_minor, @commission_minor, @price_minor, @policy_start, @policy_end, @pds_url, @experiment,
          'OFFERED', @created_at)`;

function quoteRows(engine: Engine, p: PreparedOffer): Row[] {
  const o = p.offer;
  const created = dateParam(engine, o.createdAt);
  return p.quotes.map((q) => ({
    id: q.id,
    offer_id: o.id,
    partner_id: o.partnerId,
    product_code: q.productCode,
    product_name: q.productName,
    currency: o.currency,
    premium_minor: q.premiumMinor,
    surcharge_minor: q.surchargeMinor,
    tax_minor: q.taxMinor,
    commission_minor: q.commissionMinor,
    price_minor: q.priceMinor,
    policy_start: dateParam(engine, q.policyStart),
    policy_end: q.policyEnd === null ? null : dateParam(engine, q.policyEnd),
    pds_url: q.pdsUrl,
    experiment: q.experiment === null ? null : JSON.stringify(q.experiment),
    created_at: created,
  }));
}

/**
 * The offer's conversion rows (analytics): one per experiment variant it was given, or one with no
 * experiment when it was in none; `ordinal` 0 stands for the offer in per-config totals.
 */
export const SQLITE_INSERT_OFFER_VARIANT = `
  INSERT INTO offer_variants (id, offer_id, partner_id, offer_config_id, experiment_key, variant, ordinal, currency,
                              status, premium_minor, created_at)
  VALUES (@id, @offer_id, @partner_id, @offer_config_id, @experiment_key, @variant, @ordinal, @currency,
          'OFFERED', 0, @created_at)`;

function variantRows(engine: Engine, p: PreparedOffer): Row[] {
  const o = p.offer;
  const created = dateParam(engine, o.createdAt);
  const experiments: Array<{ key: string | null; variant: string | null }> = o.experiments.length > 0 ? o.experiments : [{ key: null, variant: null }];
  return experiments.map((e, ordinal) => ({
    id: newId(),
    offer_id: o.id,
    partner_id: o.partnerId,
    offer_config_id: o.offerConfigId,
    experiment_key: e.key,
    variant: e.variant,
    ordinal,
    currency: o.currency,
    created_at: created,
  }));
}

/**
 * The key's record: `ON CONFLICT DO NOTHING`, and the statement must insert it (`mustChange`):
 * when another request committed the key first, the transaction fails (RowNotChangedError) and
 * nothing of the offer is stored. `offer_id` names the offer, so that retention deletes the
 * record with it.
 */
export const SQLITE_INSERT_KEY_RECORD = `
  INSERT INTO idempotency_records (id, partner_id, route, key, request_hash, state, response_status, response_body,
                                   created_at, expires_at, offer_id)
  VALUES (@id, @partner_id, @route, @key, @request_hash, 'done', @response_status, @response_body,
          @created_at, @expires_at, @offer_id)
  ON CONFLICT DO NOTHING`;

/** the key's record of the offer `p` (its response is the offer's) */
function keyRow(engine: Engine, k: OfferKeyRecord, p: PreparedOffer): Row {
  return {
    id: k.id,
    partner_id: k.partnerId,
    route: k.route,
    key: k.key,
    request_hash: k.requestHash,
    response_status: k.responseStatus,
    response_body: p.json,
    created_at: dateParam(engine, k.createdAt),
    expires_at: dateParam(engine, k.expiresAt),
    offer_id: p.offer.id,
  };
}

/**
 * PostgreSQL: the same four inserts as one statement (one round trip, one fixed text whatever the
 * number of rows). Each table's rows come as one JSON array of rows by column name, read with the
 * table's own row type (`json_populate_recordset`). The key records' insert is the statement's own
 * part, so its row count is the number of keys inserted (none conflicted).
 */
export const POSTGRES_INSERT_OFFERS = `
  WITH new_offers AS (
    INSERT INTO offers (id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency,
                        partner_transaction_id, experiments, request, response, status, booking_id,
                        expires_at, created_at, updated_at, email_key, customer_key)
    SELECT id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency,
           partner_transaction_id, experiments, request, response, 'OFFERED', NULL,
           expires_at, created_at, updated_at, email_key, customer_key
    FROM json_populate_recordset(NULL::offers, $1::json)
  ), new_quotes AS (
    INSERT INTO quotes (id, offer_id, partner_id, product_code, product_name, currency, premium_minor, surcharge_minor,
                        tax_minor, commission_minor, price_minor, policy_start, policy_end, pds_url, experiment,
                        status, created_at)
    SELECT id, offer_id, partner_id, product_code, product_name, currency, premium_minor, surcharge_minor,
           tax_minor, commission_minor, price_minor, policy_start, policy_end, pds_url, experiment,
           'OFFERED', created_at
    FROM json_populate_recordset(NULL::quotes, $2::json)
  ), new_variants AS (
    INSERT INTO offer_variants (id, offer_id, partner_id, offer_config_id, experiment_key, variant, ordinal, currency,
                                status, premium_minor, created_at)
    SELECT id, offer_id, partner_id, offer_config_id, experiment_key, variant, ordinal, currency, 'OFFERED', 0, created_at
    FROM json_populate_recordset(NULL::offer_variants, $3::json)
  )
  INSERT INTO idempotency_records (id, partner_id, route, key, request_hash, state, response_status, response_body,
                                   created_at, expires_at, offer_id)
  SELECT id, partner_id, route, key, request_hash, 'done', response_status, response_body, created_at, expires_at, offer_id
  FROM json_populate_recordset(NULL::idempotency_records, $4::json)
  ON CONFLICT DO NOTHING`;

/** The statements that store `items` in one transaction, for `engine`. */
export function offerInsertStatements(engine: Engine, items: readonly OfferToStore[]): SqlStatement[] {
  return engine === 'sqlite' ? sqliteStatements(items) : [postgresStatement(items)];
}

function sqliteStatements(items: readonly OfferToStore[]): SqlStatement[] {
  const out: SqlStatement[] = [];
  for (const { prepared, dictionary } of items) {
    out.push({ sql: SQLITE_INSERT_OFFER, params: [offerRow('sqlite', prepared, dictionary)] });
    for (const row of quoteRows('sqlite', prepared)) out.push({ sql: SQLITE_INSERT_QUOTE, params: [row] });
    for (const row of variantRows('sqlite', prepared)) out.push({ sql: SQLITE_INSERT_OFFER_VARIANT, params: [row] });
  }
  for (const { prepared, key } of items) {
    if (key) out.push({ sql: SQLITE_INSERT_KEY_RECORD, params: [keyRow('sqlite', key, prepared)], mustChange: true });
  }
  return out;
}

function postgresStatement(items: readonly OfferToStore[]): SqlStatement {
  const offers: Row[] = [];
  const quotes: Row[] = [];
  const variants: Row[] = [];
  const keys: Row[] = [];
  for (const { prepared, key } of items) {
    offers.push(offerRow('postgres', prepared));
    quotes.push(...quoteRows('postgres', prepared));
    variants.push(...variantRows('postgres', prepared));
    if (key) keys.push(keyRow('postgres', key, prepared));
  }
  const params = [JSON.stringify(offers), JSON.stringify(quotes), JSON.stringify(variants), JSON.stringify(keys)];
  return keys.length > 0 ? { sql: POSTGRES_INSERT_OFFERS, params, mustChange: true, rows: keys.length } : { sql: POSTGRES_INSERT_OFFERS, params };
}
