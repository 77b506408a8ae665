/**
 * The browser builds the API serves from PUBLIC_DIR: the offer panel (`/offer-panel.js` and its
 * versioned URL) and the operations console (`/console…`). Served from a fixture folder written
 * here, so the suite needs no `npm run build`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';

const PANEL_JS = 'customElements.define("offer-panel", class extends HTMLElement {});\n';
const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/console/assets/app-abc.js"></script></head><body></body></html>\n';
const ASSET_JS = 'console.log("console");\n';
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const PANEL_HASH = createHash('sha256').update(PANEL_JS).digest('hex').slice(0, 20);

function writeBuild(dir: string): void {
  mkdirSync(join(dir, 'console', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'offer-panel.js'), PANEL_JS);
  writeFileSync(join(dir, 'console', 'index.html'), INDEX_HTML);
  writeFileSync(join(dir, 'console', 'assets', 'app-abc.js'), ASSET_JS);
}

describe('Browser builds served by the API (e2e)', () => {
  let t: TestApp;
  let publicDir: string;

  beforeAll(async () => {
    publicDir = mkdtempSync(join(tmpdir(), 'offers-public-'));
    writeBuild(publicDir);
    t = await startTestApp({ publicDir });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(publicDir, { recursive: true, force: true });
  });

  describe('/offer-panel.js', () => {
    it('serves the module to any origin, with a strong ETag and a day of cache', async () => {
      const res = await request(t.http).get('/offer-panel.js').set('Origin', 'https://shop.example').expect(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(res.headers['cache-control']).toBe('public, max-age=86400');
      expect(res.headers.etag).toBe(`"${PANEL_HASH}"`);
      expect(res.text).toBe(PANEL_JS);
      // no key asked, no rate-limit headers of the partner routes
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    });

    it('answers 304 to If-None-Match with its ETag (also in a list, or weak), 200 to another', async () => {
      for (const tag of [`"${PANEL_HASH}"`, `W/"${PANEL_HASH}"`, `"other", "${PANEL_HASH}"`]) {
        const res = await request(t.http).get('/offer-panel.js').set('If-None-Match', tag).expect(304);
        expect(res.text ?? '').toBe('');
        expect(res.headers.etag).toBe(`"${PANEL_HASH}"`);
      }
      await request(t.http).get('/offer-panel.js').set('If-None-Match', '"older"').expect(200);
    });

    it('answers HEAD with the headers and no body', async () => {
      const res = await request(t.http).head('/offer-panel.js').expect(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(PANEL_JS)));
      expect(res.text ?? '').toBe('');
    });

    it('serves the versioned URL for good; another hash is 404', async () => {
      const res = await request(t.http).get(`/offer-panel.${PANEL_HASH}.js`).expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(res.text).toBe(PANEL_JS);
      const other = await request(t.http).get('/offer-panel.0123456789abcdef0123.js').expect(404);
      expect(other.body).toMatchObject({ type: 'api_error', code: 'not_found' });
    });

    it('takes GET and HEAD only', async () => {
      const res = await request(t.http).post('/offer-panel.js').send({}).expect(404);
      expect(res.body.code).toBe('not_found');
    });

    it('is not in the OpenAPI document', async () => {
      const doc = await request(t.http).get('/docs-json').expect(200);
      const paths = Object.keys(doc.body.paths as Record<string, unknown>);
      expect(paths.filter((p) => p.includes('offer-panel') || p.startsWith('/console'))).toEqual([]);
    });
  });

  describe('/console', () => {
    it.each(['/console', '/console/', '/console/partners', '/console/partners/SHOP/bookings/AB12C-DE34F-INS', '/console/audit?partner=SHOP'])(
      '%s answers the entry page, not cached, with the Content-Security-Policy',
      async (path) => {
        const res = await request(t.http).get(path).expect(200);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.headers['cache-control']).toBe('no-cache');
        expect(res.headers['content-security-policy']).toBe(CSP);
        expect(res.text).toBe(INDEX_HTML);
      },
    );

    it('answers HEAD on a page', async () => {
      const res = await request(t.http).head('/console/partners').expect(200);
      expect(res.headers['content-security-policy']).toBe(CSP);
    });

    it('serves a built asset as a file, cached for good, with the Content-Security-Policy', async () => {
      const res = await request(t.http).get('/console/assets/app-abc.js').expect(200);
      expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-security-policy']).toBe(CSP);
      expect(res.text).toBe(ASSET_JS);
    });

    it('answers 404 for an asset it does not have: never the entry page', async () => {
      for (const path of ['/console/assets/app-nope.js', '/console/assets/', '/console/assets', '/console/assets/deep/er.js']) {
        const res = await request(t.http).get(path).expect(404);
        expect(res.body).toMatchObject({ type: 'api_error', code: 'not_found' });
      }
    });

    it('never serves a file outside its folder', async () => {
      for (const path of [
        '/console/assets/..%2f..%2fpackage.json',
        '/console/assets/..%2f..%2f..%2f..%2fpackage.json',
        '/console/assets/%2e%2e/%2e%2e/offer-panel.js',
        '/console/assets/..%5c..%5cindex.html',
      ]) {
        const res = await request(t.http).get(path);
        expect([path, res.status]).toEqual([path, 404]);
        expect(res.text).not.toContain('customElements');
        expect(res.text).not.toContain('"name"');
      }
    });

    it('takes GET and HEAD only; the admin key is not asked', async () => {
      await request(t.http).post('/console/partners').send({}).expect(404);
      await request(t.http).delete('/console/assets/app-abc.js').expect(404);
      await request(t.http).get('/console/partners').expect(200);
    });
  });
});

describe('Browser builds missing (e2e)', () => {
  let t: TestApp;
  let publicDir: string;

  beforeAll(async () => {
    publicDir = mkdtempSync(join(tmpdir(), 'offers-public-empty-'));
    t = await startTestApp({ publicDir });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(publicDir, { recursive: true, force: true });
  });

  it('answers 404 in the error envelope for the panel, the console and its assets', async () => {
    for (const path of ['/offer-panel.js', `/offer-panel.${PANEL_HASH}.js`, '/console', '/console/partners', '/console/assets/app-abc.js']) {
      const res = await request(t.http).get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.body).toMatchObject({ type: 'api_error', code: 'not_found' });
      expect(typeof res.body.error_id).toBe('string');
      expect(res.headers['content-security-policy']).toBeUndefined();
    }
  });

  it('serves a build made after the start', async () => {
    writeBuild(publicDir);
    const panel = await request(t.http).get('/offer-panel.js').expect(200);
    expect(panel.text).toBe(PANEL_JS);
    await request(t.http).get('/console/partners').expect(200);
  });
});
