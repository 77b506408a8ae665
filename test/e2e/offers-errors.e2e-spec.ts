/**
 * Create Offer: every status and error code it can answer, each by its own test, and the
 * selection order of the pipeline (candidates, exclusions + when, access, priority).
 */
import request from 'supertest';
import type { Bundle, OfferConfig } from '@app/core';
import { DataSource } from 'typeorm';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app';
import {
  bodySchema,
  createKey,
  createOffer,
  GENEROUS_LIMITS,
  goldBundle,
  goldRequest,
  INVALID_GOLD_REQUEST,
  invalidGoldAnswer,
  putBundle,
} from '../support/offer-bundles';

const SCHEMA = bodySchema({ kind: { type: 'string' }, optional_field: { type: 'number' }, premium: { type: 'number', default: 10 } });
const product = (code: string, when?: string) => ({ code, name: code, ...(when ? { when } : {}), pricing: { premium: 'context.premium' } });
const config = (id: string, schema: string, extra: Partial<OfferConfig> = {}): OfferConfig => ({
  id,
  name: id,
  schema,
  status: 'active',
  products: [product('P')],
  ...extra,
});

/** partner ERRS: no default schema; one schema per case */
const ERRS_BUNDLE: Bundle = {
  partner: { code: 'ERRS', name: 'Errors', status: 'active', rate_limits: GENEROUS_LIMITS },
  schemas: ['simple:v1', 'empty:v1', 'draft:v1', 'access:v1', 'multi:v1', 'exprerr:v1', 'fail:v1', 'prodexpr:v1', 'content:v1'].map((id) => ({
    id,
    json_schema: structuredClone(SCHEMA),
  })),
  offer_configs: [
    config('simple-when', 'simple:v1', { when: "context.kind == 'yes'" }),
    config('draft-only', 'draft:v1', { status: 'draft' }),
    config('inactive-one', 'empty:v1', { status: 'inactive' }),
    config('acc-sub', 'access:v1', { when: "context.kind == 'sub'", access: { subsidiaries: ['web'] } }),
    config('acc-mode', 'access:v1', { when: "context.kind == 'mode'", access: { key_modes: ['live'] } }),
    config('acc-country', 'access:v1', { when: "context.kind == 'country'", access: { countries: ['AU', 'NZ'] } }),
    config('acc-keyid', 'access:v1', { when: "context.kind == 'keyid'", access: { key_ids: ['some-other-key'] } }),
    // selection order: b and c tie on priority 10 (lowest id wins), a is 5; inactive never counts
    config('multi-a', 'multi:v1', { priority: 5 }),
    config('multi-c', 'multi:v1', { priority: 10 }),
    config('multi-b', 'multi:v1', { priority: 10 }),
    config('multi-inactive', 'multi:v1', { priority: 100, status: 'inactive' }),
    // a high-priority config that matches the context but denies access: the next one is chosen
    config('multi-denied', 'multi:v1', { priority: 50, access: { subsidiaries: ['nobody'] } }),
    config('expr-bad', 'exprerr:v1', { when: 'context.optional_field > 1.0' }),
    // step 6: an expression error fails only its product
    config('prod-expr', 'prodexpr:v1', { products: [{ code: 'P1', name: 'P1', pricing: { premium: 'context.optional_field * 2.0' } }, product('P2')] }),
    // step 7: a product placeholder that fails drops that product; an offer-level one fails the offer
    config('content-fail', 'content:v1', {
      products: [product('P1'), product('P2')],
      content: {
        default_language: 'en',
        en: {
          title: "{{ context.kind == 'offer-level' ? string(context.optional_field) : 'Title' }}",
          products: { P1: { title: 'P1 for {{ quote.price_formatted }}' }, P2: { title: 'P2 up to {{ quote.benefits[0].limit_formatted }}' } },
        },
      },
    }),
    config('all-fail', 'fail:v1', { products: [product('P1', 'false'), { code: 'P2', name: 'P2', pricing: { premium: '-1.0' } }] }),
  ],
};

const body = (schema: string | undefined, context: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  ...(schema ? { schema } : {}),
  customer: { language: 'en', currency: 'AUD', country: 'AU' },
  context,
  ...extra,
});

describe('Create Offer statuses and error codes (e2e)', () => {
  let t: TestApp;
  let live: string;
  let test: string;
  let gold: string;

  const expectEnvelope = (res: request.Response, status: number, type: string, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toEqual(expect.objectContaining({ type, code, message: expect.any(String), error_id: res.headers['x-request-id'] }));
  };

  beforeAll(async () => {
    t = await startTestApp();
    await putBundle(t.http, ERRS_BUNDLE);
    await putBundle(t.http, goldBundle('GOLD'));
    live = (await createKey(t.http, 'ERRS', 'live')).key;
    test = (await createKey(t.http, 'ERRS', 'test')).key;
    gold = (await createKey(t.http, 'GOLD', 'live')).key;
  });
  afterAll(async () => t.close());

  it('422 offer_validation_schema_required: no `schema` and no default schema', async () => {
    const res = await createOffer(t.http, 'ERRS', live, body(undefined));
    expect(res.body).toEqual({
      type: 'validation_error',
      code: 'offer_validation_schema_required',
      message: expect.any(String),
      errors: { '/schema': ['is required'] },
      error_id: expect.any(String),
    });
    expect(res.status).toBe(422);
  });

  it('`schema` omitted uses the default schema when there is one', async () => {
    const { schema: _omitted, ...noSchema } = goldRequest({ premium: 50 });
    const res = await createOffer(t.http, 'GOLD', gold, noSchema).expect(200);
    expect(res.body.offer_schema).toBe('gold:v1');
  });

  it('422 offer_validation_schema_not_found', async () => {
    const res = await createOffer(t.http, 'ERRS', live, body('nope:v1'));
    expectEnvelope(res, 422, 'validation_error', 'offer_validation_schema_not_found');
    expect(res.body.errors).toEqual({ '/schema': ['unknown schema "nope:v1"'] });
    // another partner's schema is unknown here too
    expectEnvelope(await createOffer(t.http, 'ERRS', live, body('gold:v1')), 422, 'validation_error', 'offer_validation_schema_not_found');
  });

  it('422 offer_validation_error lists every violation by JSON path', async () => {
    const res = await createOffer(t.http, 'GOLD', gold, INVALID_GOLD_REQUEST);
    expect(res.status).toBe(422);
    expect(res.body).toEqual(invalidGoldAnswer(res.headers['x-request-id']));
  });

  it('422 for a NUL character (U+0000) anywhere in a body, by JSON path, nothing stored; an escaped backslash is fine', async () => {
    const count = async () => Number((await t.app.get(DataSource).query<Array<{ n: number | string }>>('SELECT COUNT(*) AS n FROM offers'))[0].n);
    const before = await count();
    const res = await createOffer(t.http, 'GOLD', gold, {
      ...goldRequest({ 'no\u0000te': 'x' }),
      partner: { transaction_id: 'T\u0000', tags: ['ok', '\u0000'] },
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      type: 'validation_error',
      code: 'validation_error',
      message: 'Request validation failed',
      errors: {
        '/context/no\u0000te': ['the name must not contain the NUL character (U+0000)'],
        '/partner/transaction_id': ['must not contain the NUL character (U+0000)'],
        '/partner/tags/1': ['must not contain the NUL character (U+0000)'],
      },
      error_id: res.headers['x-request-id'],
    });
    expect(await count()).toBe(before);
    // the six characters \u0000 (an escaped backslash, then u0000) are ordinary text
    const text = await createOffer(t.http, 'GOLD', gold, goldRequest({}, {}, { transaction_id: 'T\\u0000' })).expect(200);
    expect(text.body.partner_transaction_id).toBe('T\\u0000');
    // admin bodies too
    const admin = await request(t.http)
      .put('/admin/partners/GOLD/bundle')
      .set('X-Admin-Key', TEST_ADMIN_KEY)
      .send({ ...goldBundle(), partner: { ...goldBundle().partner, name: 'Gold\u0000' } });
    expect(admin.status).toBe(422);
    expect(admin.body.errors).toEqual({ '/partner/name': ['must not contain the NUL character (U+0000)'] });
  });

  it('422 offer_validation_error for a body that is not an object, and for an unknown currency', async () => {
    const arr = await createOffer(t.http, 'GOLD', gold, [1, 2]);
    expectEnvelope(arr, 422, 'validation_error', 'offer_validation_error');
    const xxx = await createOffer(t.http, 'GOLD', gold, goldRequest({}, { currency: 'XXY' }));
    expectEnvelope(xxx, 422, 'validation_error', 'offer_validation_error');
    expect(xxx.body.errors).toEqual({ '/customer/currency': ['must be an ISO 4217 currency code'] });
  });

  it('404 offer_not_found: no active config bound to the schema (an inactive one does not count)', async () => {
    const res = await createOffer(t.http, 'ERRS', live, body('empty:v1'));
    expectEnvelope(res, 404, 'api_error', 'offer_not_found');
    expectEnvelope(await createOffer(t.http, 'ERRS', test, body('empty:v1')), 404, 'api_error', 'offer_not_found');
  });

  it('a draft config is seen by a test key, not by a live key, nor by a test key with active_only=true', async () => {
    const seen = await createOffer(t.http, 'ERRS', test, body('draft:v1')).expect(200);
    expect(seen.body.offer_config_id).toBe('draft-only');
    expect((await createOffer(t.http, 'ERRS', test, body('draft:v1'), 'active_only=false').expect(200)).body.offer_config_id).toBe('draft-only');
    expectEnvelope(await createOffer(t.http, 'ERRS', live, body('draft:v1')), 404, 'api_error', 'offer_not_found');
    expectEnvelope(await createOffer(t.http, 'ERRS', test, body('draft:v1'), 'active_only=true'), 404, 'api_error', 'offer_not_found');
  });

  it('a bad active_only value is a 422 naming the parameter', async () => {
    const res = await createOffer(t.http, 'ERRS', test, body('draft:v1'), 'active_only=maybe');
    expectEnvelope(res, 422, 'validation_error', 'offer_validation_error');
    expect(res.body.errors).toEqual({ 'query.active_only': ['must be true or false'] });
  });

  it('404 offer_not_found_no_match_context: `when` false', async () => {
    expectEnvelope(await createOffer(t.http, 'ERRS', live, body('simple:v1', { kind: 'no' })), 404, 'api_error', 'offer_not_found_no_match_context');
    expect((await createOffer(t.http, 'ERRS', live, body('simple:v1', { kind: 'yes' })).expect(200)).body.offer_config_id).toBe('simple-when');
  });

  it('priority: highest wins (after access), ties by lowest id', async () => {
    // multi-denied (50) matches but denies access, multi-inactive (100) is no candidate
    const res = await createOffer(t.http, 'ERRS', live, body('multi:v1')).expect(200);
    expect(res.body.offer_config_id).toBe('multi-b');
  });

  it('exclude_offer_ids as a comma list, as a repeated parameter, and both', async () => {
    const pick = async (query: string) => (await createOffer(t.http, 'ERRS', live, body('multi:v1'), query).expect(200)).body.offer_config_id;
    expect(await pick('exclude_offer_ids=multi-b')).toBe('multi-c');
    expect(await pick('exclude_offer_ids=multi-b,multi-c')).toBe('multi-a');
    expect(await pick('exclude_offer_ids=multi-b&exclude_offer_ids=multi-c')).toBe('multi-a');
    expect(await pick('exclude_offer_ids=%20multi-b%20,%20multi-c%20')).toBe('multi-a');

    const all = ['multi-a', 'multi-b', 'multi-c', 'multi-denied'];
    const comma = await createOffer(t.http, 'ERRS', live, body('multi:v1'), `exclude_offer_ids=${all.join(',')}`);
    expectEnvelope(comma, 404, 'api_error', 'offer_not_found_no_match_context');
    const repeated = await createOffer(t.http, 'ERRS', live, body('multi:v1'), all.map((id) => `exclude_offer_ids=${id}`).join('&'));
    expectEnvelope(repeated, 404, 'api_error', 'offer_not_found_no_match_context');
    const mixed = await createOffer(t.http, 'ERRS', live, body('multi:v1'), 'exclude_offer_ids=multi-a,multi-b&exclude_offer_ids=multi-c,multi-denied');
    expectEnvelope(mixed, 404, 'api_error', 'offer_not_found_no_match_context');
  });

  it.each([
    ['subsidiaries', 'sub', { partner: { subsidiary: 'app' } }, { partner: { subsidiary: 'web' } }],
    [
      'countries',
      'country',
      { customer: { language: 'en', currency: 'AUD', country: 'GB' } },
      { customer: { language: 'en', currency: 'AUD', country: 'NZ' } },
    ],
  ])('404 offer_not_found_access_denied by access.%s', async (_list, kind, denied, admitted) => {
    expectEnvelope(await createOffer(t.http, 'ERRS', live, body('access:v1', { kind }, denied)), 404, 'api_error', 'offer_not_found_access_denied');
    expect((await createOffer(t.http, 'ERRS', live, body('access:v1', { kind }, admitted)).expect(200)).body.offer_config_id).toBe(`acc-${kind}`);
  });

  it('404 offer_not_found_access_denied by access.key_modes and access.key_ids; no subsidiary at all is denied', async () => {
    expectEnvelope(await createOffer(t.http, 'ERRS', test, body('access:v1', { kind: 'mode' })), 404, 'api_error', 'offer_not_found_access_denied');
    expect((await createOffer(t.http, 'ERRS', live, body('access:v1', { kind: 'mode' })).expect(200)).body.offer_config_id).toBe('acc-mode');
    expectEnvelope(await createOffer(t.http, 'ERRS', live, body('access:v1', { kind: 'keyid' })), 404, 'api_error', 'offer_not_found_access_denied');
    expectEnvelope(await createOffer(t.http, 'ERRS', live, body('access:v1', { kind: 'sub' })), 404, 'api_error', 'offer_not_found_access_denied');
  });

  it('422 offer_expression_error when a config `when` fails at run time (absent field), never 500', async () => {
    const res = await createOffer(t.http, 'ERRS', live, body('exprerr:v1', { kind: 'x' }));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      type: 'api_error',
      code: 'offer_expression_error',
      message: expect.stringMatching(/^Offer config "expr-bad": expression `context\.optional_field > 1\.0` failed: .*optional_field/),
      offer_config_id: 'expr-bad',
      expression: 'context.optional_field > 1.0',
      error_id: res.headers['x-request-id'],
    });
    // the message names the config and expression once
    expect(res.body.message.match(/expr-bad/g)).toHaveLength(1);
    // with the field present the same config works
    expect((await createOffer(t.http, 'ERRS', live, body('exprerr:v1', { optional_field: 2 })).expect(200)).body.offer_config_id).toBe('expr-bad');
    expectEnvelope(await createOffer(t.http, 'ERRS', live, body('exprerr:v1', { optional_field: 0.5 })), 404, 'api_error', 'offer_not_found_no_match_context');
  });

  it('422 offer_quote_generation_failed when every product fails, with each product error', async () => {
    const res = await createOffer(t.http, 'ERRS', live, body('fail:v1'));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      type: 'api_error',
      code: 'offer_quote_generation_failed',
      message: expect.any(String),
      errors: {
        P1: [expect.stringMatching(/^offer_quote_pricing_error: when: /)],
        P2: ['offer_quote_pricing_error: pricing.premium: must be a non-negative number, got -1'],
      },
      product_errors: {
        P1: { code: 'offer_quote_pricing_error', message: expect.stringMatching(/^when: /) },
        P2: { code: 'offer_quote_pricing_error', message: 'pricing.premium: must be a non-negative number, got -1' },
      },
      error_id: res.headers['x-request-id'],
    });
  });

  it('step 6: a pricing expression that fails at run time fails only its product, naming the field and expression', async () => {
    const res = await createOffer(t.http, 'ERRS', live, body('prodexpr:v1')).expect(200);
    expect(res.body.products.map((p: { code: string }) => p.code)).toEqual(['P2']);
    expect(res.body.errors).toEqual({
      P1: {
        code: 'offer_quote_pricing_error',
        message: expect.stringMatching(/^pricing\.premium: expression `context\.optional_field \* 2\.0` failed: .*optional_field/),
      },
    });
    const both = await createOffer(t.http, 'ERRS', live, body('prodexpr:v1', { optional_field: 4 })).expect(200);
    expect(both.body.errors).toEqual({});
    expect(both.body.products[0].details.finance.price.total_amount).toBe(8);
  });

  it('step 7: a product placeholder that fails drops that product (reported in errors); an offer-level one is a 422, never a 500', async () => {
    const res = await createOffer(t.http, 'ERRS', live, body('content:v1', { kind: 'product-level' })).expect(200);
    expect(res.body.products.map((p: { code: string }) => p.code)).toEqual(['P1']);
    expect(res.body.content).toEqual({
      title: 'Title',
      products: [{ code: 'P1', title: 'P1 for $10.00', benefits: [], inclusions: [], exclusions: [], extras: [], disclaimers: [] }],
    });
    expect(res.body.errors).toEqual({ P2: { code: 'offer_quote_pricing_error', message: expect.stringContaining('quote.benefits[0].limit_formatted') } });
    // without content nothing is rendered, so nothing fails
    const plain = await createOffer(t.http, 'ERRS', live, body('content:v1', { kind: 'product-level' }), 'include_content=false').expect(200);
    expect(plain.body.errors).toEqual({});
    expect(plain.body.products).toHaveLength(2);

    const offerLevel = await createOffer(t.http, 'ERRS', live, body('content:v1', { kind: 'offer-level' }));
    expectEnvelope(offerLevel, 422, 'api_error', 'offer_expression_error');
    expect(offerLevel.body).toEqual(
      expect.objectContaining({
        offer_config_id: 'content-fail',
        expression: "context.kind == 'offer-level' ? string(context.optional_field) : 'Title'",
        message: expect.stringMatching(/^Offer config "content-fail": expression `.*` failed: content\.en\.title: .*optional_field/),
      }),
    );
  });

  it('400 malformed_request for unparseable JSON', async () => {
    const res = await request(t.http).post('/x/partners/GOLD/offers/').set('X-Api-Key', gold).set('Content-Type', 'application/json').send('{"schema": ');
    expectEnvelope(res, 400, 'validation_error', 'malformed_request');
  });

  it('415 unsupported_media_type for text/plain', async () => {
    const res = await request(t.http)
      .post('/x/partners/GOLD/offers/')
      .set('X-Api-Key', gold)
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(goldRequest()));
    expectEnvelope(res, 415, 'validation_error', 'unsupported_media_type');
  });

  it('413 payload_too_large over MAX_BODY_BYTES', async () => {
    const big = { ...goldRequest(), partner: { metadata: { blob: 'x'.repeat(t.config.maxBodyBytes + 10) } } };
    const res = await createOffer(t.http, 'GOLD', gold, big);
    expectEnvelope(res, 413, 'validation_error', 'payload_too_large');
  });

  it('an empty body is a 422 validation error, not a 500', async () => {
    const res = await request(t.http).post('/x/partners/GOLD/offers/').set('X-Api-Key', gold);
    expectEnvelope(res, 422, 'validation_error', 'offer_validation_error');
  });
});
