#!/usr/bin/env node
'use strict';
/**
 * Micro-benchmark of the event loop's group commit on a SQLite file (synchronous=FULL), in one
 * process: `concurrency` callers each loop on `TransactionRunner.run` with a confirm-sized write,
 * while a 1 ms timer measures how long the event loop is held (its delay: what every other
 * request waits). Reports the calls committed per second, the latency of `run` (to its settling),
 * the event loop's delay and utilisation, and the process's CPU per call.
 *
 * Written to measure an asynchronous flush of those commits (synchronous=NORMAL on the main
 * connection, the WAL fdatasync'ed on libuv's thread pool before the calls settle): tried and left
 * out, see test/bench/README.md ("sixth session"). Compare two builds by running it for each,
 * alternating:
 *
 *   npm run build && node test/bench/commit-flush.js [--app-root /tmp/base] [--seconds 5] [--concurrency 50] [--updates 3]
 *
 * Each call updates `--updates` rows of ~3 KB picked at random among 20 000 (a page each, as a
 * confirm changes its offer, quotes and analytics rows) and inserts one of 600 bytes.
 */
require('reflect-metadata');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROOT = path.resolve(flag('--app-root', path.resolve(__dirname, '../..')));
const SECONDS = Number(flag('--seconds', '5'));
const CONCURRENCY = Number(flag('--concurrency', '50'));
/** rows of ~3 KB each call updates, at random among ITEMS */
const UPDATES = Number(flag('--updates', '3'));
const ITEMS = 20000;

const { DataSource } = require(path.join(ROOT, 'node_modules/typeorm'));
const { TransactionRunner } = require(path.join(ROOT, 'dist/libs/database/src'));

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'commit-flush-'));
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: path.join(dir, 'b.sqlite'),
    enableWAL: true,
    prepareDatabase: (db) => db.pragma('synchronous = FULL'),
  });
  await ds.initialize();
  await ds.query('CREATE TABLE log (n INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT NOT NULL, at TEXT NOT NULL)');
  // rows a call updates, one page each (a confirm changes its offer, quotes and analytics rows)
  await ds.query('CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT NOT NULL, status TEXT NOT NULL)');
  await ds.query(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ITEMS}) INSERT INTO item SELECT i, printf('%.3000c', 'x'), 'OFFERED' FROM n`,
  );
  const tx = new TransactionRunner(ds);
  await tx.onApplicationBootstrap();
  const mainSync = (await ds.query('PRAGMA synchronous'))[0].synchronous;

  const payload = 'x'.repeat(600);
  let stop = false;
  let done = 0;
  const latencies = [];
  const caller = async () => {
    while (!stop) {
      const t = performance.now();
      await tx.run(async (m) => {
        for (let u = 0; u < UPDATES; u++) await m.query('UPDATE item SET status = ? WHERE id = ?', [`S${done % 7}`, 1 + Math.floor(Math.random() * ITEMS)]);
        await m.query('INSERT INTO log (what, at) VALUES (?, ?)', [payload, new Date().toISOString()]);
      });
      latencies.push(performance.now() - t);
      done++;
    }
  };
  // warm-up
  const warm = Array.from({ length: CONCURRENCY }, caller);
  await new Promise((r) => setTimeout(r, 1000));
  stop = true;
  await Promise.all(warm);

  latencies.length = 0;
  done = 0;
  stop = false;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const callers = Array.from({ length: CONCURRENCY }, caller);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  stop = true;
  await Promise.all(callers);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  delay.disable();
  latencies.sort((a, b) => a - b);
  const ms = (ns) => (ns / 1e6).toFixed(2);
  console.log(
    JSON.stringify({
      app_root: ROOT,
      main_connection_synchronous: mainSync,
      concurrency: CONCURRENCY,
      updates_per_call: UPDATES,
      calls_per_s: Math.round(done / elapsed),
      run_latency_ms: { p50: pct(latencies, 50).toFixed(2), p99: pct(latencies, 99).toFixed(2), max: latencies[latencies.length - 1].toFixed(2) },
      event_loop_delay_ms: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      event_loop_utilization: Number(elu.utilization.toFixed(3)),
      cpu_us_per_call: Number(((cpu.user + cpu.system) / done).toFixed(1)),
    }),
  );
  await tx.onApplicationShutdown();
  await ds.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
