#!/usr/bin/env node
'use strict';
/**
 * How long a page of `GET …/bookings/` takes with many bookings: fills a migrated database (a
 * SQLite file, or with --postgres URL a throwaway PostgreSQL database) with `--bookings` bookings
 * of one partner spread over a year (a tenth of them CANCELLED, each with its own
 * partner_transaction_id) and a tenth as many of another partner, then times the list query of the
 * built app (BookingChangesRepository.list: the count and one page of 20) for each filter and
 * offset, and prints the plan of each count.
 *
 *   npm run build && node test/bench/booking-list.js [--bookings 1000000] [--rounds 5] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
 */
require('reflect-metadata');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { randomBytes } = require('node:crypto');

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROOT = path.resolve(flag('--app-root', path.resolve(__dirname, '../..')));
const BOOKINGS = Number(flag('--bookings', '1000000'));
const ROUNDS = Number(flag('--rounds', '5'));
const PG_ADMIN = flag('--postgres', undefined);

const { DataSource } = require(path.join(ROOT, 'node_modules/typeorm'));
const { buildDataSourceOptions } = require(path.join(ROOT, 'dist/libs/database/src'));
const { ALL_ENTITIES } = require(path.join(ROOT, 'dist/apps/api/src/entities'));
const { BookingEntity } = require(path.join(ROOT, 'dist/libs/offers/src/entities/booking.entity'));
const { BookingChangesRepository } = require(path.join(ROOT, 'dist/libs/offers/src/bookings/lifecycle/booking-changes.repository'));

const PARTNER = '00000000-0000-4000-8000-00000000000a';
const OTHER = '00000000-0000-4000-8000-00000000000b';

/** `n` bookings of `partner`, the i-th created i × (a year / n) after 2026-01-01 */
function fillSql(engine, partner, n, prefix) {
  const response = `'{"id":"' || ${engine === 'postgres' ? 'i::text' : 'i'} || '","status":"CONFIRMED","policyholder":{"first_name":"Ada","last_name":"Lovelace"},"quotes":[]}'`;
  const status = `CASE WHEN i % 10 = 0 THEN 'CANCELLED' ELSE 'CONFIRMED' END`;
  const step = Math.floor((365 * 86_400) / n);
  if (engine === 'postgres') {
    return `
      INSERT INTO bookings (id, offer_id, partner_id, api_key_id, offer_config_id, status, currency, total_price_minor, total_tax_minor,
                            total_premium_minor, partner_transaction_id, policyholder, response, created_at, updated_at)
      SELECT '${prefix}' || lpad(i::text, 10, '0'), gen_random_uuid()::text, '${partner}', '${partner}', 'cfg', ${status}, 'EUR', 12000, 1000, 11000,
             'T-${prefix}-' || i, '{}', ${response},
             timestamp '2026-01-01' + make_interval(secs => i * ${step}), timestamp '2026-01-01' + make_interval(secs => i * ${step})
      FROM generate_series(1, ${n}) AS i`;
  }
  return `
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})
    INSERT INTO bookings (id, offer_id, partner_id, api_key_id, offer_config_id, status, currency, total_price_minor, total_tax_minor,
                          total_premium_minor, partner_transaction_id, policyholder, response, created_at, updated_at)
    SELECT '${prefix}' || printf('%010d', i), lower(hex(randomblob(16))), '${partner}', '${partner}', 'cfg', ${status}, 'EUR', 12000, 1000, 11000,
           'T-${prefix}-' || i, '{}', ${response},
           datetime('2026-01-01', '+' || (i * ${step}) || ' seconds'), datetime('2026-01-01', '+' || (i * ${step}) || ' seconds')
    FROM n`;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'booking-list-'));
  let dropPg = null;
  let databaseUrl;
  if (PG_ADMIN) {
    const { Client } = require(path.join(ROOT, 'node_modules/pg'));
    const name = `offers_list_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(PG_ADMIN);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropPg = async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  }
  const options = buildDataSourceOptions(
    { databaseUrl, sqlitePath: path.join(dir, 'offers.sqlite'), sqliteSynchronous: 'NORMAL', pgNamedStatements: true },
    ALL_ENTITIES,
  );
  const ds = new DataSource({ ...options, migrationsRun: true });
  await ds.initialize();
  const engine = options.type === 'postgres' ? 'postgres' : 'sqlite';
  try {
    let t = performance.now();
    await ds.query(fillSql(engine, PARTNER, BOOKINGS, 'A'));
    await ds.query(fillSql(engine, OTHER, Math.max(1, Math.floor(BOOKINGS / 10)), 'B'));
    // as autovacuum leaves a table at rest: statistics, and on PostgreSQL the visibility map that index-only scans need
    await ds.query(engine === 'postgres' ? 'VACUUM ANALYZE bookings' : 'ANALYZE');
    console.log(
      `${engine}: ${BOOKINGS} bookings of one partner and ${Math.floor(BOOKINGS / 10)} of another, written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const repo = new BookingChangesRepository(ds.getRepository(BookingEntity));
    const march = { createdFrom: new Date(Date.UTC(2026, 2, 1)), createdTo: new Date(Date.UTC(2026, 3, 1)) };
    const cases = [
      ['no filter, first page', {}, 0],
      ['no filter, offset 1 000', {}, 1000],
      ['no filter, offset 100 000', {}, 100000],
      ['status=CANCELLED', { status: 'CANCELLED' }, 0],
      ['partner_transaction_id', { partnerTransactionId: `T-A-${Math.floor(BOOKINGS / 2)}` }, 0],
      ['created_from/created_to (one month)', march, 0],
      ['status=CONFIRMED + one month', { status: 'CONFIRMED', ...march }, 0],
    ];
    console.log('case | count | page size | median ms (count + page) | max ms');
    for (const [label, filter, offset] of cases) {
      const times = [];
      let result;
      for (let r = 0; r < ROUNDS; r++) {
        t = performance.now();
        result = await repo.list({ partnerId: PARTNER, ...filter }, 20, offset);
        times.push(performance.now() - t);
      }
      console.log(`${label} | ${result.count} | ${result.results.length} | ${median(times).toFixed(1)} | ${Math.max(...times).toFixed(1)}`);
    }
    // the plan of the count of each filter: an index that starts with partner_id serves it
    const explain = engine === 'postgres' ? 'EXPLAIN' : 'EXPLAIN QUERY PLAN';
    for (const [label, filter] of cases.filter((c) => c[2] === 0)) {
      const q = ds.getRepository(BookingEntity).createQueryBuilder('b').where('b.partnerId = :p', { p: PARTNER });
      if (filter.status) q.andWhere('b.status = :s', { s: filter.status });
      if (filter.partnerTransactionId) q.andWhere('b.partnerTransactionId = :t', { t: filter.partnerTransactionId });
      if (filter.createdFrom) q.andWhere('b.createdAt >= :f AND b.createdAt < :to', { f: filter.createdFrom, to: filter.createdTo });
      const [sql, params] = q.select('COUNT(*)', 'n').getQueryAndParameters();
      const plan = await ds.query(`${explain} ${sql}`, params);
      const lines = plan.map((row) => row['QUERY PLAN'] ?? row.detail).join(' / ');
      console.log(`plan (${label}): ${lines}`);
    }
  } finally {
    await ds.destroy();
    if (dropPg) await dropPg();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
