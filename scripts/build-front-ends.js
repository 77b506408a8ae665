#!/usr/bin/env node
/*
 * Builds the two browser surfaces the API serves, after `nest build` (which empties dist/):
 *   apps/offer-panel → dist/public/offer-panel.js   (one ES module, the <offer-panel> element)
 *   apps/console     → dist/public/console/          (the operations console, a single-page app)
 * Each is type-checked with its own tsconfig.json (DOM types), then built by Vite. Prints the
 * gzipped size of the panel and of the console's first load (the files its index.html names) and
 * fails when either is over its budget.
 */
const { execFileSync } = require('node:child_process');
const { readFileSync, existsSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');
const { gzipSync } = require('node:zlib');

const root = join(__dirname, '..');
const publicDir = join(root, 'dist/public');
const PANEL_BUDGET_BYTES = 20 * 1024;
const CONSOLE_FIRST_LOAD_BUDGET_BYTES = 300 * 1024;

/** `bin` of an installed package (its package.json is always resolvable, whatever the package exports) */
function packageBin(name, bin) {
  return join(dirname(require.resolve(`${name}/package.json`, { paths: [root] })), bin);
}

function run(script, args) {
  execFileSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' });
}

function gzippedSize(file) {
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

for (const app of ['offer-panel', 'console']) {
  run(packageBin('typescript', 'bin/tsc'), ['-p', `apps/${app}/tsconfig.json`, '--noEmit']);
  run(packageBin('vite', 'bin/vite.js'), ['build', '--config', `apps/${app}/vite.config.mts`, '--logLevel', 'warn']);
}

let failed = false;

const panel = join(publicDir, 'offer-panel.js');
const panelSize = gzippedSize(panel);
console.log(`offer-panel.js: ${kB(panelSize)} gzipped (budget ${kB(PANEL_BUDGET_BYTES)})`);
if (panelSize > PANEL_BUDGET_BYTES) failed = true;

// the console's first load: index.html and every script, module preload and stylesheet it names
const consoleDir = join(publicDir, 'console');
const index = join(consoleDir, 'index.html');
const html = readFileSync(index, 'utf8');
const named = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((url) => url.startsWith('/console/'));
let firstLoad = gzippedSize(index);
for (const url of new Set(named)) {
  const file = resolve(consoleDir, url.slice('/console/'.length));
  if (!existsSync(file)) throw new Error(`console/index.html names ${url}, which the build did not write`);
  firstLoad += gzippedSize(file);
}
console.log(`console first load: ${kB(firstLoad)} gzipped in ${named.length + 1} files (budget ${kB(CONSOLE_FIRST_LOAD_BUDGET_BYTES)})`);
if (firstLoad > CONSOLE_FIRST_LOAD_BUDGET_BYTES) failed = true;

if (failed) {
  console.error('a browser build is over its size budget');
  process.exit(1);
}
