#!/usr/bin/env node
'use strict';
/**
 * `npm run bench` — the load benchmark (issue 6; figures in docs/performance.md).
 *
 * Builds if needed, starts the built app (a child process) on a fresh SQLite file in a temp dir,
 * writes the benchmark bundle (test/bench/bundle.js) through the admin API, creates a live key,
 * then drives the app from THIS process with autocannon on 127.0.0.1:
 *   1. GET /health/live                          (the framework's floor on this machine)
 *   2. POST /x/partners/BENCH/offers/            (realistic request, every offer persisted; the
 *      database growth per offer stored is reported as bytes per offer)
 *      and, for information, the same on 1 connection (latency without queueing), at half the
 *      measured throughput (latency under a load the machine carries), and the route's floor:
 *      the same request with an unknown schema (422 after parsing, auth and rate limit); and
 *      create and confirm paced together (a busy checkout: where the two routes' writes meet)
 *   3. POST /x/partners/BENCH/offers/{id}/confirm/ on offers created in step 2 (each once)
 * Each step is one continuous autocannon run: a warm-up (at least --warmup seconds, and until every
 * connection has been answered once), then the measured window, from which every figure comes.
 * Prints a table, writes test/bench/results/latest.json and says which targets are met. Asserts
 * nothing: exits 0 even when a target is missed (1 only when the benchmark itself cannot run).
 * The app's RSS, CPU and main-thread scheduling (/proc, Linux) are sampled every second.
 *
 * Options:
 *   --duration N     measured seconds per step (default 10; 60 for the memory soak)
 *   --warmup N       warm-up seconds per step (default 3)
 *   --connections N  concurrent connections (default 50)
 *   --profile        run the app under `node --cpu-prof`; writes the profile to
 *                    test/bench/results/profiles/ (git-ignored) and a summary of the top
 *                    self-time functions per step to test/bench/results/profile-summary.txt.
 *                    Results go to results/latest-profile.json (git-ignored: profiling slows the app).
 *   --out FILE       where to write the JSON results (default results/latest.json)
 *   --keep           keep the temp dir (SQLite file, app log) for inspection
 *   --app-root DIR   benchmark another checkout (built there if needed), e.g. an export of a
 *                    commit (`git archive <rev> | tar -x -C DIR`, node_modules symlinked) to
 *                    compare before/after; default: this repository
 *   --label TEXT     free text stored in the results (e.g. which commit --app-root holds)
 *   --node-flags "F" extra flags for the app's node process (e.g. "--max-semi-space-size=32"),
 *                    recorded in the results
 *   --env NAME=VALUE an app environment variable (repeatable), e.g. --env OFFER_BUILD_THREADS=0,
 *                    recorded in the results
 *   --quick          health and create offer only (for comparing changes; not a full result)
 *   --with-confirm   with --quick: the confirm steps too (create and confirm paced together; confirm)
 *   --with-idempotency with --quick: the create step with X-Idempotency-Key too
 *   --webhooks       after the confirm step, the same step again with a webhook endpoint for
 *                    booking.created pointing at a receiver in this process (127.0.0.1, answering
 *                    200): confirm with each booking's delivery written and sent in the background
 *                    (steps.confirm_with_webhooks, beside steps.confirm; with --quick, needs
 *                    --with-confirm), and how many deliveries the receiver got.
 *                    Then the paced create-and-confirm step again while they are sent
 *                    (steps.create_and_confirm_paced_with_webhooks)
 *   --webhook-receiver ok|hang|none   with --webhooks: the receiver answers 200 (default), never
 *                    answers (every attempt times out: what a dead receiver costs create and
 *                    confirm), or no endpoint is registered (the control arm of a paired comparison)
 *   --admin          first, an operator's requests on the app at rest (admin preview with the bundle
 *                    in force, with a candidate bundle, and bundle writes): ms per request, and the
 *                    CPU of the app's main thread each one takes (what partner requests wait behind)
 *   --curve F,F,...  after the create step, create offer paced (open loop, evenly spaced) at each
 *                    fraction F of the req/s it just reached, e.g. --curve 0.25,0.5,0.75,0.9: latency
 *                    against load, and the highest of those rates whose p99 meets the target
 *   --postgres URL   run on PostgreSQL instead of SQLite: URL is an admin connection (e.g.
 *                    postgres://postgres@127.0.0.1:5432/postgres); a fresh database is created
 *                    for the run and dropped after it. Write results elsewhere with --out. When the
 *                    server runs on this machine, its CPU per request is reported too
 *                    (postgres_server_cpu_ms_per_request: every `postgres` process).
 *   --redis URL      with Redis (REDIS_URL, as on a fleet; a fresh REDIS_KEY_PREFIX per run):
 *                    shared rate limits and configuration cache. When the server runs on this
 *                    machine, its CPU per request is reported too (redis_server_cpu_ms_per_request).
 *   --cold-start     last, a restarted instance: the run's app is stopped and a new app process is
 *                    started on the same database (SQLite file or PostgreSQL database, and the same
 *                    Redis key prefix) with the benchmark partner configured and the run's offers
 *                    stored. Measures start-to-ready (spawn to the first 200 of GET /health/ready,
 *                    polled every 20 ms), then, from that 200, create offer paced (open loop,
 *                    evenly spaced, as --curve) at half the create step's req/s for 20 s: latency
 *                    by send time in the first 10 s and the next 10 s (steps.cold_start), and the
 *                    target cold_start_p99: first-window p99 <= 2 × next-window p99 + 10 ms, every
 *                    request 2xx, and the next window steady, else it is no reference: the p50 of
 *                    its first 2 s <= 2 × that of its last 2 s + 10 ms (the first window's queue
 *                    has drained) and it answers >= 95 % of the rate (no queue grows). The new
 *                    processes run without --profile's profiler.
 *                    Compare with the app's warm-up off: --env WARMUP_MAX_SECONDS=0
 *   --cold-rate N    with --cold-start: pace at N req/s instead of half the create step's req/s
 *   --cold-fresh     with --cold-start: also the same on a brand-new database (SQLite file, or
 *                    PostgreSQL database, and Redis key prefix of its own) where only the benchmark
 *                    partner was configured (bundle, live key, one offer) before the restart
 *                    (steps.cold_start_fresh, target cold_start_fresh_p99)
 */
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const net = require('node:net');
const nodeHttp = require('node:http');
const { performance } = require('node:perf_hooks');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { PARTNER, BENCH_BUNDLE, benchRequest, CONFIRM_POLICYHOLDER } = require('./bundle');
const { summarise } = require('./profile');
const { createThrowawayDatabase } = require('../support/pg-database');

const REPO = path.resolve(__dirname, '../..');
const RESULTS = path.join(__dirname, 'results');
const PROFILES = path.join(RESULTS, 'profiles');
let ROOT = REPO; // the checkout whose dist/ is benchmarked (--app-root)
let ENTRY = path.join(ROOT, 'dist/apps/api/src/main.js');
const HOST = '127.0.0.1';
const CREATE_QUERY = '?extra_fields=tax,commission,benefits';
const POOL_CAP = 500000;
/** informational steps: not counted in the targets or in the memory figure */
const INFO_STEPS = [
  'create_offer_1_connection',
  'create_offer_half_rate',
  'create_offer_route_floor',
  'create_offer_idempotent',
  'create_and_confirm_paced',
  'confirm_with_webhooks',
  'create_and_confirm_paced_with_webhooks',
];
/** the steps of --curve: create offer paced at a fraction of its saturated req/s (informational too) */
const CURVE_STEP = /^create_offer_at_(\d+)pct$/;
const isInfoStep = (name) => INFO_STEPS.includes(name) || CURVE_STEP.test(name);

const TARGETS = { ratio: 0.5, createP99Ms: 30, non2xx: 0, rssGrowthPct: 10 };

// ---------------------------------------------------------------------------------------------
// options

function parseArgs(argv) {
  const opts = { duration: 10, warmup: 3, connections: 50, profile: false, out: null, keep: false };
  const num = (name, v, min) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) {
      console.error(`${name} must be a number >= ${min}, got "${v}"`);
      process.exit(2);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? a.split(/=(.*)/s) : [a, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--duration') opts.duration = num('--duration', value(), 1);
    else if (flag === '--warmup') opts.warmup = num('--warmup', value(), 0);
    else if (flag === '--connections') opts.connections = Math.floor(num('--connections', value(), 1));
    else if (flag === '--profile') opts.profile = true;
    else if (flag === '--keep') opts.keep = true;
    else if (flag === '--out') opts.out = path.resolve(value());
    else if (flag === '--app-root') opts.appRoot = path.resolve(value());
    else if (flag === '--label') opts.label = value();
    else if (flag === '--node-flags') opts.nodeFlags = value().split(/\s+/).filter(Boolean);
    else if (flag === '--postgres') opts.postgres = value();
    else if (flag === '--redis') opts.redis = value();
    else if (flag === '--quick') opts.quick = true;
    else if (flag === '--with-confirm') opts.withConfirm = true;
    else if (flag === '--with-idempotency') opts.withIdempotency = true;
    else if (flag === '--webhooks') opts.webhooks = true;
    else if (flag === '--webhook-receiver') {
      opts.webhookReceiver = value();
      if (!['ok', 'hang', 'none'].includes(opts.webhookReceiver)) {
        console.error('--webhook-receiver takes ok (answers 200), hang (never answers) or none (no endpoint)');
        process.exit(2);
      }
    } else if (flag === '--admin') opts.admin = true;
    else if (flag === '--cold-start') opts.coldStart = true;
    else if (flag === '--cold-fresh') opts.coldFresh = true;
    else if (flag === '--cold-rate') opts.coldRate = num('--cold-rate', value(), 1);
    else if (flag === '--curve') {
      opts.curve = String(value())
        .split(',')
        .map((f) => num('--curve', f.trim(), 0.01));
      if (opts.curve.some((f) => f > 1)) {
        console.error('--curve takes fractions of the saturated req/s, each in (0, 1]');
        process.exit(2);
      }
    } else if (flag === '--env') {
      const pair = value();
      const eq = pair.indexOf('=');
      if (eq < 1) {
        console.error(`--env takes NAME=VALUE, got "${pair}"`);
        process.exit(2);
      }
      (opts.env ??= {})[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else if (flag === '--help' || flag === '-h') {
      const lines = fs.readFileSync(__filename, 'utf8').split('\n');
      console.log(lines.slice(2, lines.indexOf(' */') + 1).join('\n'));
      process.exit(0);
    } else {
      console.error(`unknown option ${a} (try --help)`);
      process.exit(2);
    }
  }
  if ((opts.coldFresh || opts.coldRate) && !opts.coldStart) {
    console.error('--cold-fresh and --cold-rate go with --cold-start');
    process.exit(2);
  }
  opts.out ??= path.join(RESULTS, opts.profile ? 'latest-profile.json' : 'latest.json');
  if (opts.appRoot) {
    ROOT = opts.appRoot;
    ENTRY = path.join(ROOT, 'dist/apps/api/src/main.js');
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowUs = () => Number(process.hrtime.bigint() / 1000n); // CLOCK_MONOTONIC, as V8 profile timestamps

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MB, from /proc (Linux); null elsewhere or once it exited. */
function rssMb(pid) {
  return rssDetail(pid).rss;
}

/** VmRSS and its parts: RssAnon (JS heap, native allocations), RssFile (mapped files), in MB. */
function rssDetail(pid) {
  const out = { rss: null, anon: null, file: null };
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    for (const [k, name] of [
      ['rss', 'VmRSS'],
      ['anon', 'RssAnon'],
      ['file', 'RssFile'],
    ]) {
      const m = new RegExp(`${name}:\\s+(\\d+)\\s+kB`).exec(status);
      if (m) out[k] = Math.round((Number(m[1]) / 1024) * 10) / 10;
    }
  } catch {
    /* not Linux, or the process is gone */
  }
  return out;
}

/** Least-squares slope of evenly spaced (1 s) samples, in MB per minute. */
function slopePerMin(samples) {
  const n = samples.length;
  if (n < 3) return null;
  const mx = (n - 1) / 2;
  const my = samples.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  samples.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return Math.round((num / den) * 60 * 10) / 10;
}

async function http(base, method, url, { headers = {}, body } = {}) {
  const res = await fetch(base + url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

function runAutocannon(opts, onInstance) {
  if (opts.pacedLoads) return runPaced(opts, onInstance);
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    if (onInstance) onInstance(instance);
  });
}

/**
 * Open-loop loads at steady rates (`pacedLoads`: one or more `{ rate, request, label }`, side by
 * side): each `rate` requests per second, evenly spaced (sent on a
 * ~1 ms tick, each at its turn whether or not earlier ones were answered), over keep-alive
 * connections (at most `connections`). autocannon's own rate option cannot do this: it lets each
 * connection send its whole second's quota back to back and then wait for the next second, so the
 * app sees bursts at full speed. Latency is counted from the moment a request is issued (within
 * ~1 ms of its turn, the timer's granularity), so a request waiting for a free connection counts
 * that wait. Emits what runStep reads of an autocannon instance: 'response' (client, status, bytes,
 * ms, and the load's label) and 'reqError' (the error), each with the request's issue time last
 * (performance.now(); `startedAt` is the load's start on that clock); `stop()` ends it.
 */
function runPaced(opts, onInstance) {
  return new Promise((resolve) => {
    const url = new URL(opts.url);
    const agent = new nodeHttp.Agent({ keepAlive: true, maxSockets: opts.connections });
    const start = performance.now();
    const loads = opts.pacedLoads.map((l) => ({
      ...l,
      every: 1000 / l.rate,
      sent: 0,
    }));
    const instance = new EventEmitter();
    instance.startedAt = start;
    const counts = { total: 0, non2xx: 0, errors: 0 };
    let inFlight = 0;
    let stopped = false;
    let timer = null;
    const finish = () => {
      if (!stopped || inFlight > 0) return;
      agent.destroy();
      resolve({ requests: { total: counts.total }, non2xx: counts.non2xx, errors: counts.errors });
    };
    const fire = (template, label) => {
      const issuedAt = performance.now();
      let req = { method: template.method, path: template.path, headers: { ...(template.headers || {}) }, body: template.body };
      if (template.setupRequest) req = template.setupRequest(req) || req;
      const body = req.body === undefined ? undefined : String(req.body);
      const headers = { ...req.headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) };
      inFlight++;
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        inFlight--;
        finish();
      };
      const r = nodeHttp.request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - issuedAt;
          const text = Buffer.concat(chunks).toString('utf8');
          counts.total++;
          if (res.statusCode < 200 || res.statusCode > 299) counts.non2xx++;
          if (template.onResponse) template.onResponse(res.statusCode, text);
          instance.emit('response', res.socket, res.statusCode, text.length, ms, label, issuedAt);
          done();
        });
        res.on('error', (e) => {
          if (settled) return;
          counts.errors++;
          instance.emit('reqError', e, issuedAt);
          done();
        });
      });
      r.setTimeout((opts.timeout || 30) * 1000, () => r.destroy(new Error('request timed out')));
      r.on('error', (e) => {
        if (settled) return;
        counts.errors++;
        instance.emit('reqError', e, issuedAt);
        done();
      });
      r.end(body);
    };
    const tick = () => {
      if (stopped) return;
      const elapsed = performance.now() - start;
      for (const l of loads) {
        const due = Math.floor(elapsed / l.every);
        for (; l.sent < due; l.sent++) fire(l.request, l.label);
      }
      timer = setTimeout(tick, 1);
    };
    instance.stop = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      finish();
    };
    if (onInstance) onInstance(instance);
    tick();
  });
}

/** CPU seconds (user + system) the process has used, from /proc/<pid>/stat; null elsewhere. */
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/**
 * CPU seconds of every PostgreSQL server process on this machine (comm `postgres`: the postmaster,
 * its background processes and the backends), by pid. The app's pools keep their backends for the
 * whole run, so a step's delta (postgresCpuDelta) is the server's CPU for that step.
 */
function postgresCpu() {
  const out = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const seconds = cpuSeconds(entry);
    if (seconds !== null) out.set(entry, seconds);
  }
  return out;
}

/** seconds of server CPU between two postgresCpu() readings (a backend started since counts from zero) */
function postgresCpuDelta(start, end) {
  let total = 0;
  for (const [pid, seconds] of end) total += seconds - (start.get(pid) ?? 0);
  return total;
}

const pct = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : null);
const r1 = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);

/** Growth of the post-GC floor: lowest sample of the last third vs the first third (null below 9 samples). */
function floorGrowth(samples) {
  const third = Math.floor(samples.length / 3);
  if (third < 3) return null;
  const a = Math.min(...samples.slice(0, third));
  const b = Math.min(...samples.slice(samples.length - third));
  return Math.round(((b - a) / a) * 1000) / 10;
}

/** The app's main (JS) thread: ns on CPU and ns waiting for a CPU (run queue), from /proc/<pid>/schedstat. */
function schedstat(pid) {
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { run, wait };
  } catch {
    return null;
  }
}

/**
 * CPU ns so far per thread group of the app: the main (JS) thread, the threads the app names
 * (offer-build, sqlite-writer: they write their name to /proc/thread-self/comm), and the rest
 * (V8's GC and compiler helpers, libuv) as `other`.
 */
function threadCpu(pid) {
  const out = {};
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        const run = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        const comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        const group = tid === String(pid) ? 'main' : comm === 'node' ? 'other' : comm;
        out[group] = (out[group] || 0) + run;
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    return null;
  }
  return out;
}

/**
 * One step: ONE continuous autocannon run, split into a warm-up and a measured window. Statistics
 * come from the measured window only (autocannon's own summary would mix in the warm-up).
 *
 * The warm-up lasts `warmup` seconds AND until every connection has had a response: a saturated
 * Node server accepts new connections slowly (under load one connection is accepted every
 * few hundred ms here), so the first request of a late connection waits seconds in the
 * kernel's accept queue; starting a fresh autocannon run for the measurement would put that
 * start-up artefact into the percentiles. How long connections waited for their first response is
 * reported as `first_response_ms`.
 *
 * During the measured window a 1 s sampler records the app's RSS, its CPU use (% of one core) and
 * the responses completed, so a soak shows whether memory is flat and whether the app stalls.
 */
async function runStep(app, name, acOpts, opts, { maxWarmupS = 60, expectStatus } = {}) {
  const pid = app.child.pid;
  // a paced step (runPaced) opens only the connections its rate needs: one answer ends its warm-up
  const connections = acOpts.pacedLoads ? 1 : acOpts.connections;
  const answered = new Set();
  const firstResponse = [];
  let phase = 'warmup';
  const m = { latencies: [], codes: {}, non2xx: 0, errors: 0, timeouts: 0, count: 0, byLabel: {} };
  const series = { rss_mb: [], app_cpu_pct: [], responses: [], max_latency_ms: [] };
  let secResponses = 0;
  let secMax = 0;
  let window = null;
  let sampler = null;
  let instance = null;
  const t0 = Date.now();
  process.stdout.write(`- ${name}: warm-up`);

  const startMeasuring = () => {
    phase = 'measure';
    process.stdout.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s (${answered.size}/${connections} connections answered), measuring ${opts.duration} s`);
    window = {
      startUs: nowUs(),
      startMs: Date.now(),
      cpuStart: cpuSeconds(pid),
      redisCpuStart: opts.redisPid ? cpuSeconds(opts.redisPid) : null,
      pgCpuStart: opts.postgresLocal ? postgresCpu() : null,
      schedStart: schedstat(pid),
      threadsStart: threadCpu(pid),
      rssBefore: rssMb(pid),
      selfCpu: process.cpuUsage(),
      selfSched: schedstat('self'),
    };
    let lastCpu = window.cpuStart;
    let lastT = process.hrtime.bigint();
    sampler = setInterval(() => {
      const t = process.hrtime.bigint();
      const cpu = cpuSeconds(pid);
      series.rss_mb.push(rssMb(pid));
      series.app_cpu_pct.push(cpu !== null && lastCpu !== null ? Math.round(((cpu - lastCpu) / (Number(t - lastT) / 1e9)) * 100) : null);
      series.responses.push(secResponses);
      series.max_latency_ms.push(Math.round(secMax));
      secResponses = 0;
      secMax = 0;
      lastCpu = cpu;
      lastT = t;
    }, 1000);
  };
  const stopMeasuring = () => {
    if (phase !== 'measure') return;
    phase = 'done';
    clearInterval(sampler);
    Object.assign(window, {
      endUs: nowUs(),
      endMs: Date.now(),
      cpuEnd: cpuSeconds(pid),
      redisCpuEnd: opts.redisPid ? cpuSeconds(opts.redisPid) : null,
      pgCpuEnd: opts.postgresLocal ? postgresCpu() : null,
      schedEnd: schedstat(pid),
      threadsEnd: threadCpu(pid),
      rssAfter: rssMb(pid),
      selfCpu: process.cpuUsage(window.selfCpu),
      selfSchedEnd: schedstat('self'),
    });
    if (instance) instance.stop();
  };
  const control = setInterval(() => {
    const elapsed = (Date.now() - t0) / 1000;
    if (phase === 'warmup' && elapsed >= opts.warmup && (answered.size >= connections || elapsed >= maxWarmupS)) startMeasuring();
    else if (phase === 'measure' && Date.now() - window.startMs >= opts.duration * 1000) stopMeasuring();
  }, 50);

  const result = await runAutocannon({ ...acOpts, duration: maxWarmupS + opts.duration + 30 }, (inst) => {
    instance = inst;
    inst.on('response', (client, status, _bytes, time, label) => {
      if (!answered.has(client)) {
        answered.add(client);
        firstResponse.push(time);
      }
      if (phase !== 'measure') return;
      m.count++;
      m.latencies.push(time);
      if (label) (m.byLabel[label] ??= []).push(time);
      m.codes[status] = (m.codes[status] || 0) + 1;
      // `non_2xx` counts answers other than the expected ones (2xx, or `expectStatus`)
      if (expectStatus ? status !== expectStatus : status < 200 || status > 299) m.non2xx++;
      secResponses++;
      if (time > secMax) secMax = time;
    });
    inst.on('reqError', (err) => {
      if (phase !== 'measure') return;
      m.errors++;
      if (err && /timed out/.test(err.message)) m.timeouts++;
    });
  });
  clearInterval(control);
  if (phase === 'warmup') startMeasuring(); // autocannon ended on its own (request cap) during warm-up
  stopMeasuring();

  const seconds = (window.endMs - window.startMs) / 1000;
  const lat = m.latencies.sort((a, b) => a - b);
  const fr = firstResponse.sort((a, b) => a - b);
  const rss = series.rss_mb.filter((x) => x !== null);
  const cpuUsed = window.cpuStart !== null && window.cpuEnd !== null ? window.cpuEnd - window.cpuStart : null;
  let mainThread = null;
  if (window.schedStart && window.schedEnd && seconds > 0) {
    const run = (window.schedEnd.run - window.schedStart.run) / 1e9 / seconds;
    const wait = (window.schedEnd.wait - window.schedStart.wait) / 1e9 / seconds;
    mainThread = {
      on_cpu_pct: Math.round(run * 100),
      waiting_for_cpu_pct: Math.round(wait * 100),
      off_cpu_pct: Math.max(0, Math.round((1 - run - wait) * 100)),
    };
  }
  let threads = null;
  if (window.threadsStart && window.threadsEnd && seconds > 0) {
    threads = {};
    for (const [group, end] of Object.entries(window.threadsEnd)) {
      threads[group] = Math.round(((end - (window.threadsStart[group] || 0)) / 1e9 / seconds) * 100);
    }
  }
  const s = {
    req_per_s: seconds > 0 ? r1(m.count / seconds) : 0,
    requests_total: m.count,
    duration_s: r1(seconds),
    warmup_s: r1((window.startMs - t0) / 1000),
    latency_ms: {
      p50: r1(pct(lat, 0.5)),
      p90: r1(pct(lat, 0.9)),
      p99: r1(pct(lat, 0.99)),
      max: r1(lat.length ? lat[lat.length - 1] : null),
      mean: r1(lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : null),
    },
    non_2xx: m.non2xx,
    ...(expectStatus ? { expected_status: expectStatus } : {}),
    // a step of several paced loads: each one's throughput and latency
    ...(Object.keys(m.byLabel).length > 0
      ? {
          by_request: Object.fromEntries(
            Object.entries(m.byLabel).map(([label, l]) => {
              const sorted = l.sort((a, b) => a - b);
              return [
                label,
                {
                  req_per_s: seconds > 0 ? r1(l.length / seconds) : 0,
                  p50: r1(pct(sorted, 0.5)),
                  p90: r1(pct(sorted, 0.9)),
                  p99: r1(pct(sorted, 0.99)),
                  max: r1(sorted.at(-1) ?? null),
                },
              ];
            }),
          ),
        }
      : {}),
    errors: m.errors - m.timeouts,
    timeouts: m.timeouts,
    status_codes: m.codes,
    first_response_ms: { median: r1(pct(fr, 0.5)), max: r1(fr.length ? fr[fr.length - 1] : null), connections_answered: answered.size },
    app_cpu_pct: cpuUsed !== null && seconds > 0 ? Math.round((cpuUsed / seconds) * 100) : null,
    cpu_ms_per_request: cpuUsed !== null && m.count > 0 ? Math.round((cpuUsed * 1e6) / m.count) / 1000 : null,
    // --redis with the server on this machine: its CPU, which shares the two cores
    ...(window.redisCpuStart != null && window.redisCpuEnd != null && m.count > 0
      ? { redis_server_cpu_ms_per_request: Math.round(((window.redisCpuEnd - window.redisCpuStart) * 1e6) / m.count) / 1000 }
      : {}),
    ...(window.pgCpuStart && window.pgCpuEnd && m.count > 0
      ? { postgres_server_cpu_ms_per_request: Math.round((postgresCpuDelta(window.pgCpuStart, window.pgCpuEnd) * 1e6) / m.count) / 1000 }
      : {}),
    // the JS thread: running, runnable but waiting for a core (other processes, the load generator),
    // or off CPU (blocked in a syscall such as fsync, or idle: then the load generator is the limit)
    app_main_thread: mainThread,
    // CPU % of one core per thread group over the measured window (see threadCpu)
    app_threads_cpu_pct: threads,
    // this process (autocannon is single-threaded): near 100 % means the load generator, not the
    // app, bounds the req/s of the step
    load_generator_cpu_pct: seconds > 0 ? Math.round(((window.selfCpu.user + window.selfCpu.system) / 1e6 / seconds) * 100) : null,
    load_generator_waiting_for_cpu_pct:
      window.selfSched && window.selfSchedEnd && seconds > 0 ? Math.round(((window.selfSchedEnd.wait - window.selfSched.wait) / 1e9 / seconds) * 100) : null,
    rss_floor_growth_pct: floorGrowth(rss),
    stalled_seconds: series.responses.filter((n) => n === 0).length,
    rss_mb: { before: window.rssBefore, after: window.rssAfter, peak: rss.length ? Math.max(window.rssBefore ?? 0, ...rss) : window.rssBefore, samples: rss },
    per_second: { app_cpu_pct: series.app_cpu_pct, responses: series.responses, max_latency_ms: series.max_latency_ms },
    window_us: { start: window.startUs, end: window.endUs },
    autocannon_total_including_warmup: { requests: result.requests.total, non_2xx: result.non2xx, errors: result.errors },
  };
  process.stdout.write(` → ${s.req_per_s} req/s, p99 ${s.latency_ms.p99} ms\n`);
  return s;
}

function gitInfo() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--', 'apps', 'libs'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}

// ---------------------------------------------------------------------------------------------
// the app under test

/** The pid of the redis-server behind `url` when it runs on this machine (its /proc entry is readable), else null. */
async function localRedisPid(url) {
  const { Redis } = require(path.join(REPO, 'node_modules/ioredis'));
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
    return pid > 0 && cpuSeconds(pid) !== null && /redis/.test(fs.readFileSync(`/proc/${pid}/comm`, 'utf8')) ? pid : null;
  } catch (e) {
    throw new Error(`--redis ${url}: ${e.message}`);
  } finally {
    client.disconnect();
  }
}

/** A throwaway database on the server of `adminUrl`; `drop()` removes it. */
function createPgDatabase(adminUrl) {
  return createThrowawayDatabase(adminUrl, `offers_bench_${crypto.randomBytes(4).toString('hex')}`);
}

/**
 * Starts the built app on the SQLite file `<tmp>/bench.sqlite`, or on `databaseUrl` (default: the
 * run's --postgres database), and polls GET /health/ready every `pollMs` until it answers 200.
 * `startToReadyMs` is the time from the spawn to that 200; `startToListeningMs`, to the first
 * answer of any status.
 */
async function startApp(opts, tmp, { databaseUrl = opts.databaseUrl, redisPrefix = opts.redisPrefix, pollMs = 100, readyTimeoutS = 60 } = {}) {
  const port = await freePort();
  const adminKey = `bench-admin-${crypto.randomBytes(16).toString('hex')}`;
  const nodeArgs = [...(opts.nodeFlags ?? [])];
  if (opts.profile) {
    fs.mkdirSync(PROFILES, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', PROFILES, '-r', path.join(__dirname, 'exit-on-signal.js'));
  }
  const logFile = path.join(tmp, 'app.log');
  const log = fs.openSync(logFile, 'a');
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, ENTRY], {
    cwd: tmp, // no stray ./.env is read; every path below is absolute
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      SQLITE_PATH: path.join(tmp, 'bench.sqlite'),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...(opts.redis ? { REDIS_URL: opts.redis, REDIS_KEY_PREFIX: redisPrefix ?? newRedisPrefix() } : {}),
      PORT: String(port),
      HOST,
      ADMIN_API_KEY: adminKey,
      SEED_DEMO: 'false',
      // the app's default level (info: a line per request, buffered); --env LOG_LEVEL=warn as
      // every run before the eighth session of 2026-12-03
      LOG_LEVEL: 'info',
      DEMO_KEY_PATH: path.join(tmp, 'demo-key.txt'),
      // --webhooks: the receiver is on 127.0.0.1 and speaks http; secrets need the encryption key
      ...(opts.webhooks
        ? { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', APP_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64') }
        : {}),
      ...(opts.env ?? {}),
    },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = null;
  exited.then((e) => (gone = e));
  const base = `http://${HOST}:${port}`;
  const deadline = Date.now() + readyTimeoutS * 1000;
  let listeningAt = null;
  for (;;) {
    if (gone) throw new Error(`the app exited during start (${JSON.stringify(gone)}); log:\n${tail(logFile)}`);
    try {
      const r = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(10000) });
      await r.arrayBuffer();
      listeningAt ??= performance.now();
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the app was not ready within ${readyTimeoutS} s; log:\n${tail(logFile)}`);
    await sleep(pollMs);
  }
  const readyAt = performance.now();
  return {
    child,
    port,
    base,
    adminKey,
    exited,
    logFile,
    spawnedAtUs: nowUs(),
    readyAt,
    startToReadyMs: readyAt - spawnedAt,
    startToListeningMs: listeningAt - spawnedAt,
  };
}

const newRedisPrefix = () => `bench-${crypto.randomBytes(4).toString('hex')}:`;

function tail(file, n = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

async function stopApp(app) {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return app.exited;
  app.child.kill('SIGTERM');
  const timer = setTimeout(() => app.child.kill('SIGKILL'), 20000);
  const e = await app.exited;
  clearTimeout(timer);
  return e;
}

// ---------------------------------------------------------------------------------------------
// setup through the admin API

async function setupPartner(app) {
  const admin = { 'X-Admin-Key': app.adminKey };
  const put = await http(app.base, 'PUT', `/admin/partners/${PARTNER}/bundle`, { headers: admin, body: BENCH_BUNDLE });
  if (put.status !== 200) throw new Error(`PUT bundle → ${put.status}: ${put.text.slice(0, 4000)}`);
  const key = await http(app.base, 'POST', `/admin/partners/${PARTNER}/api-keys`, { headers: admin, body: { mode: 'live', name: 'bench' } });
  if (key.status !== 201 || !key.json || typeof key.json.key !== 'string') throw new Error(`POST api-keys → ${key.status}: ${key.text}`);
  // one request through the real route, to fail early (and clearly) when the bundle or route is wrong
  const probe = await http(app.base, 'POST', `/x/partners/${PARTNER}/offers/${CREATE_QUERY}`, {
    headers: { 'X-Api-Key': key.json.key },
    body: benchRequest(0),
  });
  if (probe.status !== 200) throw new Error(`create-offer probe → ${probe.status}: ${probe.text.slice(0, 4000)}`);
  return { apiKey: key.json.key, bundleVersion: put.json && put.json.version, sampleOffer: probe.json };
}

const ADMIN_REQUESTS = 60;

/**
 * (--admin) What an operator's requests cost, on the app at rest, before any load: the admin
 * preview with the bundle in force; with a candidate bundle whose schema is the one in
 * force (an operator editing pricing or content); with a candidate whose schema changes each time;
 * and bundle writes (one config renamed each time, so each is a new version; the benchmark then
 * runs on the last, which prices as the first). One request at a time: ms per request, and the
 * CPU each one takes on the app's main thread (what partner requests queue behind) and in all.
 */
async function adminSteps(app) {
  const headers = { 'X-Admin-Key': app.adminKey };
  const previewPath = `/admin/partners/${PARTNER}/offers/preview${CREATE_QUERY}`;
  const request = benchRequest(0);
  const candidate = (i, change) => {
    const bundle = structuredClone(BENCH_BUNDLE);
    change(bundle, `${i} ${crypto.randomUUID()}`);
    return bundle;
  };
  const kinds = {
    preview_in_force: () => ['POST', previewPath, { request }],
    preview_candidate_same_schema: (i) => ['POST', previewPath, { request, bundle: candidate(i, (b, tag) => (b.offer_configs[0].name = tag)) }],
    preview_candidate_new_schema: (i) => ['POST', previewPath, { request, bundle: candidate(i, (b, tag) => (b.schemas[0].json_schema.description = tag)) }],
    bundle_write_same_schema: (i) => ['PUT', `/admin/partners/${PARTNER}/bundle`, candidate(i, (b, tag) => (b.offer_configs[0].name = tag))],
  };
  const steps = {};
  for (const [name, make] of Object.entries(kinds)) {
    const times = [];
    const cpu0 = { main: threadCpu(app.child.pid)?.main ?? null, app: cpuSeconds(app.child.pid) };
    for (let i = 0; i < ADMIN_REQUESTS; i++) {
      const [method, url, body] = make(i);
      const t0 = performance.now();
      const r = await http(app.base, method, url, { headers, body });
      times.push(performance.now() - t0);
      if (r.status !== 200 || (method === 'POST' && r.json?.status !== 200))
        throw new Error(`${name}: ${method} ${url} → ${r.status}: ${r.text.slice(0, 2000)}`);
    }
    const main = threadCpu(app.child.pid)?.main ?? null;
    const all = cpuSeconds(app.child.pid);
    times.sort((a, b) => a - b);
    steps[name] = {
      latency_ms: { p50: r1(pct(times, 0.5)), p90: r1(pct(times, 0.9)), max: r1(times[times.length - 1]) },
      main_thread_cpu_ms: main === null || cpu0.main === null ? null : r1((main - cpu0.main) / 1e6 / ADMIN_REQUESTS),
      app_cpu_ms: all === null || cpu0.app === null ? null : r1(((all - cpu0.app) * 1000) / ADMIN_REQUESTS),
    };
    console.log(`- admin ${name}: ${steps[name].latency_ms.p50} ms p50, main thread ${steps[name].main_thread_cpu_ms} ms CPU per request`);
  }
  return { requests_each: ADMIN_REQUESTS, steps };
}

/** 'present' | 'missing' — one request on an unknown offer: a route-level 404 `not_found` means no route. */
async function probeConfirm(app, apiKey) {
  const r = await http(app.base, 'POST', `/x/partners/${PARTNER}/offers/${crypto.randomUUID()}/confirm/`, {
    headers: { 'X-Api-Key': apiKey },
    body: { quotes: [{ id: crypto.randomUUID() }], policyholder: CONFIRM_POLICYHOLDER },
  });
  const missing = (r.status === 404 || r.status === 405) && (!r.json || r.json.code === 'not_found' || r.json.code === undefined);
  return { state: missing ? 'missing' : 'present', status: r.status, code: r.json && r.json.code };
}

// ---------------------------------------------------------------------------------------------
// cold start (--cold-start)

/** length of each window of the cold-start step, in seconds after ready: the first, then the next */
const COLD_WINDOW_S = 10;
const COLD_STEPS = ['cold_start', 'cold_start_fresh'];

/**
 * The database's size and its number of offers, for bytes per stored offer. SQLite: the database
 * file and its WAL after a checkpoint (TRUNCATE: the app is idle between steps). PostgreSQL:
 * pg_database_size (tables, indexes and TOAST; not the server's WAL).
 */
async function storedSize(opts, tmp) {
  if (opts.databaseUrl) {
    const { Client } = require('pg');
    const client = new Client({ connectionString: opts.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT pg_database_size(current_database()) AS bytes, (SELECT COUNT(*) FROM offers) AS offers');
      return { bytes: Number(rows[0].bytes), offers: Number(rows[0].offers), how: 'pg_database_size' };
    } finally {
      await client.end();
    }
  }
  const Database = require('better-sqlite3');
  const file = path.join(tmp, 'bench.sqlite');
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)');
    const size = (f) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
    const offers = db.prepare('SELECT COUNT(*) AS n FROM offers').get().n;
    const how = checkpoint.busy ? 'SQLite file + WAL (checkpoint busy)' : 'SQLite file + WAL after a checkpoint';
    return { bytes: size(file) + size(`${file}-wal`), offers, how };
  } finally {
    db.close();
  }
}

/** Growth per offer stored between two storedSize readings. */
function storedPerOffer(before, after) {
  const offers = after.offers - before.offers;
  return { offers, bytes: after.bytes - before.bytes, bytes_per_offer: offers > 0 ? Math.round((after.bytes - before.bytes) / offers) : null, how: after.how };
}

/** Create Offer as the create step sends it: the bench requests of `bodies` in turn, with the live key. */
function createOfferRequest(apiKey, bodies) {
  let next = 0;
  return {
    method: 'POST',
    path: `/x/partners/${PARTNER}/offers/${CREATE_QUERY}`,
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    setupRequest: (req) => {
      req.body = bodies[next++ % bodies.length];
      return req;
    },
  };
}

/**
 * --cold-start, last in the run (after the run's app was stopped): the restarted instance on the
 * run's database, and with --cold-fresh the same on a brand-new one. Paced at --cold-rate, or at
 * half the create step's req/s.
 */
async function coldStartSteps(opts, tmp, apiKey, bodies, createRps) {
  const rate = opts.coldRate ?? Math.max(1, Math.round(createRps * 0.5));
  const rateSource = opts.coldRate ? '--cold-rate' : `half of create_offer's ${createRps} req/s`;
  const out = {
    cold_start: await coldStartStep(opts, "restarted on the run's database", tmp, createOfferRequest(apiKey, bodies), rate, rateSource),
  };
  if (opts.coldFresh) out.cold_start_fresh = await freshColdStart(opts, tmp, bodies, rate, rateSource);
  return out;
}

/**
 * (--cold-fresh) A brand-new database (SQLite file in its own directory, or a throwaway PostgreSQL
 * database; a Redis key prefix of its own) on which an app configured only the benchmark partner
 * (bundle, live key, one offer through setupPartner's probe) and was stopped; then coldStartStep.
 */
async function freshColdStart(opts, tmp, bodies, rate, rateSource) {
  const dir = path.join(tmp, 'fresh');
  fs.mkdirSync(dir, { recursive: true });
  const db = opts.postgres ? await createPgDatabase(opts.postgres) : null;
  const startOpts = { databaseUrl: db ? db.url : undefined, redisPrefix: newRedisPrefix() };
  try {
    const configuring = await startApp({ ...opts, profile: false }, dir, startOpts);
    let setup;
    try {
      setup = await setupPartner(configuring);
    } finally {
      await stopApp(configuring);
    }
    return await coldStartStep(opts, 'restarted on a brand-new database', dir, createOfferRequest(setup.apiKey, bodies), rate, rateSource, startOpts);
  } finally {
    if (db && !opts.keep) await db.drop().catch((e) => console.warn(`could not drop ${db.name}: ${e.message}`));
  }
}

/**
 * A new app process on `dir`'s SQLite file (or `startOpts.databaseUrl`, default the run's
 * --postgres database): start-to-ready is spawn → first 200 of GET /health/ready, polled every
 * 20 ms. From that 200, `request` is paced at `rate` req/s (runPaced: open loop, evenly spaced, up
 * to --connections keep-alive connections, as pacedCreate) for two windows of COLD_WINDOW_S; each
 * request counts in the window it was sent in, however late its answer. The target: the first
 * window's p99 at most twice the next window's plus 10 ms, every request of both answered 2xx, and
 * the next window steady (below). The process runs without --profile's profiler and is stopped at
 * the end.
 */
async function coldStartStep(opts, variant, dir, request, rate, rateSource, startOpts = {}) {
  process.stdout.write(`- cold start, ${variant}: spawn`);
  const app = await startApp({ ...opts, profile: false }, dir, { ...startOpts, pollMs: 20, readyTimeoutS: 300 });
  try {
    const cpuAtReady = cpuSeconds(app.child.pid);
    const rssAtReady = rssMb(app.child.pid);
    process.stdout.write(` → ready ${Math.round(app.startToReadyMs)} ms, create offer at ${rate} req/s for ${2 * COLD_WINDOW_S} s`);
    const windowMs = COLD_WINDOW_S * 1000;
    const answers = []; // { sent: ms after ready, ms, status }
    const failures = []; // { sent, timeout }
    let firstFailure = null;
    let firstError = null;
    const load = {
      ...request,
      onResponse: (status, body) => {
        if ((status < 200 || status > 299) && !firstFailure) firstFailure = { status, body: String(body).slice(0, 1000) };
      },
    };
    await runPaced({ url: app.base, connections: opts.connections, timeout: 30, pacedLoads: [{ rate, request: load }] }, (inst) => {
      inst.on('response', (_client, status, _bytes, ms, _label, issuedAt) => answers.push({ sent: issuedAt - app.readyAt, ms, status }));
      inst.on('reqError', (err, issuedAt) => {
        const message = String(err && err.message);
        firstError ??= message;
        failures.push({ sent: issuedAt - app.readyAt, timeout: /timed out/.test(message) });
      });
      setTimeout(() => inst.stop(), 2 * windowMs - (inst.startedAt - app.readyAt));
    });

    const sentIn = (from, to) => (x) => x.sent >= from && x.sent < to;
    const stats = (from, to) => {
      const answered = answers.filter(sentIn(from, to));
      const failed = failures.filter(sentIn(from, to));
      const lat = answered.map((a) => a.ms).sort((a, b) => a - b);
      const seconds = (to - from) / 1000;
      const codes = {};
      for (const a of answered) codes[a.status] = (codes[a.status] || 0) + 1;
      return {
        from_s: from / 1000,
        to_s: to / 1000,
        requests: answered.length + failed.length,
        // sent: the pace kept by this process; answered: responses completed within the window
        sent_req_per_s: r1((answered.length + failed.length) / seconds),
        answered_req_per_s: r1(answers.filter((a) => a.sent + a.ms >= from && a.sent + a.ms < to).length / seconds),
        latency_ms: { p50: r1(pct(lat, 0.5)), p90: r1(pct(lat, 0.9)), p99: r1(pct(lat, 0.99)), max: r1(lat.at(-1) ?? null) },
        non_2xx: answered.filter((a) => a.status < 200 || a.status > 299).length,
        errors: failed.filter((f) => !f.timeout).length,
        timeouts: failed.filter((f) => f.timeout).length,
        status_codes: codes,
      };
    };
    const first = stats(0, windowMs);
    const later = stats(windowMs, 2 * windowMs);
    const perSecond = Array.from({ length: 2 * COLD_WINDOW_S }, (_, i) =>
      answers
        .filter(sentIn(i * 1000, (i + 1) * 1000))
        .map((a) => a.ms)
        .sort((a, b) => a - b),
    );
    const limit = later.latency_ms.p99 === null ? null : r1(2 * later.latency_ms.p99 + 10);
    const failed = [first, later].reduce((n, w) => n + w.non_2xx + w.errors + w.timeouts, 0);
    // the next window is a reference only when it is steady: the first window's queue has drained
    // (a queue raises every latency, so the p50 of its first 2 s is at most twice that of its last
    // 2 s + 10 ms; p50, not p99, so that one slow moment does not count as a queue) and the app
    // keeps up with the rate (answers at least 95 % of it, else a queue grows)
    const p50Of = (seconds) =>
      pct(
        seconds.flat().sort((a, b) => a - b),
        0.5,
      );
    const laterHead = p50Of(perSecond.slice(COLD_WINDOW_S, COLD_WINDOW_S + 2));
    const laterTail = p50Of(perSecond.slice(-2));
    const drained = laterHead !== null && laterTail !== null && laterHead <= 2 * laterTail + 10;
    const keptUp = later.answered_req_per_s >= 0.95 * later.sent_req_per_s;
    const steady = drained && keptUp;
    const s = {
      variant,
      start_to_ready_ms: Math.round(app.startToReadyMs),
      start_to_listening_ms: Math.round(app.startToListeningMs),
      app_cpu_ms_to_ready: cpuAtReady === null ? null : Math.round(cpuAtReady * 1000),
      rss_mb_at_ready: rssAtReady,
      rate,
      rate_source: rateSource,
      first,
      later,
      // by the second of sending after ready: where the first window's tail comes from
      per_second_after_ready: { p99_ms: perSecond.map((l) => r1(pct(l, 0.99))), max_ms: perSecond.map((l) => r1(l.at(-1) ?? null)) },
      target: {
        rule: `first ${COLD_WINDOW_S} s p99 <= 2 × next ${COLD_WINDOW_S} s p99 + 10 ms, every request 2xx, next window steady`,
        first_p99_ms: first.latency_ms.p99,
        limit_ms: limit,
        failed_requests: failed,
        later_window_steady: steady,
        later_window_p50_first_2s_ms: r1(laterHead),
        later_window_p50_last_2s_ms: r1(laterTail),
        met: limit !== null && first.latency_ms.p99 !== null && first.latency_ms.p99 <= limit && failed === 0 && steady,
      },
      ...(firstFailure ? { first_failure: firstFailure } : {}),
      ...(firstError ? { first_error: firstError, app_exit: app.child.exitCode ?? app.child.signalCode } : {}),
    };
    process.stdout.write(` → p99 ${first.latency_ms.p99} ms in the first ${COLD_WINDOW_S} s, ${later.latency_ms.p99} ms in the next\n`);
    return s;
  } finally {
    await stopApp(app);
  }
}

// ---------------------------------------------------------------------------------------------
// steps

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.platform !== 'linux') console.warn('note: RSS is read from /proc (Linux only); it will be null here');

  console.log('Building if needed...');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-if-needed.js')], { cwd: ROOT, stdio: 'inherit' });

  const loadBefore = os.loadavg().map((x) => Math.round(x * 100) / 100);
  if (loadBefore[0] > os.cpus().length * 0.5) {
    console.warn(`warning: load average ${loadBefore.join(' ')} on ${os.cpus().length} CPUs: other work on this machine will skew the figures`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'offers-bench-'));
  let app;
  let pgDatabase = null;
  const profilesBefore = new Set(opts.profile && fs.existsSync(PROFILES) ? fs.readdirSync(PROFILES) : []);
  let exitCode = 0;
  try {
    if (opts.postgres) {
      pgDatabase = await createPgDatabase(opts.postgres);
      opts.databaseUrl = pgDatabase.url;
      // a server on this machine: its CPU per request is reported (postgres_server_cpu_ms_per_request)
      opts.postgresLocal = postgresCpu().size > 0;
      console.log(`PostgreSQL database ${pgDatabase.name} created for this run${opts.postgresLocal ? ' (server processes on this machine)' : ''}`);
    }
    if (opts.redis) {
      opts.redisPrefix = newRedisPrefix(); // kept by --cold-start's restarted instance, as on a fleet
      opts.redisPid = await localRedisPid(opts.redis);
      console.log(`Redis ${opts.redis}${opts.redisPid ? ` (redis-server pid ${opts.redisPid}, on this machine)` : ''}`);
    }
    app = await startApp(opts, tmp);
    console.log(`App started (pid ${app.child.pid}, ${app.base}${opts.profile ? ', under --cpu-prof' : ''}); RSS ${rssMb(app.child.pid)} MB`);
    const setup = await setupPartner(app);
    console.log(
      `Bundle v${setup.bundleVersion} written for ${PARTNER}; live key created; sample offer: config ${setup.sampleOffer.offer_config_id}, ` +
        `${setup.sampleOffer.products.length} products, errors ${JSON.stringify(setup.sampleOffer.errors)}`,
    );

    const admin = opts.admin ? await adminSteps(app) : null;

    const base = {
      url: `http://${HOST}:${app.port}`,
      connections: opts.connections,
      pipelining: 1,
      timeout: 30, // late-accepted connections wait long for their first answer during warm-up
    };
    const steps = {};
    const rssAtStart = rssDetail(app.child.pid);

    // 1. health — the framework's floor
    steps.health = await runStep(app, 'health', { ...base, url: `${base.url}/health/live`, method: 'GET' }, opts);

    // 2. create offer — bodies varied per request (customer_id spreads experiment variants)
    const bodies = Array.from({ length: 1024 }, (_, i) => JSON.stringify(benchRequest(i + 1)));
    const pool = [];
    let firstFailure = null;
    const variants = {};
    const createReq = {
      ...createOfferRequest(setup.apiKey, bodies),
      onResponse: (status, body) => {
        if (status === 200) {
          if (pool.length < POOL_CAP) {
            const o = JSON.parse(body);
            pool.push({ offer: o.id, quote: o.products[0].id });
            const v = o.metadata && o.metadata.experiments && o.metadata.experiments[0];
            if (v) variants[v.variant] = (variants[v.variant] || 0) + 1;
          }
        } else if (!firstFailure) {
          firstFailure = { status, body: String(body).slice(0, 1000) };
        }
      },
    };
    const createOpts = { ...base, requests: [createReq] };
    const storedBefore = await storedSize(opts, tmp);
    steps.create_offer = await runStep(app, 'create offer', createOpts, opts);
    steps.create_offer.stored = storedPerOffer(storedBefore, await storedSize(opts, tmp));
    console.log(`    stored: ${steps.create_offer.stored.bytes_per_offer} bytes per offer (${steps.create_offer.stored.how})`);
    steps.create_offer.offers_collected = pool.length;
    steps.create_offer.experiment_variants = variants;
    if (firstFailure) steps.create_offer.first_failure = firstFailure;

    // 2a. (information, --curve) latency against load: create offer paced at fractions of the
    // req/s just reached, open loop (runPaced), so each rate's latency is what a partner sees at
    // that load, not the closed loop's connections ÷ throughput
    const pacedCreate = async (fraction, of) => {
      const rate = Math.max(1, Math.round(steps.create_offer.req_per_s * fraction));
      const step = await runStep(app, `create offer at ${rate} req/s, evenly spaced (${of})`, { ...base, pacedLoads: [{ rate, request: createReq }] }, opts);
      return { ...step, paced_rate: rate };
    };
    for (const f of opts.curve ?? []) {
      const name = `create_offer_at_${Math.round(f * 100)}pct`;
      if (!steps[name]) steps[name] = await pacedCreate(f, `${Math.round(f * 100)} % of that`);
    }

    // 2b. (information) create offer on ONE connection: the latency of a request that does not
    // queue behind 49 others — at 50 closed-loop connections latency ≈ 50 ÷ throughput
    if (!opts.quick) steps.create_offer_1_connection = await runStep(app, 'create offer, 1 connection', { ...createOpts, connections: 1 }, opts);

    // 2c. (information) create offer at half the throughput just measured, as an open-loop load
    // (runPaced: evenly spaced requests, up to 50 connections): latency under a steady load the
    // machine can carry, rather than at saturation, where the closed loop makes latency ≈
    // connections ÷ throughput. What a partner's checkout sees on a busy day.
    if (!opts.quick) steps.create_offer_half_rate = await pacedCreate(0.5, 'half of that');

    // 2d. (information) the route's own floor: the same request with an unknown schema passes the
    // body limit and JSON parsing, API-key auth, the rate limit and the schema lookup, then answers
    // 422 (offer_validation_schema_not_found) through the error filter: everything Create Offer pays before and around the offer itself
    const unknownSchemaBody = JSON.stringify({ ...benchRequest(0), schema: 'unknown:v1' });
    if (!opts.quick)
      steps.create_offer_route_floor = await runStep(
        app,
        'create offer route, unknown schema (422)',
        { ...base, requests: [{ method: 'POST', path: createReq.path, headers: createReq.headers, body: unknownSchemaBody }] },
        opts,
        { expectStatus: 422 },
      );

    // 2e. (information) create offer with X-Idempotency-Key, a new key per request: what a partner
    // that sends a key with every create (to retry safely) gets. The key is read before
    // the offer is built; its record, with the response, is committed in the offer's transaction
    if (!opts.quick || opts.withIdempotency) {
      const runId = crypto.randomUUID().slice(0, 8);
      let n = 0;
      const idempotentReq = {
        method: 'POST',
        path: createReq.path,
        setupRequest: (req) => {
          req.body = bodies[n & 1023];
          req.headers = { ...createReq.headers, 'x-idempotency-key': `bench-${runId}-${n++}` };
          return req;
        },
      };
      steps.create_offer_idempotent = await runStep(app, 'create offer with X-Idempotency-Key (a new key each)', { ...base, requests: [idempotentReq] }, opts);
    }

    // 2f. (information) create and confirm together, both paced (open loop): creates at 30 % of
    // the saturated create rate and one confirm per four creates, each confirm for an offer made
    // moments before in this step: a busy checkout, where the two routes' writes meet. A light
    // GET /health/live load beside them (200 req/s) shows how long any request waits for the event
    // loop meanwhile
    if (!opts.quick || opts.withConfirm) {
      steps.create_and_confirm_paced = await pacedCreateAndConfirmStep(app, opts, base, setup, pool, createReq, steps.create_offer.req_per_s);
    }

    // 3. confirm — each collected offer once, when the route exists
    const skipConfirm = opts.quick && !opts.withConfirm;
    const confirmProbe = skipConfirm ? { state: 'skipped' } : await probeConfirm(app, setup.apiKey);
    if (skipConfirm) {
      steps.confirm = { skipped: '--quick' };
    } else if (confirmProbe.state === 'missing') {
      steps.confirm = { skipped: 'confirm route not available', probe: confirmProbe };
      console.log(`- confirm: skipped (confirm route not available: probe → ${confirmProbe.status} ${confirmProbe.code ?? ''})`);
    } else {
      steps.confirm = await confirmStep(app, opts, base, setup, pool, createOpts, steps.create_offer.req_per_s);
      if (opts.webhooks) {
        const hooked = await confirmWithWebhooksStep(app, opts, base, setup, pool, createOpts, steps.create_offer.req_per_s);
        steps.confirm_with_webhooks = hooked.confirm;
        steps.create_and_confirm_paced_with_webhooks = hooked.paced;
      }
    }

    const rssAtEnd = rssDetail(app.child.pid);
    const e = await stopApp(app);
    // --cold-start: new app processes, after the run's app stopped
    const coldSteps = opts.coldStart ? await coldStartSteps(opts, tmp, setup.apiKey, bodies, steps.create_offer.req_per_s) : {};
    const results = buildResults(opts, steps, { rssAtStart, rssAtEnd, stopped: e, loadBefore, coldSteps });
    if (admin) results.admin = admin;

    if (opts.profile) {
      const created = fs.readdirSync(PROFILES).filter((f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f));
      if (created.length === 0) {
        console.log('No .cpuprofile was written (did the app exit cleanly?)');
      } else {
        // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the event loop, the
        // others are worker threads (the offer build threads), summarised after it
        const threadOf = (f) => f.split('.')[4];
        const sorted = created.sort();
        const file = path.join(PROFILES, sorted.filter((f) => threadOf(f) === '0').at(-1) ?? sorted.at(-1));
        const workers = sorted.filter((f) => path.join(PROFILES, f) !== file);
        const windows = Object.entries(steps)
          .filter(([, s]) => s.window_us)
          .map(([n, s]) => ({ name: n, ...s.window_us }));
        const summary = summarise(file, windows, 25);
        for (const w of workers) {
          const ws = summarise(
            path.join(PROFILES, w),
            windows.filter((x) => x.name === 'create_offer'),
            8,
          );
          summary.text += `\n\n##### worker thread ${threadOf(w)} (${w}), create_offer window only #####\n${ws.text}`;
        }
        const out = path.join(RESULTS, 'profile-summary.txt');
        const header = [
          `npm run bench -- --profile   (${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs)`,
          `create offer ${steps.create_offer.req_per_s} req/s, p99 ${steps.create_offer.latency_ms.p99} ms under the profiler; health ${steps.health.req_per_s} req/s`,
          'self% = time in the function itself; incl% = with everything it calls. Windows are the measured part of each step.',
          '',
        ].join('\n');
        fs.writeFileSync(out, header + summary.text + '\n');
        results.profile = {
          file: path.relative(REPO, file),
          summary: path.relative(REPO, out),
          top_create_offer: summary.json.windows.find((w) => w.name === 'create_offer'),
        };
        console.log(`Profile: ${path.relative(REPO, file)}; summary: ${path.relative(REPO, out)}`);
      }
    }

    // a profiled run keeps each step's window (profile clock, µs) so its profile can be cut again later
    if (!opts.profile) for (const s of Object.values(steps)) delete s.window_us;
    fs.mkdirSync(path.dirname(opts.out), { recursive: true });
    fs.writeFileSync(opts.out, JSON.stringify(results, null, 2) + '\n');
    printTable(results);
    console.log(`\nWrote ${path.relative(process.cwd(), opts.out)}`);
  } catch (err) {
    console.error(`\nBenchmark failed: ${err && err.stack ? err.stack : err}`);
    if (app) console.error(`app log (tail):\n${tail(app.logFile)}`);
    exitCode = 1;
  } finally {
    if (app) await stopApp(app).catch(() => undefined);
    if (opts.keep) console.log(`Kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
    if (pgDatabase && !opts.keep) await pgDatabase.drop().catch((e) => console.warn(`could not drop ${pgDatabase.name}: ${e.message}`));
  }
  process.exitCode = exitCode;
}

/** A confirm of `o` (an offer id and one of its quotes) as runPaced and autocannon take it. */
/**
 * Create and confirm together, both paced (open loop): creates at 30 % of the saturated create rate
 * `createRps` and one confirm per four creates, each confirm for an offer made moments before in
 * this step; GET /health/live at 200 req/s beside them. Reports latency per request kind.
 */
async function pacedCreateAndConfirmStep(app, opts, base, setup, pool, createReq, createRps, titleSuffix = '') {
  const createRate = Math.max(4, Math.round(createRps * 0.3));
  const confirmRate = Math.max(1, Math.round(createRate / 4));
  const fresh = [];
  const mixedCreate = {
    ...createReq,
    onResponse: (status, body) => {
      if (status !== 200) return;
      const o = JSON.parse(body);
      fresh.push({ offer: o.id, quote: o.products[0].id });
    },
  };
  const mixedConfirm = {
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', 'x-api-key': setup.apiKey },
    setupRequest: (req) => {
      // the oldest offer of this step not yet confirmed (one of the create step's if none is back yet)
      return confirmOf(req, fresh.shift() ?? pool.pop());
    },
  };
  const s = await runStep(
    app,
    `create offer at ${createRate} req/s, confirm at ${confirmRate} req/s and health at 200 req/s together, evenly spaced${titleSuffix}`,
    {
      ...base,
      pacedLoads: [
        { rate: createRate, label: 'create', request: mixedCreate },
        { rate: confirmRate, label: 'confirm', request: mixedConfirm },
        { rate: 200, label: 'health', request: { method: 'GET', path: '/health/live' } },
      ],
    },
    opts,
  );
  s.paced_rates = { create: createRate, confirm: confirmRate, health: 200 };
  for (const [label, l] of Object.entries(s.by_request ?? {}))
    console.log(`    ${label}: ${l.req_per_s} req/s, p50 ${l.p50}, p90 ${l.p90}, p99 ${l.p99}, max ${l.max} ms`);
  return s;
}

function confirmOf(req, o) {
  req.path = `/x/partners/${PARTNER}/offers/${o.offer}/confirm/`;
  req.body = JSON.stringify({ quotes: [{ id: o.quote }], policyholder: CONFIRM_POLICYHOLDER });
  return req;
}

async function confirmStep(app, opts, base, setup, pool, createOpts, createRps) {
  let used = 0;
  let firstFailure = null;
  const confirmReq = {
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', 'x-api-key': setup.apiKey },
    setupRequest: (req) => {
      // never runs dry: the run is capped by maxOverallRequests to what is in the pool
      return confirmOf(req, pool[Math.min(used++, pool.length - 1)]);
    },
    onResponse: (status, resBody) => {
      if ((status < 200 || status > 299) && !firstFailure) firstFailure = { status, body: String(resBody).slice(0, 1000) };
    },
  };
  // enough offers for warm-up + measurement at up to twice the create rate (confirm is usually
  // a bit faster); creating them is not measured
  const needed = Math.min(POOL_CAP, Math.ceil(Math.max(createRps * 2, 300) * (opts.warmup + opts.duration + 10)));
  let filled = 0;
  if (pool.length < needed) {
    const amount = needed - pool.length;
    process.stdout.write(`- confirm: creating ${amount} more offers for it (not measured)\n`);
    const before = pool.length;
    await runAutocannon({ ...createOpts, amount: Math.max(amount, opts.connections) });
    filled = pool.length - before;
  }
  const cap = pool.length;
  const s = await runStep(app, 'confirm', { ...base, requests: [confirmReq], maxOverallRequests: cap }, opts);
  s.offers_available = cap;
  s.offers_created_for_it = filled;
  if (used >= cap && s.duration_s < opts.duration - 0.5) s.note = `ran out of offers: measured ${s.duration_s} s instead of ${opts.duration} s`;
  if (firstFailure) s.first_failure = firstFailure;
  // a later step (--webhooks) confirms only offers this one did not
  pool.splice(0, Math.min(used, pool.length));
  return s;
}

/**
 * (--webhooks) The confirm step again, with an endpoint for booking.created at a receiver in this
 * process (none with `--webhook-receiver none`, the control arm of a paired comparison): each
 * confirm also writes its delivery, which the app sends in the background. Then the paced create
 * and confirm step again, while those deliveries are still being sent (or, with a receiver that
 * never answers, while every dispatcher slot waits for its timeout). Reports both steps and the
 * deliveries the receiver got (during the confirm step, and in all once the app has caught up, at
 * most 30 s later).
 */
async function confirmWithWebhooksStep(app, opts, base, setup, pool, createOpts, createRps) {
  const mode = opts.webhookReceiver ?? 'ok';
  let received = 0;
  const receiver = nodeHttp.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      if (mode !== 'hang') res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, HOST, resolve));
  try {
    if (mode !== 'none') {
      const url = `http://${HOST}:${receiver.address().port}/hooks`;
      const hook = await http(app.base, 'POST', `/admin/partners/${PARTNER}/webhooks`, {
        headers: { 'X-Admin-Key': app.adminKey },
        body: { url, events: ['booking.created'] },
      });
      if (hook.status !== 201) throw new Error(`POST webhooks → ${hook.status}: ${hook.text}`);
    }
    const before = received;
    const s = await confirmStep(app, opts, base, setup, pool, createOpts, createRps);
    s.webhook_receiver = mode;
    s.webhook_deliveries_received_during_step = received - before;
    // offers for the paced step's first confirms (it confirms its own creates once they are back)
    if (pool.length < 200) await runAutocannon({ ...createOpts, amount: Math.max(200, opts.connections) });
    const paced = await pacedCreateAndConfirmStep(app, opts, base, setup, pool, createOpts.requests[0], createRps, ` (webhook receiver: ${mode})`);
    paced.webhook_receiver = mode;
    const confirmed = s.status_codes && s.status_codes['200'] ? s.status_codes['200'] : s.requests_total;
    const expected = mode === 'none' ? 0 : (s.autocannon_total_including_warmup?.requests ?? confirmed);
    const deadline = Date.now() + (mode === 'ok' ? 30000 : 0);
    while (received - before < expected && Date.now() < deadline) await sleep(100);
    s.webhook_deliveries_received = received - before;
    s.webhook_catch_up_ms = Math.max(0, 30000 - (deadline - Date.now()));
    console.log(
      `    webhooks: ${s.webhook_deliveries_received_during_step} deliveries received during the confirm step, ${s.webhook_deliveries_received} in all`,
    );
    return { confirm: s, paced };
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
}

// ---------------------------------------------------------------------------------------------
// results

function buildResults(opts, steps, { rssAtStart, rssAtEnd, stopped, loadBefore, coldSteps = {} }) {
  const create = steps.create_offer;
  const health = steps.health;
  const ratio = health.req_per_s > 0 ? Math.round((create.req_per_s / health.req_per_s) * 1000) / 1000 : null;
  // the same ratio from the app's CPU cost per request: steadier than req/s on a shared machine
  const cpuRatio =
    health.cpu_ms_per_request && create.cpu_ms_per_request ? Math.round((health.cpu_ms_per_request / create.cpu_ms_per_request) * 1000) / 1000 : null;
  const measured = Object.values(steps).filter((s) => !s.skipped);
  // memory over the run after warm-up: from the start of the measured create-offer run to the end
  // of the last measured step (health is before any offer work, so it is not counted)
  const hot = Object.entries(steps)
    .filter(([name, s]) => !s.skipped && name !== 'health' && !isInfoStep(name))
    .map(([, s]) => s);
  const rssBase = create.rss_mb.before;
  const rssEnd = hot.at(-1).rss_mb.after;
  const rssPeak = Math.max(...hot.map((s) => s.rss_mb.peak ?? 0));
  const endpointGrowth = rssBase ? Math.round(((rssEnd - rssBase) / rssBase) * 1000) / 10 : null;
  const all = hot.flatMap((s) => s.rss_mb.samples);
  const trend = slopePerMin(all);
  // RSS is a GC sawtooth (tens to a hundred MB within seconds), so growth is judged on its floor:
  // the lowest sample of the last third of a step's measured run against the lowest of its first
  // third, per step under steady load (create, confirm); the worst step is the figure. Across the
  // whole run (create then confirm: two workloads, tens of thousands more rows) it is reported too.
  const third = Math.floor(all.length / 3);
  const floorStart = third > 0 ? Math.min(...all.slice(0, third)) : null;
  const floorEnd = third > 0 ? Math.min(...all.slice(all.length - third)) : null;
  const acrossRun = floorStart ? Math.round(((floorEnd - floorStart) / floorStart) * 1000) / 10 : null;
  const perStep = Object.fromEntries(
    Object.entries(steps)
      .filter(([, st]) => hot.includes(st))
      .map(([n, st]) => [n, st.rss_floor_growth_pct]),
  );
  const perStepValues = Object.values(perStep).filter((v) => v !== null);
  const growth = perStepValues.length ? Math.max(...perStepValues) : endpointGrowth;
  const non2xx = measured.reduce((n, s) => n + s.non_2xx, 0);
  const errors = measured.reduce((n, s) => n + s.errors + s.timeouts, 0);
  const memoryCaveats = [];
  if (opts.duration < 60) memoryCaveats.push('indicative only: GC cycles last ~15-20 s here, judge memory on --duration 60');
  // on PostgreSQL V8 takes about a minute of create to size its heap (test/bench/README.md, sixth and seventh sessions)
  if (opts.postgres && opts.warmup < 60) memoryCaveats.push('on PostgreSQL the heap is still being sized in the first minute: --warmup 60 measures after it');
  const targets = {
    ratio: { target: `>= ${TARGETS.ratio}`, value: ratio, met: ratio !== null && ratio >= TARGETS.ratio },
    create_p99_ms: { target: `<= ${TARGETS.createP99Ms}`, value: create.latency_ms.p99, met: create.latency_ms.p99 <= TARGETS.createP99Ms },
    non_2xx: { target: '0 (every step)', value: non2xx, errors_and_timeouts: errors, met: non2xx === 0 && errors === 0 },
    rss_growth_pct: {
      target: `<= ${TARGETS.rssGrowthPct} % (post-GC floor: lowest RSS in the last third of a step's measured run vs its first third; worst of create, confirm)`,
      value: growth,
      per_step: perStep,
      across_run_floor_growth_pct: acrossRun,
      floor_from_mb: floorStart,
      floor_to_mb: floorEnd,
      endpoint_growth_pct: endpointGrowth,
      from_mb: rssBase,
      to_mb: rssEnd,
      peak_mb: rssPeak,
      trend_mb_per_min: trend,
      ...(memoryCaveats.length > 0 ? { caveat: memoryCaveats.join('; ') } : {}),
      met: growth !== null && growth <= TARGETS.rssGrowthPct,
    },
  };
  for (const [name, c] of Object.entries(coldSteps)) {
    targets[`${name}_p99`] = {
      target: `<= ${c.target.limit_ms} (2 × next-window p99 ${c.later.latency_ms.p99} + 10), every request 2xx, next window steady`,
      value: c.target.first_p99_ms,
      failed_requests: c.target.failed_requests,
      later_window_steady: c.target.later_window_steady,
      met: c.target.met,
    };
  }
  const notes = [];
  if (steps.confirm && steps.confirm.skipped) notes.push(`confirm step skipped: ${steps.confirm.skipped}`);
  if (steps.confirm && steps.confirm.note) notes.push(`confirm: ${steps.confirm.note}`);
  for (const [name, st] of Object.entries(steps)) {
    if (st.skipped || !st.app_main_thread) continue;
    if (st.app_main_thread.off_cpu_pct >= 15 && st.load_generator_cpu_pct >= 85) {
      notes.push(
        `${name}: the app's JS thread was off CPU ${st.app_main_thread.off_cpu_pct} % of the time while the load generator used ` +
          `${st.load_generator_cpu_pct} % of a core: autocannon, not the app, bounded this step${name === 'health' ? ' (the ratio is then optimistic)' : ''}`,
      );
    }
    if (st.app_main_thread.waiting_for_cpu_pct >= 15) {
      notes.push(
        `${name}: the app's JS thread waited for a core ${st.app_main_thread.waiting_for_cpu_pct} % of the time (other processes on this machine, or the load generator)`,
      );
    }
  }
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    ...(opts.label ? { label: opts.label } : {}),
    ...(opts.nodeFlags ? { node_flags: opts.nodeFlags } : {}),
    ...(opts.env ? { app_env: opts.env } : {}),
    profiled: opts.profile,
    duration_s: opts.duration,
    warmup_s: opts.warmup,
    connections: opts.connections,
    machine: {
      cpus: cpus.length,
      cpu_model: cpus[0] && cpus[0].model,
      total_mem_mb: Math.round(os.totalmem() / 1048576),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      load_generator: 'autocannon (same machine, separate process)',
      load_avg_before: loadBefore,
      load_avg_after: os.loadavg().map((x) => Math.round(x * 100) / 100),
    },
    app: {
      root: ROOT === REPO ? '.' : ROOT,
      ...gitInfo(),
      database: opts.postgres ? 'postgresql (fresh database)' : 'sqlite (fresh file, synchronous=FULL default)',
      ...(opts.redis ? { redis: opts.redis } : {}),
      log_level: (opts.env && opts.env.LOG_LEVEL) || 'info',
      stopped,
    },
    ratio,
    cpu_cost_ratio: cpuRatio,
    // (information) the same ratio for the route's floor (422, unknown schema): the most any create could reach here
    route_floor_ratio:
      steps.create_offer_route_floor && !steps.create_offer_route_floor.skipped && health.req_per_s > 0
        ? Math.round((steps.create_offer_route_floor.req_per_s / health.req_per_s) * 1000) / 1000
        : null,
    ...(opts.curve ? { latency_curve: latencyCurve(steps) } : {}),
    steps: { ...steps, ...coldSteps },
    rss_mb: { after_setup: rssAtStart, end: rssAtEnd },
    targets,
    all_targets_met: Object.values(targets).every((t) => t.met),
    notes,
  };
}

/**
 * --curve: create's latency at each paced rate, in order of rate, and the highest rate whose p99
 * met the target (null when none did). A rate the app did not keep up with shows as a req/s below it.
 */
function latencyCurve(steps) {
  const points = Object.entries(steps)
    .filter(([name, s]) => CURVE_STEP.test(name) && !s.skipped)
    .map(([name, s]) => ({
      percent_of_saturation: Number(CURVE_STEP.exec(name)[1]),
      paced_rate: s.paced_rate,
      req_per_s: s.req_per_s,
      ...s.latency_ms,
      non_2xx: s.non_2xx,
    }))
    .sort((a, b) => a.paced_rate - b.paced_rate);
  const within = points.filter((p) => p.p99 !== null && p.p99 <= TARGETS.createP99Ms && p.non_2xx === 0);
  return { points, p99_target_ms: TARGETS.createP99Ms, p99_met_up_to_req_per_s: within.length > 0 ? within.at(-1).paced_rate : null };
}

function printTable(r) {
  const rows = [
    [
      'step',
      'req/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'non-2xx',
      'errors',
      'app CPU',
      'CPU ms/req',
      'JS thread run/wait/off %',
      'loadgen CPU',
      'RSS MB before→after',
    ],
  ];
  const label = {
    health: 'GET /health/live',
    create_offer: 'POST offers (create)',
    create_offer_1_connection: '  same, 1 connection (info)',
    create_offer_half_rate: '  same, at half its req/s (info)',
    create_offer_route_floor: '  same route, 422 unknown schema (info)',
    create_offer_idempotent: '  same, with X-Idempotency-Key (info)',
    create_and_confirm_paced: 'create + confirm, paced together (info)',
    confirm: 'POST offers/{id}/confirm',
    confirm_with_webhooks: '  same, with a webhook endpoint (info)',
    create_and_confirm_paced_with_webhooks: 'create + confirm, paced, deliveries being sent (info)',
  };
  for (const [name, s] of Object.entries(r.steps)) {
    if (COLD_STEPS.includes(name)) continue; // a table of their own, below
    const curve = CURVE_STEP.exec(name);
    if (curve) label[name] = `  same, paced at ${curve[1]} % of its req/s (info)`;
    if (s.skipped) {
      rows.push([label[name] || name, `skipped: ${s.skipped}`, '', '', '', '', '', '']);
      continue;
    }
    rows.push([
      label[name] || name,
      String(s.req_per_s),
      String(s.latency_ms.p50),
      String(s.latency_ms.p99),
      String(s.latency_ms.max),
      String(s.non_2xx),
      String(s.errors + s.timeouts),
      s.app_cpu_pct === null ? '?' : `${s.app_cpu_pct} %`,
      String(s.cpu_ms_per_request ?? '?'),
      s.app_main_thread ? `${s.app_main_thread.on_cpu_pct}/${s.app_main_thread.waiting_for_cpu_pct}/${s.app_main_thread.off_cpu_pct}` : '?',
      `${s.load_generator_cpu_pct} %`,
      `${s.rss_mb.before} → ${s.rss_mb.after}`,
    ]);
  }
  const full = rows.filter((row) => !(row[1] || '').startsWith('skipped'));
  const widths = rows[0].map((_, c) => Math.max(...full.map((row) => row[c].length), c === 0 ? Math.max(...rows.map((row) => row[0].length)) : 0));
  console.log('');
  console.log(
    `Offers platform benchmark — ${r.connections} connections, ${r.warmup_s} s warm-up + ${r.duration_s} s per step, ` +
      `${r.machine.cpus} CPUs, node ${r.machine.node}${r.profiled ? ', PROFILED' : ''}`,
  );
  for (const [i, row] of rows.entries()) {
    if ((row[1] || '').startsWith('skipped')) console.log(`${row[0].padEnd(widths[0])}  ${row[1]}`);
    else console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log('');
  console.log('app CPU = all threads, % of one core; JS thread: % of wall time running / waiting for a core / off CPU (blocked or idle);');
  console.log('loadgen CPU = this process (autocannon, one thread): near 100 % means the load generator bounds that step');
  const perThread = Object.entries(r.steps)
    .filter(([, s]) => !s.skipped && s.app_threads_cpu_pct)
    .map(
      ([n, s]) =>
        `${n} ${Object.entries(s.app_threads_cpu_pct)
          .map(([g, v]) => `${g} ${v}`)
          .join(', ')}`,
    );
  if (perThread.length > 0) console.log(`app CPU % by thread: ${perThread.join('; ')}`);
  const redisCpu = Object.entries(r.steps).filter(([, s]) => s.redis_server_cpu_ms_per_request != null);
  if (redisCpu.length > 0) console.log(`redis-server CPU ms per request: ${redisCpu.map(([k, s]) => `${k} ${s.redis_server_cpu_ms_per_request}`).join('; ')}`);
  const pgCpu = Object.entries(r.steps).filter(([, s]) => s.postgres_server_cpu_ms_per_request != null);
  if (pgCpu.length > 0)
    console.log(`PostgreSQL server CPU ms per request: ${pgCpu.map(([k, s]) => `${k} ${s.postgres_server_cpu_ms_per_request}`).join('; ')}`);
  console.log(`ratio (create ÷ health req/s): ${r.ratio}   (from CPU ms per request, health ÷ create: ${r.cpu_cost_ratio})`);
  if (r.route_floor_ratio !== null)
    console.log(`route floor (422 unknown schema ÷ health req/s): ${r.route_floor_ratio}: the ceiling of the ratio with no offer work at all`);
  if (r.admin) {
    console.log(
      `operator requests on the app at rest (${r.admin.requests_each} each, one at a time): ms p50 / p90 / max; CPU ms per request of the main thread, of the app`,
    );
    for (const [name, a] of Object.entries(r.admin.steps)) {
      console.log(
        `  ${name.padEnd(30)} ${a.latency_ms.p50} / ${a.latency_ms.p90} / ${a.latency_ms.max}; CPU ${a.main_thread_cpu_ms} main, ${a.app_cpu_ms} app`,
      );
    }
  }
  if (r.latency_curve) {
    const c = r.latency_curve;
    console.log(
      `create offer against load (paced, evenly spaced): ${c.points.map((p) => `${p.paced_rate} req/s p50 ${p.p50} / p90 ${p.p90} / p99 ${p.p99} ms`).join('; ')}` +
        `; p99 <= ${c.p99_target_ms} ms ${c.p99_met_up_to_req_per_s === null ? 'at none of these rates' : `up to ${c.p99_met_up_to_req_per_s} req/s`}`,
    );
  }
  for (const name of COLD_STEPS) if (r.steps[name]) printColdStart(r.steps[name]);
  const stalls = Object.entries(r.steps).filter(([, s]) => s.stalled_seconds > 0);
  for (const [name, s] of stalls) console.log(`note: ${name}: ${s.stalled_seconds} second(s) with no response completed`);
  for (const n of r.notes) console.log(`note: ${n}`);
  console.log('Targets:');
  for (const [name, t] of Object.entries(r.targets)) {
    const extra =
      name === 'rss_growth_pct'
        ? ` (per step ${JSON.stringify(t.per_step)}; across the run: floor ${t.floor_from_mb} → ${t.floor_to_mb} MB, ` +
          `endpoints ${t.from_mb} → ${t.to_mb} MB, peak ${t.peak_mb} MB${t.caveat ? `; ${t.caveat}` : ''})`
        : name === 'non_2xx'
          ? `, socket errors + timeouts ${t.errors_and_timeouts}`
          : '';
    console.log(`  ${t.met ? 'met   ' : 'MISSED'}  ${name}: ${t.value} (target ${t.target})${extra}`);
  }
}

/** --cold-start: one variant's start-to-ready and its two windows (by send time after ready). */
function printColdStart(c) {
  console.log(
    `cold start, ${c.variant}: spawn → first 200 of /health/ready ${c.start_to_ready_ms} ms (first answer ${c.start_to_listening_ms} ms, ` +
      `app CPU ${c.app_cpu_ms_to_ready} ms, RSS ${c.rss_mb_at_ready} MB); then create offer paced at ${c.rate} req/s (${c.rate_source}):`,
  );
  const rows = [['  sent after ready', 'sent req/s', 'answered req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors']];
  for (const w of [c.first, c.later]) {
    rows.push(
      [
        `  ${w.from_s}-${w.to_s} s`,
        w.sent_req_per_s,
        w.answered_req_per_s,
        w.latency_ms.p50,
        w.latency_ms.p90,
        w.latency_ms.p99,
        w.latency_ms.max,
        w.non_2xx,
        w.errors + w.timeouts,
      ].map(String),
    );
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  console.log(`  p99 per second after ready: ${c.per_second_after_ready.p99_ms.join(' ')}`);
  if (!c.target.later_window_steady) {
    console.log(
      `  note: the next window was not steady (p50 ${c.target.later_window_p50_first_2s_ms} ms in its first 2 s, ${c.target.later_window_p50_last_2s_ms} ms in its last 2 s; ` +
        `${c.later.answered_req_per_s} of ${c.later.sent_req_per_s} req/s answered): a queue was still draining or growing, so it is no reference ` +
        '(a lower --cold-rate, or a quieter machine)',
    );
  }
}

main();
