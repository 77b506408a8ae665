import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig, Clock } from '@app/core';
import { createApp } from '../../apps/api/src/bootstrap';
import { createPgDatabase } from './databases';

export { createPgDatabase };

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** the http server to hand to supertest */
  http: ReturnType<NestExpressApplication['getHttpServer']>;
  close(): Promise<void>;
}

/**
 * PostgreSQL databases standing for a SQLite file that a test names itself (`sqlitePath`), so
 * that a test restarting the app "on the same database" gets the same one on PostgreSQL too.
 * Dropped with the whole run by test/integration/run.js (they share its TEST_PG_RUN_ID).
 */
const pgByNamedFile = new Map<string, Promise<{ url: string; drop(): Promise<void> }>>();

/**
 * Boots the real app (same module, pipes, guards, filters and middleware as main.ts) on a fresh
 * SQLite file, or — in the integration run (npm run test:integration) — on a fresh PostgreSQL
 * database (TEST_PG_ADMIN_URL) and with Redis (TEST_REDIS_URL) under a key prefix of its own.
 */
export async function startTestApp(overrides: Partial<AppConfig> = {}, clock?: Clock): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'offers-e2e-'));
  // integration runs put every app on its own fresh PostgreSQL database, or on the one standing
  // for the SQLite file the test named
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  let pg: { url: string; drop(): Promise<void> } | null = null;
  let dropPgOnClose = true;
  if (adminUrl && overrides.databaseUrl === undefined) {
    if (overrides.sqlitePath !== undefined && overrides.sqlitePath !== ':memory:') {
      let named = pgByNamedFile.get(overrides.sqlitePath);
      if (!named) {
        named = createPgDatabase(adminUrl);
        pgByNamedFile.set(overrides.sqlitePath, named);
      }
      pg = await named;
      dropPgOnClose = false;
    } else {
      pg = await createPgDatabase(adminUrl);
    }
  }
  const redisUrl = process.env.TEST_REDIS_URL;
  const { app, config } = await createApp(
    {
      ...(pg ? { databaseUrl: pg.url } : {}),
      ...(redisUrl ? { redisUrl } : {}),
      redisKeyPrefix: testRedisPrefix(),
      sqlitePath: join(dir, 'test.sqlite'),
      demoKeyPath: join(dir, 'demo-key.txt'),
      adminApiKey: TEST_ADMIN_KEY,
      seedDemo: false,
      logLevel: 'silent',
      // offers are built (and on SQLite stored) on one build thread, as by default on a machine
      // with 2+ cores; TEST_OFFER_BUILD_THREADS=0 builds them in process, and a suite may ask
      offerBuildThreads: Number(process.env.TEST_OFFER_BUILD_THREADS ?? 1),
      // ready at once: the warm-up has suites of its own (warm-up.e2e-spec.ts)
      warmupMaxSeconds: 0,
      // no background webhook delivery: the webhook suites turn it on, or drive it (WebhookDispatcher.runOnce)
      webhooksEnabled: false,
      // no background retention purge: the retention suite drives it (RetentionService.runOnce)
      retentionEnabled: false,
      ...overrides,
    },
    clock,
  );
  await app.init();
  return {
    app,
    config,
    http: app.getHttpServer(),
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
      if (pg && dropPgOnClose) await pg.drop();
    },
  };
}

/** A Redis key prefix no other test app uses (apps sharing one Redis never see each other's keys or messages). */
export function testRedisPrefix(): string {
  return `e2e-${randomBytes(6).toString('hex')}:`;
}
