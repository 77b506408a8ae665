#!/usr/bin/env node
/* `npm start` builds first when dist/ (the API or a browser build) is missing or older than any source file. */
const { execSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist/apps/api/src/main.js');
const outputs = [entry, join(root, 'dist/public/offer-panel.js'), join(root, 'dist/public/console/index.html')];

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.(ts|mts|json|css|html)$/.test(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const stale = outputs.some((f) => !existsSync(f)) || ['apps', 'libs'].some((d) => newest(join(root, d)) > Math.min(...outputs.map((f) => statSync(f).mtimeMs)));
if (stale) {
  console.log('Building (dist/ is missing or stale)...');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
