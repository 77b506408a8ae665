#!/usr/bin/env node
'use strict';
/**
 * Micro-benchmark of storing offers on SQLite as Create Offer's build thread does after building
 * them: the insert statements and their values (packing the request and response on SQLite, against
 * the offer configuration's dictionary when the build has them), run in transactions of 20 offers
 * on a migrated database file, in one process, without HTTP. Prints the CPU µs per offer stored
 * (the process's, so V8's GC helper threads count) and, for a build that packs, the CPU µs of
 * packing one offer's documents alone.
 *
 * The file runs with synchronous=OFF: an fsync is time off CPU (the app's commits wait for it, they
 * do not spend CPU on it), and leaving it out keeps this measure to the CPU a build spends.
 *
 *   npm run build && node test/bench/offer-store.js
 *   node test/bench/offer-store.js --compare /tmp/base/dist   # against another build
 *
 * With --compare, both builds are loaded in this one process and its rounds alternate between
 * them, so both see the same moments of the machine. Make the other build as for offer-build.js.
 * Offers are built before each round and not counted: offer-build.js measures that part.
 */
require('reflect-metadata');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DataSource } = require('typeorm');
const { benchOfferBuilder } = require('./bundle');

const ROUNDS = 14;
const WARMUP_ROUNDS = 2;
const PER_ROUND = 2000;
const PER_TRANSACTION = 20;

/** One build's setup: a migrated database of its own, and functions that build and store offers. */
async function setup(dist, dir) {
  const { offerInsertStatements } = require(`${dist}/libs/offers/src/storage/offer-insert.sql`);
  const { buildDataSourceOptions } = require(`${dist}/libs/database/src`);
  const { ALL_ENTITIES } = require(`${dist}/apps/api/src/entities`);
  const core = require(`${dist}/libs/core/src`);

  const dataSource = new DataSource(buildDataSourceOptions({ sqlitePath: path.join(dir, 'offers.sqlite'), sqliteSynchronous: 'OFF' }, ALL_ENTITIES));
  await dataSource.initialize();
  await dataSource.runMigrations();
  const db = dataSource.driver.databaseConnection;

  const build = benchOfferBuilder(dist);

  // the configuration's dictionary, as the app makes it from the first offer stored (builds that have them)
  const sample = build(0);
  const dictionary =
    typeof core.packingDictionaryText === 'function' ? core.packingDictionary(core.packingDictionaryText(sample.requestJson, sample.json)) : undefined;
  // packing alone, as the build stores: both documents in one call where it packs pairs, each alone where it does not
  const pack =
    typeof core.packJsonPair === 'function' && dictionary
      ? (p) => core.packJsonPair(p.requestJson, p.json, dictionary).pair.length
      : typeof core.packJson === 'function'
        ? (p) => core.packJson(p.requestJson, dictionary).length + core.packJson(p.json, dictionary).length
        : undefined;

  const statements = new Map();
  const prepared = (sql) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const storeTransaction = db.transaction((items) => {
    for (const s of offerInsertStatements('sqlite', items)) prepared(s.sql).run(...s.params);
  });
  const store = (offers) => {
    for (let i = 0; i < offers.length; i += PER_TRANSACTION) storeTransaction(offers.slice(i, i + PER_TRANSACTION).map((p) => ({ prepared: p, dictionary })));
  };
  return { build, store, pack, close: () => dataSource.destroy() };
}

/** CPU µs per offer of `work` over `offers`. */
function cpuPerOffer(work, offers) {
  const before = process.cpuUsage();
  work(offers);
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / offers.length;
}

async function main() {
  const args = process.argv.slice(2);
  const here = path.resolve(__dirname, '../../dist');
  const ci = args.indexOf('--compare');
  const dists = [here, ...(ci >= 0 ? [path.resolve(args[ci + 1])] : [])];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offer-store-'));
  try {
    const builds = [];
    for (const [i, dist] of dists.entries()) {
      fs.mkdirSync(path.join(dir, String(i)));
      builds.push(await setup(dist, path.join(dir, String(i))));
    }
    const stored = dists.map(() => []);
    const packed = dists.map(() => []);
    let next = 0;
    for (let r = 0; r < ROUNDS; r++) {
      // alternate which goes first, so neither always follows the other's garbage
      const order = r % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => i).reverse();
      for (const i of order) {
        const offers = Array.from({ length: PER_ROUND }, () => builds[i].build(next++));
        const storeUs = cpuPerOffer(builds[i].store, offers);
        const packUs = builds[i].pack ? cpuPerOffer((batch) => batch.forEach(builds[i].pack), offers) : undefined;
        if (r >= WARMUP_ROUNDS) {
          stored[i].push(storeUs);
          if (packUs !== undefined) packed[i].push(packUs);
        }
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    dists.forEach((dist, i) => {
      const us = stored[i];
      const packing = packed[i].length > 0 ? `; packing one offer's documents alone ${median(packed[i]).toFixed(1)} µs` : '; no packing';
      console.log(
        `${dist}: median ${median(us).toFixed(1)} µs CPU per offer stored (rounds ${Math.min(...us).toFixed(0)}–${Math.max(...us).toFixed(0)})${packing}; ` +
          `${ROUNDS - WARMUP_ROUNDS} rounds of ${PER_ROUND} offers in transactions of ${PER_TRANSACTION}, after ${WARMUP_ROUNDS} warm-up rounds`,
      );
    });
    for (const b of builds) await b.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
