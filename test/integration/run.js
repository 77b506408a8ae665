#!/usr/bin/env node
/*
 * npm run test:integration — the e2e suites and the database-level ones (jest project `db`:
 * *.db-spec.ts beside the code, test/integration/*.spec.ts) again, on PostgreSQL and Redis:
 * - every test app gets a fresh PostgreSQL database, created through TEST_PG_ADMIN_URL (default:
 *   DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards; the
 *   databases of this run are named offers_e2e_<run id>_… and whatever is left of them (a test
 *   that crashed) is dropped at the end;
 * - every test app uses Redis (REDIS_URL, default redis://127.0.0.1:6379) under a key prefix of
 *   its own, so suites never see each other's counters, cache entries or messages;
 * - every Create Offer is built on a worker thread (TEST_OFFER_BUILD_THREADS=1, as in npm test; on PostgreSQL the rows come back to the event loop);
 * - the suites that need PostgreSQL or spawn app processes (db-down, crash, two instances, and
 *   test/integration/*.spec.ts) run here only (they skip in `npm test`).
 * Extra arguments go to jest (e.g. a file pattern).
 */
const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const net = require('node:net');
const { join } = require('node:path');
const { Client } = require('pg');

const adminUrl = process.env.TEST_PG_ADMIN_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const runId = randomBytes(4).toString('hex');

/** PING over a raw socket: a clear message instead of every suite failing when Redis is down */
function pingRedis(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => {
      if (u.password) socket.write(`AUTH ${u.username ? `${decodeURIComponent(u.username)} ` : ''}${decodeURIComponent(u.password)}\r\n`);
      socket.write('PING\r\n');
    });
    socket.on('data', (d) => done(d.toString().includes('PONG')));
  });
}

async function withAdmin(work) {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

async function dropLeftovers() {
  await withAdmin(async (c) => {
    const { rows } = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`offers_e2e_${runId}_%`]);
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    if (rows.length > 0) console.log(`dropped ${rows.length} database(s) left by this run`);
  });
}

async function main() {
  try {
    await withAdmin((c) => c.query('SELECT 1'));
  } catch (e) {
    console.error(`PostgreSQL is not reachable at ${adminUrl.replace(/\/\/[^@]*@/, '//***@')}: ${e.message}`);
    process.exit(2);
  }
  if (!(await pingRedis(redisUrl))) {
    console.error(`Redis is not reachable at ${redisUrl.replace(/\/\/[^@]*@/, '//***@')}`);
    process.exit(2);
  }
  // every Create Offer of the e2e suites is built on a worker thread here (in process in npm test)
  const env = {
    ...process.env,
    TEST_PG_ADMIN_URL: adminUrl,
    TEST_REDIS_URL: redisUrl,
    TEST_PG_RUN_ID: runId,
    TEST_OFFER_BUILD_THREADS: process.env.TEST_OFFER_BUILD_THREADS ?? '1',
  };
  // the apps get their database and Redis from startTestApp, never implicitly from the environment
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const jest = require.resolve('jest/bin/jest');
  // PostgreSQL round trips are slower than SQLite's in-process calls: a longer per-test budget
  const args = [jest, '--config', join(__dirname, '../../jest.config.js'), '--selectProjects', 'e2e', 'db', '--testTimeout', '60000', ...process.argv.slice(2)];
  const r = spawnSync(process.execPath, args, { env, stdio: 'inherit' });
  try {
    await dropLeftovers();
  } catch (e) {
    console.error(`could not drop this run's leftover databases: ${e.message}`);
  }
  process.exit(r.status ?? 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
