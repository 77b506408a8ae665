import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createPgDatabase, startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/app';

/**
 * The demo seed's admin key for the console: made when there is no ADMIN_API_KEY and no admin key
 * yet, printed once and written beside the demo key; never when ADMIN_API_KEY is set.
 */
describe('demo seed: an admin key for the console (e2e)', () => {
  let dir: string;
  let pg: { url: string; drop(): Promise<void> } | undefined;
  let t: TestApp | undefined;
  /** what the seed printed about the admin key (captured, not shown) */
  let printed: string[] = [];

  async function start(dataDir: string, adminApiKey: string | undefined): Promise<TestApp> {
    printed = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      if (String(chunk).includes('Admin key for the console')) {
        printed.push(String(chunk));
        return true;
      }
      if (String(chunk).includes('Demo partner')) return true;
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    });
    try {
      return await startTestApp({
        seedDemo: true,
        adminApiKey,
        sqlitePath: join(dataDir, 'offers.sqlite'),
        demoKeyPath: join(dataDir, 'demo-key.txt'),
        ...(pg ? { databaseUrl: pg.url } : {}),
      });
    } finally {
      spy.mockRestore();
    }
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'offers-seed-admin-'));
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await pg?.drop();
    pg = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const freshDatabase = async (): Promise<void> => {
    if (process.env.TEST_PG_ADMIN_URL) pg = await createPgDatabase(process.env.TEST_PG_ADMIN_URL);
  };

  it('without ADMIN_API_KEY: writes admin-key.txt (owner only), prints it once, and the key opens the admin API', async () => {
    await freshDatabase();
    const data = join(dir, 'first');
    t = await start(data, undefined);
    const file = join(data, 'admin-key.txt');
    const key = readFileSync(file, 'utf8').trim();
    expect(key).toMatch(/^\S{32,}$/);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(key);
    expect(printed[0]).toContain(file);

    const partners = await request(t.http).get('/admin/partners').set('X-Admin-Key', key).expect(200);
    expect(JSON.stringify(partners.body)).toContain('DEMO');
    const keys = await request(t.http).get('/admin/admin-keys').set('X-Admin-Key', key).expect(200);
    const items = (Array.isArray(keys.body) ? keys.body : keys.body.items) as Array<{ name: string }>;
    expect(items.map((k) => k.name)).toEqual(['console (demo seed)']);

    // a second start on the same database finds an admin key: no new one, nothing printed, the file kept
    await t.close();
    t = await start(data, undefined);
    expect(printed).toEqual([]);
    expect(readFileSync(file, 'utf8').trim()).toBe(key);
    const again = await request(t.http).get('/admin/admin-keys').set('X-Admin-Key', key).expect(200);
    expect((Array.isArray(again.body) ? again.body : again.body.items) as unknown[]).toHaveLength(1);
  });

  it('with ADMIN_API_KEY set: no admin key is made and no file written', async () => {
    await freshDatabase();
    const data = join(dir, 'bootstrap');
    t = await start(data, TEST_ADMIN_KEY);
    expect(printed).toEqual([]);
    expect(existsSync(join(data, 'admin-key.txt'))).toBe(false);
    const keys = await request(t.http).get('/admin/admin-keys').set('X-Admin-Key', TEST_ADMIN_KEY).expect(200);
    expect((Array.isArray(keys.body) ? keys.body : keys.body.items) as unknown[]).toEqual([]);
  });
});
