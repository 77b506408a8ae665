#!/usr/bin/env node
'use strict';
/**
 * What the event loop allocates, by function (V8's sampling heap profiler, counting every
 * allocation, also those collected since). Two uses:
 *
 * 1. Preloaded into the app (`--node-flags "-r ./test/bench/alloc-profile.js"` of run.js): the
 *    first SIGUSR2 to the app's process starts sampling, the second writes
 *    `alloc-<time>.heapprofile` into ALLOC_PROFILE_DIR (default: the system's temp dir).
 *    For example, during a `--quick` run's create step:
 *      kill -USR2 <app pid>; sleep 6; kill -USR2 <app pid>
 *    With ALLOC_PROFILE_PROMOTED=1 in the app's environment (run.js `--env ALLOC_PROFILE_PROMOTED=1`)
 *    the objects the young generation's collections free are left out: what remains is what
 *    outlived them (promoted to the old generation, collected by a mark-compact or still live).
 * 2. `node test/bench/alloc-profile.js <file.heapprofile> [requests]`: bytes by function (self and
 *    inclusive), per request when given the number of requests of the sampled window.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function summarise(file, requests) {
  const { frameLabel } = require('./profile');
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  const walk = (node, above) => {
    const { fn, where } = frameLabel(node.callFrame);
    const key = `${fn}  ${where}`;
    const size = node.selfSize || 0;
    total += size;
    self.set(key, (self.get(key) || 0) + size);
    const stack = new Set(above).add(key);
    for (const k of stack) inclusive.set(k, (inclusive.get(k) || 0) + size);
    for (const child of node.children || []) walk(child, stack);
  };
  walk(profile.head, new Set());
  const per = requests > 0 ? requests : 1;
  const unit = requests > 0 ? 'B/request' : 'bytes';
  const top = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([k, v]) => `${String(Math.round(v / per)).padStart(10)} ${unit}  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  console.log(`allocated (sampled estimate): ${total} bytes${requests > 0 ? `, ${Math.round(total / per)} per request` : ''}`);
  console.log('\nby function, SELF\n' + top(self));
  console.log('\nby function, INCLUSIVE\n' + top(inclusive));
}

if (require.main === module) {
  const [file, requests] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node test/bench/alloc-profile.js <file.heapprofile> [requests]');
    process.exit(2);
  }
  summarise(file, Number(requests || 0));
} else {
  const inspector = require('node:inspector');
  const { isMainThread } = require('node:worker_threads');
  if (isMainThread) {
    const session = new inspector.Session();
    session.connect();
    const dir = process.env.ALLOC_PROFILE_DIR || os.tmpdir();
    // ALLOC_PROFILE_PROMOTED=1: only what outlived the young generation (promoted to the old one)
    const promotedOnly = process.env.ALLOC_PROFILE_PROMOTED === '1';
    let sampling = false;
    process.on('SIGUSR2', () => {
      if (!sampling) {
        sampling = true;
        session.post(
          'HeapProfiler.startSampling',
          { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !promotedOnly },
          (err) => {
            if (err) console.error(`alloc-profile: ${err.message}`);
          },
        );
        return;
      }
      sampling = false;
      session.post('HeapProfiler.stopSampling', (err, result) => {
        if (err) return console.error(`alloc-profile: ${err.message}`);
        const out = path.join(dir, `alloc-${Date.now()}.heapprofile`);
        fs.writeFileSync(out, JSON.stringify(result.profile));
        console.error(`alloc-profile: wrote ${out}`);
      });
    });
  }
}
