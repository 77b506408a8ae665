#!/usr/bin/env node
/* Writes docs/console.png and docs/offer-panel.png (1280×800) from the built app, through the
   browser suite's screenshots spec: `node test/browser/screenshots.js`. */
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const result = spawnSync(process.execPath, [join(__dirname, 'run.js'), '--testPathPatterns', 'screenshots'], {
  cwd: join(__dirname, '../..'),
  stdio: 'inherit',
  env: { ...process.env, SCREENSHOTS: '1' },
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
