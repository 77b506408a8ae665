#!/usr/bin/env node
/*
 * npm run test:integration — the e2e suites again, on PostgreSQL: every test app gets a fresh
 * database created through TEST_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * and dropped afterwards. Extra arguments go to jest (e.g. a file pattern).
 */
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const env = {
  ...process.env,
  TEST_PG_ADMIN_URL: process.env.TEST_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
};
const jest = require.resolve('jest/bin/jest');
const args = [jest, '--config', join(__dirname, '../../jest.config.js'), '--selectProjects', 'e2e', ...process.argv.slice(2)];
const r = spawnSync(process.execPath, args, { env, stdio: 'inherit' });
process.exit(r.status ?? 1);
