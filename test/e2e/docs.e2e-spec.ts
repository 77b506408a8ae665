import request from 'supertest';
import { BUNDLE_JSON_SCHEMA } from '@app/bundles';
import { startTestApp, TestApp } from '../support/app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking an arbitrary JSON document
type Json = Record<string, any>;

/** every `$ref` string in the document, with where it was found */
function collectRefs(node: unknown, at = '#', out: Array<{ at: string; ref: string }> = []): Array<{ at: string; ref: string }> {
  if (Array.isArray(node)) node.forEach((v, i) => collectRefs(v, `${at}/${i}`, out));
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push({ at, ref: v });
      else collectRefs(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
    }
  }
  return out;
}

function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(token in node)) return undefined;
    node = (node as Json)[token];
  }
  return node;
}

describe('docs (e2e)', () => {
  let t: TestApp;
  let doc: Json;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await request(t.http).get('/docs-json').expect(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    doc = res.body as Json;
  });
  afterAll(async () => t.close());

  it('/docs serves the Swagger UI page', async () => {
    const res = await request(t.http).get('/docs').redirects(1).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toMatch(/swagger-ui/i);
  });

  it('/docs-json is an OpenAPI 3 document with both security schemes', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Offers platform');
    expect(doc.components.securitySchemes).toMatchObject({
      'partner-key': { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      'admin-key': { type: 'apiKey', in: 'header', name: 'X-Admin-Key' },
    });
  });

  it('documents the admin, bundle, audit and partner routes', () => {
    const paths = doc.paths as Record<string, Json>;
    expect(Object.keys(paths['/admin/partners/{code}/bundle'] ?? {}).sort()).toEqual(['get', 'put']);
    expect(paths['/admin/partners/{code}/bundle/versions']).toHaveProperty('get');
    expect(paths['/admin/partners/{code}/bundle/versions/{version}/restore']).toHaveProperty('post');
    expect(Object.keys(paths['/admin/partners/{code}/schemas/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(Object.keys(paths['/admin/partners/{code}/offer-configs/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(paths['/admin/audit']).toHaveProperty('get');
    expect(paths['/admin/partners']).toHaveProperty('post');
    // partner routes are listed once, under /x and without the trailing slash (both optional at run time)
    expect(paths['/x/partners/{partner_code}/offers']).toHaveProperty('post');
    expect(paths['/x/partners/{partner_code}/offers/{offer_id}']).toHaveProperty('get');
  });

  it('lists each partner route once, under /x, and says it is also served at /xcover and with a trailing slash', async () => {
    const paths = Object.keys(doc.paths as Record<string, Json>);
    expect(paths.filter((p) => p.startsWith('/xcover'))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('/') && p !== '/')).toEqual([]);
    const partner = paths.filter((p) => p.startsWith('/x/partners/'));
    expect(partner.length).toBeGreaterThan(10);
    // once: no two paths that differ only by prefix or trailing slash, and no operation twice
    const normalised = paths.map((p) => p.replace(/^\/xcover(?=\/)/, '/x').replace(/\/+$/, ''));
    expect(new Set(normalised).size).toBe(normalised.length);
    const operationIds = Object.values(doc.paths as Record<string, Json>).flatMap((item) => Object.values(item).map((op: Json) => op.operationId as string));
    expect(new Set(operationIds).size).toBe(operationIds.length);
    expect(doc.paths['/x/partners/{partner_code}/offers'].post.operationId).toBe('OffersController_create');
    expect(doc.info.description).toContain('`/xcover/...`');
    expect(doc.info.description).toMatch(/trailing slash/);
    // the twins the document leaves out are still served
    for (const path of ['/xcover/partners/NOSUCH/offers', '/xcover/partners/NOSUCH/offers/', '/x/partners/NOSUCH/offers/']) {
      const res = await request(t.http).post(path).send({});
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
  });

  it('cites no outside document: no description or summary contains a section sign', () => {
    const texts: Array<{ at: string; text: string }> = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${at}/${i}`));
      else if (typeof node === 'object' && node !== null) {
        for (const [k, v] of Object.entries(node)) {
          if ((k === 'description' || k === 'summary' || k === 'title') && typeof v === 'string') texts.push({ at: `${at}/${k}`, text: v });
          walk(v, `${at}/${k}`);
        }
      }
    };
    walk(doc, '#');
    expect(texts.length).toBeGreaterThan(50);
    expect(texts.filter(({ text }) => text.includes('\u00a7') || /\bspec\b/i.test(text))).toEqual([]);
  });

  it('secures admin routes with the admin key and partner routes with the partner key', () => {
    expect(doc.paths['/admin/partners/{code}/bundle'].put.security).toEqual(expect.arrayContaining([{ 'admin-key': [] }]));
    expect(doc.paths['/x/partners/{partner_code}/offers'].post.security).toEqual(expect.arrayContaining([{ 'partner-key': [] }]));
  });

  it('has the error envelope, and bundle routes use it for 422', () => {
    expect(doc.components.schemas.ErrorEnvelopeDto).toMatchObject({ type: 'object' });
    expect(doc.paths['/admin/partners/{code}/bundle'].put.responses['422'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorEnvelopeDto',
    });
  });

  it('documents the bundle body with the bundle JSON Schema', () => {
    const schemas = doc.components.schemas as Record<string, Json>;
    expect(schemas).toHaveProperty('Bundle');
    expect(doc.paths['/admin/partners/{code}/bundle'].put.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Bundle' });
    expect(doc.paths['/admin/partners/{code}/offer-configs/{id}'].put.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Bundle_offer_config',
    });
    const ok = (path: string, method: string) => doc.paths[path][method].responses['200'].content['application/json'].schema;
    expect(ok('/admin/partners/{code}/bundle', 'get')).toEqual({ $ref: '#/components/schemas/Bundle' });
    expect(ok('/admin/partners/{code}/offer-configs/{id}', 'get')).toEqual({ $ref: '#/components/schemas/Bundle_offer_config' });
    expect(ok('/admin/partners/{code}/offer-configs', 'get')).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Bundle_offer_config' } });
    expect(ok('/admin/partners/{code}/schemas/{id}', 'get')).toEqual({ $ref: '#/components/schemas/BundleSchemaDto' });
    expect(ok('/admin/partners/{code}/bundle/versions/{version}/restore', 'post')).toEqual({ $ref: '#/components/schemas/BundleWriteResponseDto' });
    const bundle = schemas.Bundle;
    expect(bundle).not.toHaveProperty('$schema');
    expect(bundle).not.toHaveProperty('$id');
    expect(bundle).not.toHaveProperty('definitions');
    expect(bundle).toMatchObject({ type: 'object', required: ['partner', 'schemas', 'offer_configs'], additionalProperties: false });
    expect(bundle.properties.offer_configs.items).toEqual({ $ref: '#/components/schemas/Bundle_offer_config' });
    const definitions = Object.keys((BUNDLE_JSON_SCHEMA as Json).definitions);
    expect(definitions.length).toBeGreaterThan(5);
    for (const name of definitions) expect(schemas).toHaveProperty([`Bundle_${name}`]);
    expect(schemas.Bundle_offer_config.required).toEqual(['id', 'name', 'schema', 'products']);
    expect(JSON.stringify(doc)).not.toContain('#/definitions/');
    // the exported constant itself is left as it was
    expect(JSON.stringify(BUNDLE_JSON_SCHEMA)).toContain('#/definitions/offer_config');
    expect(BUNDLE_JSON_SCHEMA).toHaveProperty('$schema');
  });

  it('speaks OpenAPI 3.0 in the bundle schemas: boolean exclusiveMinimum, no ignored $ref siblings', () => {
    const weight = (doc.components.schemas as Record<string, Json>).Bundle_experiment.properties.variants.items.properties.weight;
    expect(weight).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true });
    const when = (doc.components.schemas as Record<string, Json>).Bundle_offer_config.properties.when;
    expect(when).toEqual({ allOf: [{ $ref: '#/components/schemas/Bundle_expr' }], default: 'true' });
  });

  it('every $ref in the document resolves to an existing component', () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(50);
    const unresolved = refs.filter(({ ref }) => !ref.startsWith('#/components/') || resolvePointer(doc, ref) === undefined);
    expect(unresolved).toEqual([]);
  });
});
