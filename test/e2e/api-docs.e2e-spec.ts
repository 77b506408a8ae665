/**
 * docs/api.md covers every route the app serves: each (method, path) of the running app's OpenAPI
 * document must be written in it as `METHOD /path`. Path parameter names do not matter
 * (`{id}` = `{booking_id}`), nor a trailing slash, and a partner route under `/xcover` counts as
 * documented when its `/x` twin is (the prefixes serve the same routes). The other way round, a
 * route the page names must exist, in the document or among the few routes it leaves out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';

const API_DOC = join(__dirname, '..', '..', 'docs', 'api.md');
const HTTP_METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'] as const;

/** Served, but not in the OpenAPI document: metrics and the document itself. */
const OUTSIDE_OPENAPI = ['GET /metrics', 'GET /docs', 'GET /docs-json', 'GET /docs-yaml'];

/** Headings other code and documents link to: renaming one breaks those links. */
const STABLE_HEADINGS = [
  '## Authentication',
  '## Signed requests',
  '## Errors',
  '## Rate limits',
  '## Idempotency',
  '## Create Offer',
  '## Get Offer',
  '## Confirm Offer',
  '## Opt out',
  '## Bookings',
  '## Cancel a booking',
  '## Modify a booking',
  '## List bookings',
  '## Admin routes',
  '## Webhooks',
  '## Health and metrics',
];

/** `POST /xcover/partners/{partner_code}/offers/` → `POST /x/partners/{}/offers` */
function routeKey(method: string, path: string): string {
  let p = path.split('?')[0];
  p = p.replace(/\{[^}]*\}/g, '{}');
  p = p.replace(/\/+$/, '') || '/';
  p = p.replace(/^\/xcover(?=\/)/, '/x');
  return `${method.toUpperCase()} ${p}`;
}

/** Every `METHOD /path` written in the page (in code spans, tables or prose). */
function documentedRoutes(markdown: string): Set<string> {
  const found = new Set<string>();
  const pattern = /\b(GET|PUT|POST|PATCH|DELETE|HEAD|OPTIONS) (\/[A-Za-z0-9_{}\-./]*)/g;
  for (const m of markdown.matchAll(pattern)) {
    const path = m[2].replace(/\.+$/, '');
    found.add(routeKey(m[1], path));
  }
  return found;
}

describe('docs/api.md (e2e)', () => {
  let t: TestApp;
  let served: Set<string>;
  let markdown: string;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await request(t.http).get('/docs-json').expect(200);
    const paths = (res.body as { paths: Record<string, Record<string, unknown>> }).paths;
    served = new Set<string>();
    for (const [path, item] of Object.entries(paths)) {
      for (const method of HTTP_METHODS) if (item[method] !== undefined) served.add(routeKey(method, path));
    }
    markdown = readFileSync(API_DOC, 'utf8');
  });
  afterAll(async () => t.close());

  it('reads a plausible number of routes from both sides', () => {
    expect(served.size).toBeGreaterThan(40);
    expect(documentedRoutes(markdown).size).toBeGreaterThan(40);
  });

  it('documents every route of the OpenAPI document', () => {
    const documented = documentedRoutes(markdown);
    const missing = [...served].filter((r) => !documented.has(r)).sort();
    // the list of routes to add to docs/api.md, written `METHOD /path`
    expect(missing).toEqual([]);
  });

  it('documents no route the app does not serve', () => {
    const known = new Set([...served, ...OUTSIDE_OPENAPI.map((r) => routeKey(...(r.split(' ') as [string, string])))]);
    const unknown = [...documentedRoutes(markdown)].filter((r) => !known.has(r)).sort();
    // routes named in docs/api.md that no longer exist (or are misspelt there)
    expect(unknown).toEqual([]);
  });

  it('keeps the section headings other documents link to', () => {
    const headings = new Set(
      markdown
        .split('\n')
        .filter((l) => l.startsWith('## '))
        .map((l) => l.trim()),
    );
    expect(STABLE_HEADINGS.filter((h) => !headings.has(h))).toEqual([]);
  });
});
