'use strict';
/**
 * A throwaway PostgreSQL database named `name` on the server of `adminUrl` (a connection with
 * CREATE DATABASE rights); `drop()` removes it, whoever is still connected. Plain JavaScript so the
 * benchmark (test/bench) and the TypeScript test support share it.
 */
const { Client } = require('pg');

async function onAdmin(adminUrl, sql) {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function createThrowawayDatabase(adminUrl, name) {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`not a database name for a throwaway database: ${name}`);
  await onAdmin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => onAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

module.exports = { createThrowawayDatabase };
