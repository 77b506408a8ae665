#!/usr/bin/env node
'use strict';
/**
 * Micro-benchmark of building one offer (what the offer build thread does before it stores: parse
 * the body, validate, select the config, run the experiment, price both products, render the
 * content, serialise the response), in one process on the benchmark bundle and request
 * (bundle.js), without HTTP or a database. Prints the CPU µs per offer (the process's, so V8's GC
 * helper threads count) and the KB allocated per offer (what the GCs of a round freed plus what the
 * heap grew by, from V8's GC profiler).
 *
 *   npm run build && node test/bench/offer-build.js
 *   node test/bench/offer-build.js --compare /tmp/base/dist   # against another build
 *
 * With --compare, both builds are loaded in this one process and its rounds alternate between
 * them, so both see the same moments of the machine (this VM's speed swings by ±30 % between
 * runs minutes apart). Make the other build with
 * `git archive <rev> | tar -x -C /tmp/base && ln -s "$PWD/node_modules" /tmp/base/ && (cd /tmp/base && npm run build)`.
 */
require('reflect-metadata');
const path = require('node:path');
const v8 = require('node:v8');
const { benchOfferBuilder } = require('./bundle');

const WARMUP = 4000;
const ROUNDS = 20;
const PER_ROUND = 500;

/** One build's setup: the benchmark configuration compiled, and a function that builds offer i. */
function setup(dist) {
  const build = benchOfferBuilder(dist);
  const sample = build(0);
  if (sample.quotes.length !== 2) throw new Error(`the benchmark request should get 2 quotes, got ${sample.quotes.length}`);
  return build;
}

/** CPU µs and KB allocated per offer over n builds. */
function round(build, n) {
  const profiler = new v8.GCProfiler();
  const heapBefore = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) build(i);
  const cpu = process.cpuUsage(cpu0);
  const stats = profiler.stop();
  const used = (h) => h.heapSpaceStatistics.reduce((a, x) => a + x.spaceUsedSize, 0);
  let collected = 0;
  for (const s of stats.statistics) collected += used(s.beforeGC) - used(s.afterGC);
  return { us: (cpu.user + cpu.system) / n, kb: (collected + v8.getHeapStatistics().used_heap_size - heapBefore) / n / 1024 };
}

function main() {
  const args = process.argv.slice(2);
  const here = path.resolve(__dirname, '../../dist');
  const ci = args.indexOf('--compare');
  const dists = [here, ...(ci >= 0 ? [path.resolve(args[ci + 1])] : [])];
  const builds = dists.map(setup);
  for (const build of builds) for (let i = 0; i < WARMUP; i++) build(i);
  const results = dists.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    // alternate which goes first, so neither always follows the other's garbage
    const order = r % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => i).reverse();
    for (const i of order) results[i].push(round(builds[i], PER_ROUND));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  dists.forEach((dist, i) => {
    const us = results[i].map((m) => m.us);
    console.log(
      `${dist}: median ${median(us).toFixed(1)} µs CPU per offer (rounds ${Math.min(...us).toFixed(0)}–${Math.max(...us).toFixed(0)}), ` +
        `${median(results[i].map((m) => m.kb)).toFixed(1)} KB allocated per offer; ${ROUNDS} rounds of ${PER_ROUND} offers after ${WARMUP} warm-up`,
    );
  });
}

main();
