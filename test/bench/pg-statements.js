#!/usr/bin/env node
'use strict';
/**
 * Micro-benchmark of Create Offer's inserts on PostgreSQL (item 17, README Performance): one
 * transaction of 8 offers (their offer, quote and analytics rows, the statements the group commit
 * runs) sent as TypeORM sends queries (unnamed: parsed and planned by the server every time)
 * against preparedQuery (named statements, prepared once per connection). Rounds alternate the
 * two in one process, on a throwaway database created through the admin URL and dropped after.
 * Prints wall ms per transaction (the server's work, the round trips, the commit) and this
 * process's CPU ms per transaction.
 *
 *   npm run build && node test/bench/pg-statements.js [admin URL, default postgres://postgres@127.0.0.1:5432/postgres]
 *   (OFFERS_PER_TRANSACTION=1 for transactions of one offer, as on one connection)
 */
require('reflect-metadata');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { DataSource } = require('typeorm');

const DIST = path.resolve(__dirname, '../../dist');
const { buildDataSourceOptions, insertStatements } = require(`${DIST}/libs/database/src`);
const { preparedQuery } = require(`${DIST}/libs/database/src/prepared-query`);
const { ALL_ENTITIES } = require(`${DIST}/apps/api/src/entities`);
const { OfferEntity } = require(`${DIST}/libs/offers/src/entities/offer.entity`);
const { QuoteEntity } = require(`${DIST}/libs/offers/src/entities/quote.entity`);
const { OfferVariantEntity } = require(`${DIST}/libs/offers/src/entities/offer-variant.entity`);
const { newId } = require(`${DIST}/libs/core/src`);

const ADMIN_URL = process.argv[2] || 'postgres://postgres@127.0.0.1:5432/postgres';
const OFFERS_PER_TRANSACTION = Number(process.env.OFFERS_PER_TRANSACTION || 8);
const PER_ROUND = 150;
const ROUNDS = 12;

/** the statements of one group commit of `n` offers, with bench-sized documents (~0.75 KB request, ~3.4 KB response) */
function statements(ds, partnerId, n) {
  const now = new Date();
  const offers = [];
  const quotes = [];
  const variants = [];
  for (let i = 0; i < n; i++) {
    const id = newId();
    offers.push(
      Object.assign(new OfferEntity(), {
        id,
        partnerId,
        offerConfigId: 'bench',
        bundleVersion: 1,
        schemaId: 'travel:v1',
        apiKeyId: partnerId,
        keyMode: 'live',
        currency: 'AUD',
        partnerTransactionId: `T${i}`,
        experiments: [],
        request: { trip: 'x'.repeat(700) },
        response: { offer: 'y'.repeat(3400) },
        status: 'OFFERED',
        bookingId: null,
        expiresAt: now,
        createdAt: now,
        updatedAt: now,
      }),
    );
    for (const code of ['TRAVEL_CANCEL', 'TRAVEL_MEDICAL']) {
      quotes.push(
        Object.assign(new QuoteEntity(), {
          id: newId(),
          offerId: id,
          partnerId,
          productCode: code,
          productName: code,
          currency: 'AUD',
          premiumMinor: 10000,
          surchargeMinor: 0,
          taxMinor: 1000,
          commissionMinor: 2500,
          priceMinor: 11000,
          policyStart: now,
          policyEnd: now,
          pdsUrl: 'https://example.com/pds.pdf',
          experiment: null,
          status: 'OFFERED',
          createdAt: now,
        }),
      );
    }
    variants.push(
      Object.assign(new OfferVariantEntity(), {
        id: newId(),
        offerId: id,
        partnerId,
        offerConfigId: 'bench',
        experimentKey: null,
        variant: null,
        ordinal: 0,
        currency: 'AUD',
        status: 'OFFERED',
        premiumMinor: 0,
        createdAt: now,
      }),
    );
  }
  return [...insertStatements(ds, OfferEntity, offers), ...insertStatements(ds, QuoteEntity, quotes), ...insertStatements(ds, OfferVariantEntity, variants)];
}

async function main() {
  const name = `offers_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const ds = new DataSource({ ...buildDataSourceOptions({ databaseUrl: url.toString(), sqlitePath: '', sqliteSynchronous: 'FULL' }, ALL_ENTITIES), migrationsRun: true });
  try {
    await ds.initialize();
    const partnerId = newId();
    const ways = {
      'unnamed (TypeORM)': async (m, list) => {
        for (const s of list) await m.query(s.sql, s.params);
      },
      'named (preparedQuery)': async (m, list) => {
        for (const s of list) await preparedQuery(m, s.sql, s.params);
      },
    };
    const samples = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? Object.keys(ways) : Object.keys(ways).reverse();
      for (const way of order) {
        const start = process.hrtime.bigint();
        const cpu = process.cpuUsage();
        for (let i = 0; i < PER_ROUND; i++) {
          const list = statements(ds, partnerId, OFFERS_PER_TRANSACTION);
          await ds.transaction((m) => ways[way](m, list));
        }
        const used = process.cpuUsage(cpu);
        samples[way].push({ wall: Number(process.hrtime.bigint() - start) / 1e6 / PER_ROUND, cpu: (used.user + used.system) / 1000 / PER_ROUND });
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    for (const [way, s] of Object.entries(samples)) {
      // the first two rounds warm the JIT and the connections
      const kept = s.slice(2);
      console.log(
        `${way.padEnd(22)} per transaction of ${OFFERS_PER_TRANSACTION} offers: wall ms median ${median(kept.map((x) => x.wall)).toFixed(3)}, ` +
          `min ${Math.min(...kept.map((x) => x.wall)).toFixed(3)}; this process's CPU ms median ${median(kept.map((x) => x.cpu)).toFixed(3)}`,
      );
    }
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
