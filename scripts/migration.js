#!/usr/bin/env node
/*
 * Migrations are kept per engine, in step: libs/database/src/migrations/{sqlite,postgres}.
 *   npm run migration:generate -- <Name>   writes the migration for both engines from the entity diff
 *   npm run migration:check                fails when entities and migrations disagree, on both engines
 * Each run uses a throwaway database: a temp SQLite file, and a temp PostgreSQL database created
 * through PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 * `--engine sqlite` or `--engine postgres` limits the run to one engine.
 */
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { randomBytes } = require('node:crypto');

const args = process.argv.slice(2);
const engineIdx = args.indexOf('--engine');
const engines = engineIdx >= 0 ? [args[engineIdx + 1]] : ['sqlite', 'postgres'];
const positional = args.filter((a, i) => a !== '--engine' && (engineIdx < 0 || i !== engineIdx + 1));
const [cmd, name] = positional;
const root = join(__dirname, '..');
const adminUrl = process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function withPgDatabase(fn) {
  const { Client } = require('pg');
  const db = `offers_mig_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${db}`;
    return fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.end();
  }
}

function runCli(env, cliArgs) {
  const cli = ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', require.resolve('typeorm/cli.js')];
  execFileSync(process.execPath, [...cli, ...cliArgs, '-d', join(root, 'ormconfig.ts')], {
    env: { ...env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(root, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: root,
  });
}

async function forEngine(engine) {
  const tmp = mkdtempSync(join(tmpdir(), 'offers-mig-'));
  const go = (env) => {
    runCli(env, ['migration:run']);
    if (cmd === 'generate') {
      if (!name) throw new Error('usage: npm run migration:generate -- <Name>');
      runCli(env, ['migration:generate', join('libs/database/src/migrations', engine, name), '--pretty']);
      console.log(`${engine}: generated; add the class to libs/database/src/migrations/index.ts`);
    } else if (cmd === 'check') {
      try {
        runCli(env, ['migration:generate', join(tmp, 'Drift'), '--check']);
      } catch {
        throw new Error(`${engine}: entities and migrations disagree (run npm run migration:generate -- <Name>)`);
      }
      console.log(`migration:check ${engine}: entities and migrations agree`);
    } else {
      throw new Error(`unknown command ${cmd}`);
    }
  };
  try {
    const base = { ...process.env };
    delete base.DATABASE_URL;
    if (engine === 'sqlite') go({ ...base, SQLITE_PATH: join(tmp, 'check.sqlite') });
    else await withPgDatabase((url) => go({ ...base, DATABASE_URL: url }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

(async () => {
  for (const engine of engines) await forEngine(engine);
})().catch((e) => {
  console.error(String(e.message || e));
  process.exit(1);
});
