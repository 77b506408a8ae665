#!/usr/bin/env node
'use strict';
/**
 * Retention soak: does the database stop growing under a steady Create Offer load once the purge
 * of unbought offers keeps pace, and what does the purge cost Create Offer's latency?
 *
 * Starts the built app (dist/, `npm run build` first) on a fresh SQLite file with a short
 * retention, writes the benchmark bundle with a short offer TTL, then sends Create Offer at a
 * steady rate (open loop, evenly spaced) for the whole run. Every interval it samples the database
 * file and WAL sizes, the offers stored, the offers purged so far (/metrics) and the latency of the
 * creates answered in that interval. Prints a table and writes JSON.
 *
 *   node test/bench/retention-soak.js [--minutes 10] [--rate 150] [--ttl 30s] [--retention-s 30]
 *        [--interval-s 10] [--purge-every-s 10] [--app-root DIR] [--out FILE] [--keep]
 *
 * An offer is purged `--retention-s` after it expires (`--ttl` after its creation), so once the
 * run is past ttl + retention + one purge interval the number of offers stored, and the file,
 * should stop growing. Latency is reported per interval with whether the purge deleted offers
 * during it, and summarised over the intervals with and without purging.
 */
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { PARTNER, BENCH_BUNDLE, benchRequest } = require('./bundle');

const HOST = '127.0.0.1';
const CREATE_PATH = `/x/partners/${PARTNER}/offers/?extra_fields=tax,commission,benefits`;

function parseArgs(argv) {
  const opts = {
    minutes: 10,
    rate: 150,
    ttl: '30s',
    retentionS: 30,
    intervalS: 10,
    purgeEveryS: 10,
    appRoot: path.join(__dirname, '..', '..'),
    out: null,
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--minutes') opts.minutes = Number(value());
    else if (flag === '--rate') opts.rate = Number(value());
    else if (flag === '--ttl') opts.ttl = value();
    else if (flag === '--retention-s') opts.retentionS = Number(value());
    else if (flag === '--interval-s') opts.intervalS = Number(value());
    else if (flag === '--purge-every-s') opts.purgeEveryS = Number(value());
    else if (flag === '--app-root') opts.appRoot = path.resolve(value());
    else if (flag === '--out') opts.out = path.resolve(value());
    else if (flag === '--keep') opts.keep = true;
    else throw new Error(`unknown option ${flag}`);
  }
  return opts;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request; resolves with status, text and the time it took (ms). */
function send(port, method, urlPath, headers, body) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(
      { host: HOST, port, method, path: urlPath, agent, headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8'), ms: Number(process.hrtime.bigint() - started) / 1e6 }),
        );
      },
    );
    req.on('error', (e) => resolve({ status: 0, text: e.message, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    if (payload) req.write(payload);
    req.end();
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10;
}

function fileSize(f) {
  try {
    return fs.statSync(f).size;
  } catch {
    return 0;
  }
}

/** retention_offers_purged_total from /metrics (0 when absent). */
async function purgedTotal(port) {
  const r = await send(port, 'GET', '/metrics', {});
  const line = r.text.split('\n').find((l) => l.startsWith('retention_offers_purged_total'));
  return line ? Number(line.trim().split(/\s+/).pop()) : 0;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const entry = path.join(opts.appRoot, 'dist/apps/api/src/main.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: npm run build first`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'offers-soak-'));
  const dbFile = path.join(tmp, 'soak.sqlite');
  const port = await freePort();
  const adminKey = `soak-admin-${crypto.randomBytes(16).toString('hex')}`;
  const log = fs.openSync(path.join(tmp, 'app.log'), 'a');
  const child = spawn(process.execPath, [entry], {
    cwd: tmp,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      SQLITE_PATH: dbFile,
      PORT: String(port),
      HOST,
      ADMIN_API_KEY: adminKey,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      OFFER_RETENTION_SECONDS: String(opts.retentionS),
      RETENTION_INTERVAL_S: String(opts.purgeEveryS),
    },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let exited = null;
  child.once('exit', (code, signal) => (exited = { code, signal }));
  try {
    for (let i = 0; ; i++) {
      if (exited) throw new Error(`the app exited during start: ${JSON.stringify(exited)} (log: ${tmp}/app.log)`);
      const r = await send(port, 'GET', '/health/ready', {});
      if (r.status === 200) break;
      if (i > 600) throw new Error('the app was not ready within 60 s');
      await sleep(100);
    }
    const admin = { 'x-admin-key': adminKey };
    const bundle = structuredClone(BENCH_BUNDLE);
    for (const c of bundle.offer_configs) c.offer_ttl = opts.ttl;
    const put = await send(port, 'PUT', `/admin/partners/${PARTNER}/bundle`, admin, bundle);
    if (put.status !== 200) throw new Error(`PUT bundle → ${put.status}: ${put.text.slice(0, 2000)}`);
    const key = await send(port, 'POST', `/admin/partners/${PARTNER}/api-keys`, admin, { mode: 'live', name: 'soak' });
    if (key.status !== 201) throw new Error(`POST api-keys → ${key.status}: ${key.text}`);
    const apiKey = JSON.parse(key.text).key;
    const bodies = Array.from({ length: 1024 }, (_, i) => JSON.stringify(benchRequest(i + 1)));

    console.log(
      `Retention soak: Create Offer at ${opts.rate} req/s for ${opts.minutes} min; offer TTL ${opts.ttl}, retention ${opts.retentionS} s after expiry, purge every ${opts.purgeEveryS} s; SQLite ${dbFile}`,
    );
    const samples = [];
    let latencies = [];
    let failures = 0;
    let sent = 0;
    const started = Date.now();
    const end = started + opts.minutes * 60_000;
    const gapMs = 1000 / opts.rate;
    let next = started;
    let lastPurged = 0;
    let nextSample = started + opts.intervalS * 1000;
    const inFlight = new Set();
    while (Date.now() < end) {
      // send every create whose time has come (open loop: a slow answer does not delay the next)
      const now = Date.now();
      while (next <= now) {
        const p = send(port, 'POST', CREATE_PATH, { 'x-api-key': apiKey }, bodies[sent++ & 1023]).then((r) => {
          if (r.status === 200) latencies.push(r.ms);
          else failures++;
          inFlight.delete(p);
        });
        inFlight.add(p);
        next += gapMs;
      }
      if (now >= nextSample) {
        nextSample += opts.intervalS * 1000;
        const purged = await purgedTotal(port);
        const sorted = latencies.sort((a, b) => a - b);
        const sample = {
          t_s: Math.round((now - started) / 1000),
          db_bytes: fileSize(dbFile),
          wal_bytes: fileSize(`${dbFile}-wal`),
          creates: sorted.length,
          failures,
          purged_in_interval: purged - lastPurged,
          purged_total: purged,
          p50_ms: percentile(sorted, 50),
          p99_ms: percentile(sorted, 99),
          max_ms: sorted.length ? Math.round(sorted[sorted.length - 1] * 10) / 10 : null,
        };
        lastPurged = purged;
        samples.push(sample);
        latencies = [];
        failures = 0;
        console.log(
          `t=${String(sample.t_s).padStart(4)} s  db ${(sample.db_bytes / 1e6).toFixed(1).padStart(6)} MB  wal ${(sample.wal_bytes / 1e6).toFixed(1).padStart(5)} MB  ` +
            `creates ${String(sample.creates).padStart(5)}  purged ${String(sample.purged_in_interval).padStart(5)} (total ${sample.purged_total})  ` +
            `p50 ${sample.p50_ms} ms  p99 ${sample.p99_ms} ms  max ${sample.max_ms} ms${sample.failures ? `  failures ${sample.failures}` : ''}`,
        );
      }
      await sleep(Math.max(0, Math.min(next, nextSample) - Date.now()));
    }
    await Promise.all([...inFlight]);

    const summarise = (list) => {
      const p99s = list
        .map((s) => s.p99_ms)
        .filter((v) => v !== null)
        .sort((a, b) => a - b);
      return { intervals: list.length, median_p99_ms: percentile(p99s, 50), worst_p99_ms: p99s.length ? p99s[p99s.length - 1] : null };
    };
    // the first intervals warm up (compilation, caches): compare the rest
    const steady = samples.slice(3);
    const result = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} CPUs, node ${process.version}`,
      options: opts,
      samples,
      latency_with_purge: summarise(steady.filter((s) => s.purged_in_interval > 0)),
      latency_without_purge: summarise(steady.filter((s) => s.purged_in_interval === 0)),
      db_bytes_first_minute: samples.find((s) => s.t_s >= 60)?.db_bytes ?? null,
      db_bytes_at_end: samples.length ? samples[samples.length - 1].db_bytes : null,
      db_bytes_max: Math.max(0, ...samples.map((s) => s.db_bytes)),
    };
    console.log(`Create Offer p99 per ${opts.intervalS} s interval (after the first three):`);
    console.log(`  while the purge deleted offers: ${JSON.stringify(result.latency_with_purge)}`);
    console.log(`  while it did not:               ${JSON.stringify(result.latency_without_purge)}`);
    console.log(
      `database file: ${(result.db_bytes_first_minute / 1e6).toFixed(1)} MB at one minute, ${(result.db_bytes_max / 1e6).toFixed(1)} MB at most, ${(result.db_bytes_at_end / 1e6).toFixed(1)} MB at the end`,
    );
    const out = opts.out ?? path.join(__dirname, 'results', 'retention-soak.json');
    fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`Wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (exited ? resolve() : child.once('exit', resolve)));
    agent.destroy();
    if (opts.keep) console.log(`Kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
