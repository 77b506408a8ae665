import { createHash } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { readJson } from '../sql-text';

/*
 * The Erasure migrations' backfill: the lookup keys of the offers and bookings stored before
 * them. The key is worked out here as @app/privacy's lookupKey works it out (a migration keeps
 * the definition it was written with: libs/privacy/src/lookup-key.spec.ts checks they agree).
 */

const ERASED = '[erased]';

function email(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  return v === '' || v === ERASED ? null : v;
}

function customerId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value === '' || value === ERASED) return null;
  return value;
}

/** the first 52 bits of SHA-256(partner id \n kind \n normalised value) */
export function backfillKey(partnerId: string, kind: 'email' | 'customer_id', value: unknown): number | null {
  const normalised = kind === 'email' ? email(value) : customerId(value);
  if (normalised === null) return null;
  const digest = createHash('sha256').update(`${partnerId}\n${kind}\n${normalised}`, 'utf8').digest();
  return digest.readUIntBE(0, 6) * 16 + (digest[6] >> 4);
}

function field(doc: unknown, ...path: string[]): unknown {
  let node = doc;
  for (const name of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[name];
  }
  return node;
}

/** a JSON column read back, or undefined when it cannot be read (then the row keeps no key) */
function document(value: unknown): unknown {
  try {
    return readJson(value);
  } catch {
    return undefined;
  }
}

const BATCH = 2000;

type Engine = 'sqlite' | 'postgres';

/**
 * Sets the keys of every row of `table`, a batch of rows at a time in the order of their id:
 * `keys` works out a row's keys from its partner and JSON document (`source`); each batch's keys
 * are written by one statement. Rows without any key are left NULL.
 */
async function backfill(
  q: QueryRunner,
  engine: Engine,
  table: 'offers' | 'bookings',
  source: string,
  columns: readonly string[],
  keys: (partnerId: string, doc: unknown) => Array<number | null>,
): Promise<void> {
  const select =
    engine === 'sqlite'
      ? `SELECT id, partner_id, ${source} AS doc FROM "${table}" WHERE id > ? ORDER BY id LIMIT ${BATCH}`
      : `SELECT id, partner_id, ${source} AS doc FROM "${table}" WHERE id > $1 ORDER BY id LIMIT ${BATCH}`;
  const set = columns.map((c) => `"${c}" = v."${c}"`).join(', ');
  const update =
    engine === 'sqlite'
      ? `UPDATE "${table}" SET ${set}
         FROM (SELECT json_extract(value, '$[0]') AS id, ${columns.map((c, i) => `json_extract(value, '$[${i + 1}]') AS "${c}"`).join(', ')} FROM json_each(?)) AS v
         WHERE "${table}".id = v.id`
      : `UPDATE "${table}" SET ${set}
         FROM unnest($1::varchar[], ${columns.map((_c, i) => `$${i + 2}::bigint[]`).join(', ')}) AS v(id, ${columns.map((c) => `"${c}"`).join(', ')})
         WHERE "${table}".id = v.id`;
  let after = '';
  for (;;) {
    const rows = (await q.query(select, [after])) as Array<{ id: string; partner_id: string; doc: unknown }>;
    if (rows.length === 0) return;
    after = rows[rows.length - 1].id;
    const keyed = rows.map((r) => ({ id: r.id, keys: keys(r.partner_id, document(r.doc)) })).filter((r) => r.keys.some((k) => k !== null));
    if (keyed.length === 0) continue;
    if (engine === 'sqlite') await q.query(update, [JSON.stringify(keyed.map((r) => [r.id, ...r.keys]))]);
    else await q.query(update, [keyed.map((r) => r.id), ...columns.map((_c, i) => keyed.map((r) => r.keys[i]))]);
  }
}

/** The lookup keys of the stored offers (customer e-mail, customer id) and bookings (policyholder e-mail). */
export async function backfillLookupKeys(q: QueryRunner, engine: Engine): Promise<void> {
  await backfill(q, engine, 'offers', 'request', ['email_key', 'customer_key'], (partnerId, request) => [
    backfillKey(partnerId, 'email', field(request, 'customer', 'email')),
    backfillKey(partnerId, 'customer_id', field(request, 'partner', 'customer_id')),
  ]);
  await backfill(q, engine, 'bookings', 'policyholder', ['email_key'], (partnerId, policyholder) => [
    backfillKey(partnerId, 'email', field(policyholder, 'email')),
  ]);
}
