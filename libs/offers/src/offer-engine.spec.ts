import type { ActiveConfig } from '@app/bundles';
import type { OfferConfig } from '@app/core';
import { SchemaValidatorCache } from '@app/schemas';
import { CompiledSchemas } from './compiled-schemas';
import { buildOffer, newTrace } from './offer-engine';
import type { OfferCaller, OfferQuery } from './offer-engine.types';
import { OfferSelectionNotFoundError } from './offers.errors';

const SCHEMA = {
  type: 'object',
  properties: {
    customer: { type: 'object', properties: { currency: { type: 'string' }, language: { type: 'string' }, country: { type: 'string' } } },
    context: { type: 'object', properties: { kind: { type: 'string' }, premium: { type: 'number', default: 10 } } },
  },
};

const product = (code: string) => ({ code, name: code, pricing: { premium: 'context.premium' } });

/** P2's content refers to a benefit it does not have, so its placeholder fails and P2 is dropped */
const CONFIG: OfferConfig = {
  id: 'content-drop',
  name: 'content-drop',
  schema: 's',
  status: 'active',
  when: "context.kind == 'match'",
  products: [product('P1'), product('P2'), product('P3')],
  content: {
    default_language: 'en',
    en: {
      title: 'Title',
      products: {
        P1: { title: 'P1 for {{ quote.price_formatted }}' },
        P2: { title: 'P2 up to {{ quote.benefits[0].limit_formatted }}' },
        P3: { title: 'P3' },
      },
    },
  },
};

const active: ActiveConfig = {
  partnerId: 'p1',
  partnerCode: 'P',
  version: 1,
  defaultSchema: 's',
  rateLimits: { create: 1, confirm: 1, other: 1, test: 1 },
  schemas: [{ id: 's', json_schema: SCHEMA }],
  configs: [CONFIG],
};

const caller: OfferCaller = { keyId: 'k1', partnerId: 'p1', partnerCode: 'P', mode: 'live' };
const query = (includeContent: boolean): OfferQuery => ({ includeContent, extraFields: new Set(), excludeOfferIds: [], activeOnly: false });
const body = (kind: string) => ({ customer: { currency: 'AUD', language: 'en', country: 'AU' }, context: { kind } });

describe('buildOffer', () => {
  const compiled = new CompiledSchemas(new SchemaValidatorCache()).get(active, 's')!;
  const run = (kind: string, includeContent: boolean, trace?: ReturnType<typeof newTrace>) =>
    buildOffer({ active, compiled, schemaId: 's', body: body(kind), caller, query: query(includeContent), now: new Date('2030-01-01T00:00:00Z'), trace });

  it('step 7: a product whose content fails is dropped from the quotes, the response and the content, reported in errors and in the trace', () => {
    const trace = newTrace('s');
    const built = run('match', true, trace);
    expect(built.quotes.map((q) => q.quote.code)).toEqual(['P1', 'P3']);
    expect(built.response.products.map((p) => p.code)).toEqual(['P1', 'P3']);
    expect((built.response.content as { products: Array<{ code: string }> }).products.map((p) => p.code)).toEqual(['P1', 'P3']);
    expect(built.response.errors).toEqual({ P2: { code: 'offer_quote_pricing_error', message: expect.stringContaining('content.en.products.P2') } });
    expect(trace.content_language).toBe('en');
    expect(trace.products.map((p) => [p.code, p.ok])).toEqual([
      ['P1', true],
      ['P2', false],
      ['P3', true],
    ]);
    expect(trace.products[1].error).toBe(built.response.errors.P2);
    expect(built.trace).toBe(trace);
  });

  it('the response keys come in the documented order; without content nothing is dropped', () => {
    const built = run('match', false);
    expect(Object.keys(built.response)).toEqual([
      'id',
      'offer_config_id',
      'offer_schema',
      'currency',
      'expires_at',
      'partner_transaction_id',
      'products',
      'errors',
    ]);
    expect(built.response.products.map((p) => p.code)).toEqual(['P1', 'P2', 'P3']);
    expect(built.response.expires_at).toBe('2030-01-04T00:00:00Z');
    // no trace asked for: the per-product trace is not worked out
    expect(built.trace.products).toEqual([]);
  });

  it('a failing request leaves the trace as far as it got', () => {
    const trace = newTrace('s');
    expect(() => run('other', true, trace)).toThrow(OfferSelectionNotFoundError);
    expect(trace.configs.map((c) => c.config_id)).toEqual(['content-drop']);
    expect(trace.experiments).toEqual([]);
    expect(trace.products).toEqual([]);
    expect(trace.content_language).toBeNull();
  });
});
