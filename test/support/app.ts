import { mkdtempSync, rmSync } from 'node:fs';
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
  const { app, config } = await createApp({
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
    },
  };
}
