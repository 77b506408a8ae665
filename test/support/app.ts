import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@app/core';
import { createApp } from '../../apps/api/src/bootstrap';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** the http server to hand to supertest */
  http: ReturnType<NestExpressApplication['getHttpServer']>;
  close(): Promise<void>;
}

/**
 * Boots the real app (same module, pipes, guards, filters and middleware as main.ts) on a fresh
 * SQLite file, or on DATABASE_URL when the integration run sets one.
 */
export async function startTestApp(overrides: Partial<AppConfig> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'offers-e2e-'));
  // integration runs (npm run test:integration) put every app on its own fresh PostgreSQL database
  const pg = process.env.TEST_PG_ADMIN_URL && overrides.databaseUrl === undefined ? await createPgDatabase(process.env.TEST_PG_ADMIN_URL) : null;
  const { app, config } = await createApp({
    ...(pg ? { databaseUrl: pg.url } : {}),
    sqlitePath: join(dir, 'test.sqlite'),
    demoKeyPath: join(dir, 'demo-key.txt'),
    adminApiKey: TEST_ADMIN_KEY,
    seedDemo: false,
    logLevel: 'silent',
    ...overrides,
  });
  await app.init();
  return {
    app,
    config,
    http: app.getHttpServer(),
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
      if (pg) await pg.drop();
    },
  };
}

/** A throwaway PostgreSQL database for one test app; `drop` removes it. */
export async function createPgDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `offers_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
