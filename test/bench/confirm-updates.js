#!/usr/bin/env node
'use strict';
/**
 * Micro-benchmark of confirm's three updates (the offer, its quotes, its analytics rows) in one
 * process, on a migrated SQLite file holding 20 000 offers: as the query builder and
 * `repository.update` ran them before item 16 (README, Performance), against `fastUpdate` (fixed
 * SQL, values bound by the driver). Rounds alternate the two, so both see the same moments of the
 * machine. Prints the CPU µs per confirm (its three updates) inside open transactions: the commit
 * is shared by a group of confirms (item 14) and is not part of this.
 *
 *   npm run build && node test/bench/confirm-updates.js
 */
require('reflect-metadata');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DataSource, In } = require('typeorm');

const DIST = path.resolve(__dirname, '../../dist');
const { buildDataSourceOptions, fastUpdate, oneOf, greaterThan } = require(`${DIST}/libs/database/src`);
const { ALL_ENTITIES } = require(`${DIST}/apps/api/src/entities`);
const { OfferEntity } = require(`${DIST}/libs/offers/src/entities/offer.entity`);
const { QuoteEntity } = require(`${DIST}/libs/offers/src/entities/quote.entity`);
const { OfferVariantEntity } = require(`${DIST}/libs/offers/src/entities/offer-variant.entity`);
const { newId } = require(`${DIST}/libs/core/src`);

const OFFERS = 20000;
const PER_ROUND = 500;
const ROUNDS = 16;
const CONFIRMABLE = ['OFFERED', 'OPTED_OUT'];

async function seed(ds, partnerId, expiresAt) {
  const offers = [];
  const at = '2026-01-01 00:00:00.000';
  await ds.transaction(async (m) => {
    for (let i = 0; i < OFFERS; i++) {
      const offer = { id: newId(), quotes: [newId(), newId()] };
      offers.push(offer);
      await m.query(
        'INSERT INTO offers (id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency, ' +
          'partner_transaction_id, experiments, request, response, status, booking_id, expires_at, created_at, updated_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [offer.id, partnerId, 'c', 1, 's', partnerId, 'live', 'USD', null, '[]', '{}', '{}', 'OFFERED', null, expiresAt, at, at],
      );
      for (const quote of offer.quotes) {
        await m.query(
          'INSERT INTO quotes (id, offer_id, partner_id, product_code, product_name, currency, premium_minor, surcharge_minor, ' +
            'tax_minor, commission_minor, price_minor, policy_start, policy_end, pds_url, experiment, status, created_at) ' +
            'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [quote, offer.id, partnerId, 'p', 'P', 'USD', 100, 0, 0, 0, 100, at, null, null, null, 'OFFERED', at],
        );
      }
      await m.query(
        'INSERT INTO offer_variants (id, offer_id, partner_id, offer_config_id, experiment_key, variant, ordinal, currency, status, premium_minor, created_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [newId(), offer.id, partnerId, 'c', null, null, 0, 'USD', 'OFFERED', 0, at],
      );
    }
  });
  return offers;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confirm-updates-'));
  const ds = new DataSource({
    ...buildDataSourceOptions({ sqlitePath: path.join(dir, 'bench.sqlite'), sqliteSynchronous: 'FULL' }, ALL_ENTITIES),
    migrationsRun: true,
    logging: false,
  });
  await ds.initialize();
  const partnerId = newId();
  const now = new Date();
  const offers = await seed(ds, partnerId, new Date(now.getTime() + 3600e3).toISOString().replace('T', ' ').replace('Z', ''));

  /** before item 16 (the same statements bookings.repository.ts ran) */
  const queryBuilder = async (m, offer) => {
    const r = await m
      .createQueryBuilder()
      .update(OfferEntity)
      .set({ status: 'CONFIRMED', bookingId: `B${offer.id.slice(0, 10)}`, updatedAt: now })
      .where('id = :offerId AND partner_id = :partnerId AND status IN (:...states) AND expires_at > :now', { offerId: offer.id, partnerId, states: CONFIRMABLE, now })
      .execute();
    if (r.affected !== 1) throw new Error(`query builder: ${r.affected} offers updated`);
    await m.getRepository(QuoteEntity).update({ offerId: offer.id, id: In(offer.quotes) }, { status: 'CONFIRMED' });
    await m.query(`UPDATE "offer_variants" SET "status" = 'CONFIRMED', "premium_minor" = ? WHERE "offer_id" = ?`, [200, offer.id]);
  };
  /** item 16 */
  const fixedSql = async (m, offer) => {
    const n = await fastUpdate(
      m,
      OfferEntity,
      { status: 'CONFIRMED', bookingId: `B${offer.id.slice(0, 10)}`, updatedAt: now },
      { id: offer.id, partnerId, status: oneOf(CONFIRMABLE), expiresAt: greaterThan(now) },
    );
    if (n !== 1) throw new Error(`fastUpdate: ${n} offers updated`);
    await fastUpdate(m, QuoteEntity, { status: 'CONFIRMED' }, { offerId: offer.id, id: oneOf(offer.quotes) });
    await fastUpdate(m, OfferVariantEntity, { status: 'CONFIRMED', premiumMinor: 200 }, { offerId: offer.id });
  };

  const ways = { 'query builder': queryBuilder, fastUpdate: fixedSql };
  const perConfirm = { 'query builder': [], fastUpdate: [] };
  let next = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['query builder', 'fastUpdate'] : ['fastUpdate', 'query builder'];
    for (const name of order) {
      await ds.transaction(async (m) => {
        const start = process.cpuUsage();
        for (let i = 0; i < PER_ROUND; i++) await ways[name](m, offers[next++]);
        const used = process.cpuUsage(start);
        perConfirm[name].push((used.user + used.system) / PER_ROUND);
      });
    }
  }
  for (const [name, samples] of Object.entries(perConfirm)) {
    // the first two rounds warm the JIT and the statement caches
    const sorted = samples.slice(2).sort((a, b) => a - b);
    console.log(`${name.padEnd(14)} µs of CPU per confirm (3 updates): median ${sorted[sorted.length >> 1].toFixed(1)}, min ${sorted[0].toFixed(1)}`);
  }
  await ds.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
