import { join, resolve } from 'node:path';
import { ConfigValidationError, loadConfig } from './app-config';

describe('loadConfig (environment variables)', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      sqlitePath: './data/offers.sqlite',
      sqliteSynchronous: 'FULL',
      pgNamedStatements: true,
      redisUrl: undefined,
      adminApiKey: undefined,
      seedDemo: true,
      configCacheTtlS: 300,
      maxBodyBytes: 102400,
      apiPrefixes: ['/x', '/xcover'],
      trustProxy: undefined,
      appEncryptionKey: undefined,
      signatureMaxSkewS: 900,
      logLevel: 'info',
      logSync: false,
      warmupMaxSeconds: 10,
    });
  });

  it('parses every variable', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const c = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u@h/db',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ADMIN_API_KEY: 'a-long-admin-key-123',
      SEED_DEMO: 'false',
      CONFIG_CACHE_TTL_S: '60',
      MAX_BODY_BYTES: '2048',
      API_PREFIXES: '/x/, /v2 ',
      APP_ENCRYPTION_KEY: key,
      LOG_LEVEL: 'DEBUG',
      SQLITE_SYNCHRONOUS: 'normal',
      PG_NAMED_STATEMENTS: 'false',
      LOG_SYNC: 'true',
      WARMUP_MAX_SECONDS: '0',
    });
    expect(c.port).toBe(8080);
    expect(c.warmupMaxSeconds).toBe(0);
    expect(c.seedDemo).toBe(false);
    expect(c.apiPrefixes).toEqual(['/x', '/v2']);
    expect(c.appEncryptionKey?.length).toBe(32);
    expect(c.logLevel).toBe('debug');
    expect(c.logSync).toBe(true);
    expect(c.sqliteSynchronous).toBe('NORMAL');
    expect(c.pgNamedStatements).toBe(false);
  });

  it('refuses bad values, naming every variable at fault', () => {
    let err: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        SEED_DEMO: 'maybe',
        DATABASE_URL: 'mysql://x',
        APP_ENCRYPTION_KEY: 'c2hvcnQ=',
        LOG_LEVEL: 'loud',
        API_PREFIXES: '/admin',
        LOG_SYNC: 'sometimes',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigValidationError);
    const message = (err as Error).message;
    for (const name of ['PORT', 'SEED_DEMO', 'DATABASE_URL', 'APP_ENCRYPTION_KEY', 'LOG_LEVEL', 'API_PREFIXES', 'LOG_SYNC']) {
      expect(message).toContain(name);
    }
  });

  it('refuses a short ADMIN_API_KEY and out-of-range numbers', () => {
    expect(() => loadConfig({ ADMIN_API_KEY: 'short' })).toThrow(/ADMIN_API_KEY/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ MAX_BODY_BYTES: '10' })).toThrow(/MAX_BODY_BYTES/);
    expect(() => loadConfig({ WARMUP_MAX_SECONDS: '-1' })).toThrow(/WARMUP_MAX_SECONDS/);
  });

  it("serves the browser builds from the project's dist/public, or PUBLIC_DIR (relative to the working directory)", () => {
    expect(loadConfig({}).publicDir).toBe(join(__dirname, '..', '..', '..', '..', 'dist', 'public'));
    expect(loadConfig({ PUBLIC_DIR: 'build/web' }).publicDir).toBe(resolve('build/web'));
    expect(loadConfig({ PUBLIC_DIR: '/srv/offers/public' }).publicDir).toBe('/srv/offers/public');
  });
});
