#!/usr/bin/env node
/* `npm run test:browser [jest args]`: builds dist/ and the browser builds when they are missing or
   stale, then runs the browser suite (jest, in band) with the arguments given. */
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '../..');

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const built = run([join(root, 'scripts/build-if-needed.js')]);
if (built !== 0) process.exit(built);
process.exit(run([require.resolve('jest/bin/jest'), '--config', join(__dirname, 'jest.config.js'), '--runInBand', ...process.argv.slice(2)]));
