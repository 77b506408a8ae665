import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DEMO_BUNDLE, DEMO_TRAVEL_REQUEST } from '../../apps/api/src/seed/demo-bundle';
import { createPgDatabase, startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/app';

describe('demo seed (e2e)', () => {
  const admin = { 'X-Admin-Key': TEST_ADMIN_KEY };
  let dir: string;
  let sqlitePath: string;
  let demoKeyPath: string;
  let pg: { url: string; drop(): Promise<void> } | undefined;
  let t: TestApp | undefined;
  let key: string;
  let keyFileContents: string;
  /** the key file's modification time, set by the test before the second start: a rewrite would change it */
  const KEY_FILE_MTIME = new Date('2001-02-03T04:05:06.000Z');
  /** what the seed printed to stdout (captured, not shown) */
  let printed: string[] = [];

  async function start(): Promise<TestApp> {
    printed = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      if (String(chunk).includes('Demo partner')) {
        printed.push(String(chunk));
        return true;
      }
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    });
    try {
      // both starts share one database: the SQLite file, or one PostgreSQL database in integration runs
      return await startTestApp({ seedDemo: true, sqlitePath, demoKeyPath, ...(pg ? { databaseUrl: pg.url } : {}) });
    } finally {
      spy.mockRestore();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'offers-seed-'));
    sqlitePath = join(dir, 'offers.sqlite');
    demoKeyPath = join(dir, 'keys', 'demo-key.txt');
    if (process.env.TEST_PG_ADMIN_URL) pg = await createPgDatabase(process.env.TEST_PG_ADMIN_URL);
    t = await start();
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
    await pg?.drop();
  });

  describe('first start', () => {
    it('creates DEMO with its bundle as version 1', async () => {
      const partner = await request(t!.http).get('/admin/partners/DEMO').set(admin).expect(200);
      expect(partner.body).toMatchObject({ code: 'DEMO', status: 'active', default_schema: 'travel:v1', current_version: 1 });
      const bundle = await request(t!.http).get('/admin/partners/DEMO/bundle').set(admin).expect(200);
      expect(bundle.headers['x-bundle-version']).toBe('1');
      expect(bundle.body.partner).toMatchObject({ code: 'DEMO', name: DEMO_BUNDLE.partner.name });
      expect(bundle.body.schemas.map((s: { id: string }) => s.id)).toEqual(DEMO_BUNDLE.schemas.map((s) => s.id));
      expect(bundle.body.offer_configs.map((c: { id: string }) => c.id)).toEqual(DEMO_BUNDLE.offer_configs.map((c) => c.id));
      const versions = await request(t!.http).get('/admin/partners/DEMO/bundle/versions').set(admin).expect(200);
      expect(versions.body).toEqual([expect.objectContaining({ version: 1, source: 'bundle.seed', created_by: 'system:seed', current: true })]);
    });

    it('writes a test key to DEMO_KEY_PATH (creating its directory), readable only by the owner', () => {
      keyFileContents = readFileSync(demoKeyPath, 'utf8');
      expect(keyFileContents).toMatch(/^\S{32,}\n$/);
      key = keyFileContents.trim();
      // printed once, at this start, with the file's path
      expect(printed).toHaveLength(1);
      expect(printed[0]).toContain(key);
      expect(printed[0]).toContain(demoKeyPath);
      if (process.platform !== 'win32') expect(statSync(demoKeyPath).mode & 0o077).toBe(0);
    });

    it('the key authenticates as a DEMO test key', async () => {
      const res = await request(t!.http).get('/x/partners/DEMO/key').set('X-Api-Key', key).expect(200);
      expect(res.body).toEqual({ partner_code: 'DEMO', key_id: expect.any(String), mode: 'test' });
    });

    it('the key creates an offer with DEMO_TRAVEL_REQUEST', async () => {
      const res = await request(t!.http).post('/x/partners/DEMO/offers').set('X-Api-Key', key).send(DEMO_TRAVEL_REQUEST).expect(200);
      expect(res.body).toMatchObject({ offer_config_id: 'travel-cover', offer_schema: 'travel:v1', currency: 'AUD' });
      expect(res.body.products.length).toBeGreaterThan(0);
      expect(res.body.errors).toEqual({});
      await request(t!.http)
        .get(`/x/partners/DEMO/offers/${res.body.id as string}`)
        .set('X-Api-Key', key)
        .expect(200);
    });

    it('the seed is audited under its own actor, without key material', async () => {
      const res = await request(t!.http).get('/admin/audit?partner_code=DEMO').set(admin).expect(200);
      expect(res.body.items.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual(
        expect.arrayContaining([
          ['bundle.seed', 'system:seed'],
          ['api_key.create', 'system:seed'],
        ]),
      );
      expect(res.text).not.toContain(key);
    });
  });

  describe('second start on the same database', () => {
    beforeAll(async () => {
      await t!.close(); // also removes the first app's own temp dir, not ours
      t = undefined;
      // a rewrite of the key file would show in its mtime, whatever the file system's resolution
      utimesSync(demoKeyPath, KEY_FILE_MTIME, KEY_FILE_MTIME);
      t = await start();
    });

    it('prints no key', () => {
      expect(printed).toEqual([]);
    });

    it('does not create a second key', async () => {
      const res = await request(t!.http).get('/admin/partners/DEMO/api-keys').set(admin).expect(200);
      const items = Array.isArray(res.body) ? res.body : res.body.items;
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ mode: 'test', name: 'demo' });
    });

    it('does not rewrite the key file, and the key still works', async () => {
      expect(readFileSync(demoKeyPath, 'utf8')).toBe(keyFileContents);
      expect(statSync(demoKeyPath).mtime).toEqual(KEY_FILE_MTIME);
      await request(t!.http).get('/x/partners/DEMO/key').set('X-Api-Key', key).expect(200);
    });

    it('does not write a second bundle version', async () => {
      const versions = await request(t!.http).get('/admin/partners/DEMO/bundle/versions').set(admin).expect(200);
      expect(versions.body).toHaveLength(1);
    });
  });
});
