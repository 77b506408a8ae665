#!/usr/bin/env node
/* `npm start` builds first when dist/ is missing or older than any source file. */
const { execSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist/apps/api/src/main.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.(ts|json)$/.test(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const stale = !existsSync(entry) || ['apps', 'libs'].some((d) => newest(join(root, d)) > statSync(entry).mtimeMs);
if (stale) {
  console.log('Building (dist/ is missing or stale)...');
  execSync('npx nest build', { cwd: root, stdio: 'inherit' });
}
