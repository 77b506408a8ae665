#!/usr/bin/env node
'use strict';
/**
 * Micro-benchmark of the shared rate limit (`SharedCounters.throttle`, one decision per partner
 * request when REDIS_URL is set): K decisions asked in the same turn of the event loop, as under
 * load, N times. Prints per decision the CPU of this process (user + system) and the CPU of the
 * redis-server (from its INFO), for the build in dist/ and, with --app-root DIR, for another build
 * (e.g. an export of an earlier commit), in alternating rounds so both see the same moments of the
 * machine. Needs a Redis; the keys it writes carry a prefix of their own and expire within 1 s.
 *
 *   npm run build && node test/bench/redis-throttle.js [--redis redis://127.0.0.1:6379]
 *     [--per-turn 1,5,10] [--turns 4000] [--rounds 3] [--app-root DIR]
 */
const path = require('node:path');

function parseArgs(argv) {
  const opts = { redis: 'redis://127.0.0.1:6379', perTurn: [1, 5, 10], turns: 4000, rounds: 3, roots: { this: path.resolve(__dirname, '../..') } };
  for (let i = 0; i < argv.length; i++) {
    const value = () => argv[++i];
    const flag = argv[i];
    if (flag === '--redis') opts.redis = value();
    else if (flag === '--per-turn') opts.perTurn = value().split(',').map(Number);
    else if (flag === '--turns') opts.turns = Number(value());
    else if (flag === '--rounds') opts.rounds = Number(value());
    else if (flag === '--app-root') opts.roots.other = path.resolve(value());
    else {
      console.error(`unknown option ${flag}`);
      process.exit(2);
    }
  }
  return opts;
}

async function redisServerCpuS(client) {
  const info = await client.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]);
}

async function round(root, label, url, perTurn, turns) {
  const { SharedCounters, RedisConnection } = require(path.join(root, 'dist/libs/core/src/redis'));
  const redis = new RedisConnection({ url, keyPrefix: `bench-throttle-${process.pid}-${label}:` });
  redis.connect();
  for (let i = 0; i < 200 && !redis.available; i++) await new Promise((r) => setTimeout(r, 25));
  if (!redis.available) throw new Error(`Redis at ${url} is not answering`);
  const counters = new SharedCounters(redis);
  const turn = () => Promise.all(Array.from({ length: perTurn }, (_, j) => counters.throttle(`partner-${j}`, 1000, 1e9, 0)));
  for (let i = 0; i < 500; i++) await turn(); // warm-up
  const server0 = await redisServerCpuS(redis.client);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < turns; i++) await turn();
  const cpu = process.cpuUsage(cpu0);
  const server = (await redisServerCpuS(redis.client)) - server0;
  if (counters.memory.size > 0) throw new Error('some decisions fell back to memory: Redis did not answer them');
  counters.onModuleDestroy();
  await redis.close();
  const n = turns * perTurn;
  return { app_us: (cpu.user + cpu.system) / n, app_sys_us: cpu.system / n, redis_server_us: (server * 1e6) / n };
}

(async () => {
  const opts = parseArgs(process.argv.slice(2));
  require('@nestjs/common').Logger.overrideLogger(false); // RedisConnection's connect lines
  const f = (x) => x.toFixed(1).padStart(6);
  console.log(
    `CPU µs per throttle decision; ${opts.turns} turns per round; labels: ${Object.entries(opts.roots)
      .map(([k, v]) => `${k} = ${v}`)
      .join(', ')}`,
  );
  console.log('per turn  build   app (of it system)  redis-server');
  for (const k of opts.perTurn) {
    for (let r = 0; r < opts.rounds; r++) {
      for (const [label, root] of Object.entries(opts.roots)) {
        const m = await round(root, label, opts.redis, k, opts.turns);
        console.log(`${String(k).padStart(8)}  ${label.padEnd(6)} ${f(m.app_us)}  (${f(m.app_sys_us)})      ${f(m.redis_server_us)}`);
      }
    }
  }
  process.exit(0);
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
