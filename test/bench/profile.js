'use strict';
/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time and inclusive time per function,
 * and self time per module (app file under dist/, npm package, node internals), optionally only for
 * the samples inside given time windows (the bench passes each step's measured window, in the
 * same monotonic microsecond clock V8 uses for profile timestamps).
 *
 * Standalone: node test/bench/profile.js <file.cpuprofile> [top=25]
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');

function shortUrl(url) {
  if (!url) return '';
  let u = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + 1);
  const dist = u.indexOf('/dist/');
  if (dist >= 0) return u.slice(dist + 1); // the app, whichever checkout it was built in
  if (u.startsWith(ROOT + '/')) u = u.slice(ROOT.length + 1);
  return u;
}

/** The module a frame belongs to: `node_modules/<pkg>`, an app file under dist/, `node:*`, or a V8 pseudo-frame. */
function moduleOf(frame) {
  const u = shortUrl(frame.url);
  if (!u) {
    const n = frame.functionName;
    if (n === '(garbage collector)' || n === '(idle)' || n === '(program)' || n === '(root)') return n;
    return '(native / V8 builtins)';
  }
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = u.slice(nm + 'node_modules/'.length).split('/');
    return `node_modules/${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (u.startsWith('node:')) return 'node: (core)';
  return u;
}

function frameKey(f) {
  return `${f.functionName || '(anonymous)'}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}`;
}

function frameLabel(f) {
  const u = shortUrl(f.url);
  const where = u ? `${u}:${f.lineNumber + 1}` : '';
  return { fn: f.functionName || '(anonymous)', where };
}

/**
 * @param {object} profile parsed .cpuprofile
 * @param {Array<{start:number,end:number}>|null} windows µs in the profile's clock; null = whole profile
 */
function analyse(profile, windows) {
  const byId = new Map();
  const parent = new Map();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);

  const samples = profile.samples || [];
  const deltas = profile.timeDeltas || [];
  const times = new Array(samples.length);
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] || 0;
    times[i] = t;
  }
  const inWindow = (ts) => !windows || windows.some((w) => ts >= w.start && ts <= w.end);

  const self = new Map(); // key → µs
  const incl = new Map(); // key → µs
  const frames = new Map(); // key → callFrame
  const modules = new Map(); // module → µs (self)
  const modulesIncl = new Map(); // module → µs with the module anywhere on the stack
  const entries = new Map(); // "app fn → what it called" → µs, attributed at the innermost app frame
  let total = 0;
  let count = 0;
  for (let i = 0; i < samples.length; i++) {
    if (!inWindow(times[i])) continue;
    const dur = i + 1 < samples.length ? times[i + 1] - times[i] : Math.max(0, (profile.endTime || times[i]) - times[i]);
    if (dur <= 0) continue;
    total += dur;
    count++;
    const leaf = byId.get(samples[i]);
    if (!leaf) continue;
    const k = frameKey(leaf.callFrame);
    frames.set(k, leaf.callFrame);
    self.set(k, (self.get(k) || 0) + dur);
    const m = moduleOf(leaf.callFrame);
    modules.set(m, (modules.get(m) || 0) + dur);
    // inclusive: each distinct function (and module) on the stack once (recursion counted once)
    const seen = new Set();
    const seenMods = new Set();
    let below = null; // the npm package nearest the leaf, under the innermost app frame
    let attributed = false;
    for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node) break;
      const mod = moduleOf(node.callFrame);
      if (!seenMods.has(mod)) {
        seenMods.add(mod);
        modulesIncl.set(mod, (modulesIncl.get(mod) || 0) + dur);
      }
      if (!attributed) {
        if (mod.startsWith('dist/')) {
          const { fn, where } = frameLabel(node.callFrame);
          const ek = `${fn}  (${where})  →  ${below ?? '(its own code, natives)'}`;
          entries.set(ek, (entries.get(ek) || 0) + dur);
          attributed = true;
        } else if (below === null && mod.startsWith('node_modules/')) {
          below = mod; // the npm package nearest the leaf
        }
      }
      const kk = frameKey(node.callFrame);
      if (parent.get(id) === undefined && !attributed && below !== null) {
        const ek = `(no app frame: async continuation)  →  ${below}`;
        entries.set(ek, (entries.get(ek) || 0) + dur);
      }
      if (seen.has(kk)) continue;
      seen.add(kk);
      frames.set(kk, node.callFrame);
      incl.set(kk, (incl.get(kk) || 0) + dur);
    }
  }
  return { self, incl, frames, modules, modulesIncl, entries, total, count };
}

const ms = (us) => (us / 1000).toFixed(1);
const pct = (us, total) => (total > 0 ? ((100 * us) / total).toFixed(1) : '0.0');

function isPseudo(f) {
  return !f.url && /^\(.*\)$/.test(f.functionName);
}

/** Text report for one analysis. */
function report(a, title, top = 25) {
  const lines = [];
  lines.push(`=== ${title}: ${a.count} samples, ${ms(a.total)} ms of CPU-profile time ===`);
  lines.push('');
  lines.push(`Top ${top} functions by SELF time`);
  lines.push(`${'self ms'.padStart(9)} ${'self%'.padStart(6)} ${'incl%'.padStart(6)}  function  (location)`);
  const bySelf = [...a.self.entries()].sort((x, y) => y[1] - x[1]).slice(0, top);
  for (const [k, us] of bySelf) {
    const { fn, where } = frameLabel(a.frames.get(k));
    lines.push(`${ms(us).padStart(9)} ${pct(us, a.total).padStart(6)} ${pct(a.incl.get(k) || 0, a.total).padStart(6)}  ${fn}${where ? `  (${where})` : ''}`);
  }
  lines.push('');
  lines.push('Self time by module (app files under dist/, npm packages, node core, V8)');
  const byMod = [...a.modules.entries()].sort((x, y) => y[1] - x[1]).slice(0, top);
  for (const [m, us] of byMod) lines.push(`${ms(us).padStart(9)} ${pct(us, a.total).padStart(6)}%  ${m}`);
  lines.push('');
  lines.push('Time with the module anywhere on the stack (inclusive; a request path shows as several modules)');
  const byModIncl = [...a.modulesIncl.entries()]
    .filter(([m]) => !m.startsWith('('))
    .sort((x, y) => y[1] - x[1])
    .slice(0, top);
  for (const [m, us] of byModIncl) lines.push(`${ms(us).padStart(9)} ${pct(us, a.total).padStart(6)}%  ${m}`);
  lines.push('');
  lines.push('Who causes it: innermost app function on the stack → npm package nearest the leaf');
  const byEntry = [...a.entries.entries()].sort((x, y) => y[1] - x[1]).slice(0, top);
  for (const [e, us] of byEntry) lines.push(`${ms(us).padStart(9)} ${pct(us, a.total).padStart(6)}%  ${e}`);
  lines.push('');
  lines.push(`Top ${top} APP functions (dist/) by INCLUSIVE time (self + callees)`);
  const appIncl = [...a.incl.entries()]
    .filter(([k]) => {
      const u = shortUrl(a.frames.get(k).url);
      return u.startsWith('dist/') || (u && !u.includes('node_modules') && !u.startsWith('node:') && u.includes('/dist/'));
    })
    .sort((x, y) => y[1] - x[1])
    .slice(0, top);
  for (const [k, us] of appIncl) {
    const { fn, where } = frameLabel(a.frames.get(k));
    lines.push(`${pct(us, a.total).padStart(6)}%  ${fn}  (${where})`);
  }
  lines.push('');
  lines.push(`Top ${top} LIBRARY functions (node_modules) by INCLUSIVE time`);
  const libIncl = [...a.incl.entries()]
    .filter(([k]) => shortUrl(a.frames.get(k).url).includes('node_modules/') && !isPseudo(a.frames.get(k)))
    .sort((x, y) => y[1] - x[1])
    .slice(0, top);
  for (const [k, us] of libIncl) {
    const { fn, where } = frameLabel(a.frames.get(k));
    lines.push(`${pct(us, a.total).padStart(6)}%  ${fn}  (${where})`);
  }
  lines.push('');
  return { text: lines.join('\n'), bySelf, byMod };
}

/**
 * @param {string} file a .cpuprofile
 * @param {Array<{name:string,start:number,end:number}>} windows named windows (µs, monotonic clock)
 * @returns {{text:string, json:object}}
 */
function summarise(file, windows = [], top = 25) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const parts = [`Profile: ${shortUrl(file)}  (${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s wall)`, ''];
  const json = { file: shortUrl(file), windows: [] };
  const usable = windows.filter((w) => w.end > profile.startTime && w.start < profile.endTime);
  if (windows.length > 0 && usable.length === 0) {
    parts.push('(step windows do not overlap the profile clock: showing the whole profile only)', '');
  }
  for (const w of usable) {
    const a = analyse(profile, [w]);
    const r = report(a, `step "${w.name}" (measured window only)`, top);
    parts.push(r.text);
    json.windows.push({
      name: w.name,
      samples: a.count,
      profile_ms: Number(ms(a.total)),
      top_self: r.bySelf.map(([k, us]) => ({ ...frameLabel(a.frames.get(k)), self_ms: Number(ms(us)), self_pct: Number(pct(us, a.total)) })),
      by_module: r.byMod.map(([m, us]) => ({ module: m, self_ms: Number(ms(us)), self_pct: Number(pct(us, a.total)) })),
    });
  }
  const whole = analyse(profile, null);
  parts.push(report(whole, 'whole run (startup, bundle write, every step)', top).text);
  return { text: parts.join('\n'), json };
}

module.exports = { summarise, analyse, frameLabel };

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node test/bench/profile.js <file.cpuprofile> [top]');
    process.exit(2);
  }
  process.stdout.write(summarise(file, [], Number(process.argv[3]) || 25).text + '\n');
}
