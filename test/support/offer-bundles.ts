/**
 * Bundles and helpers for the Create Offer e2e suites. Bundles are written through
 * the admin API (`PUT /admin/partners/{code}/bundle`), keys created through it too.
 */
import request from 'supertest';
import type { Bundle, OfferConfig, Product } from '@app/core';
import { TEST_ADMIN_KEY, type TestApp } from './app';

export type Http = TestApp['http'];

/** generous limits so that suites other than rate-limits never hit 429 */
export const GENEROUS_LIMITS = { create: 1000, confirm: 1000, other: 1000, test: 1000 };

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export async function putBundle(http: Http, bundle: Bundle | Record<string, unknown>, code?: string): Promise<{ version: number }> {
  const partnerCode = code ?? (bundle as Bundle).partner.code;
  const res = await request(http).put(`/admin/partners/${partnerCode}/bundle`).set('X-Admin-Key', TEST_ADMIN_KEY).send(bundle);
  if (res.status !== 200) throw new Error(`bundle write failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { version: res.body.version as number };
}

export async function createKey(http: Http, code: string, mode: 'live' | 'test' = 'live'): Promise<{ id: string; key: string }> {
  const res = await request(http).post(`/admin/partners/${code}/api-keys`).set('X-Admin-Key', TEST_ADMIN_KEY).send({ mode });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, key: res.body.key as string };
}

/** POST …/offers/ with a key, a JSON body and an optional query string (without `?`). */
export function createOffer(http: Http, code: string, key: string, body: unknown, query = ''): request.Test {
  const path = `/x/partners/${code}/offers/${query ? `?${query}` : ''}`;
  return request(http)
    .post(path)
    .set('X-Api-Key', key)
    .send(body as object);
}

/** `{ total_amount, total_amount_formatted }` */
export const money = (amount: number, formatted: string) => ({ total_amount: amount, total_amount_formatted: formatted });

export const price = (total: number, totalFormatted: string, withoutTax: number, withoutTaxFormatted: string) => ({
  total_amount: total,
  total_amount_formatted: totalFormatted,
  total_amount_without_tax: withoutTax,
  total_amount_without_tax_formatted: withoutTaxFormatted,
});

// ---------------------------------------------------------------------------------------------
// JSON Schemas

export const CUSTOMER_SCHEMA = {
  type: 'object',
  required: ['currency'],
  properties: {
    language: { type: 'string', minLength: 2, maxLength: 10 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    country: { type: 'string', pattern: '^[A-Z]{2}$' },
    email: { type: 'string', format: 'email' },
  },
};

export const PARTNER_SCHEMA = {
  type: 'object',
  properties: {
    subsidiary: { type: 'string' },
    transaction_id: { type: 'string' },
    customer_id: { type: 'string' },
    metadata: { type: 'object' },
  },
};

/** the body schema of a bundle: `context` properties given, customer/partner as above */
export function bodySchema(context: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['customer', 'context'],
    properties: {
      schema: { type: 'string' },
      customer: CUSTOMER_SCHEMA,
      partner: PARTNER_SCHEMA,
      context: { type: 'object', required, properties: context },
    },
  };
}

/**
 * gold:v1 — every pricing input comes from the request, so one config covers the golden cases:
 * premium (may be negative, to fail a product), rates, surcharge, `a`/`b` for arithmetic, `flag`
 * for the add-on's `when`, `kind` to pick a config.
 */
export const GOLD_SCHEMA = bodySchema(
  {
    kind: { enum: ['main', 'rich', 'arith', 'nomatch', 'when-error'], default: 'main' },
    premium: { type: 'number', minimum: -1000, maximum: 1000000 },
    tax_rate: { type: 'number', minimum: 0, maximum: 1, default: 0 },
    surcharge: { type: 'number', minimum: 0, default: 0 },
    commission_rate: { type: 'number', minimum: 0, maximum: 1, default: 0 },
    a: { type: 'number', default: 0 },
    b: { type: 'number', default: 0 },
    flag: { type: 'boolean', default: true },
    optional_field: { type: 'number' },
    destination: { type: 'string' },
  },
  ['premium'],
);

const fixedPolicy = {
  start: "timestamp('2027-03-01T00:00:00Z')",
  end: "timestamp('2027-03-10T23:59:59Z')",
};

export const MAIN_PRODUCT: Product = {
  code: 'MAIN',
  type: 'xcover-product',
  name: 'Main cover',
  pricing: {
    premium: 'context.premium',
    tax_rate: 'context.tax_rate',
    surcharge: 'context.surcharge',
    commission_rate: 'context.commission_rate',
    min_premium: '5.0',
    max_premium: '2000.0',
  },
  policy: fixedPolicy,
  benefits: [{ description: 'Cancellation', limit: '5000.0', excess: '100.0' }, { description: 'Baggage' }],
  pds_url: 'https://example.com/pds/main.pdf',
  files: [{ name: 'Policy wording', url: 'https://example.com/main.pdf', type: 'pdf' }],
  extra_fields: { risk: "'low'", doubled: 'context.premium * 2.0' },
};

export const ADDON_PRODUCT: Product = {
  code: 'ADDON',
  name: 'Add-on',
  when: 'context.flag',
  pricing: { premium: '10.0' },
};

export function goldBundle(code = 'GOLD', extra: Partial<Bundle['partner']> = {}): Bundle {
  const configs: OfferConfig[] = [
    {
      id: 'gold-main',
      name: 'Main',
      schema: 'gold:v1',
      status: 'active',
      priority: 10,
      when: "context.kind == 'main'",
      products: [MAIN_PRODUCT, ADDON_PRODUCT],
    },
    {
      id: 'gold-rich',
      name: 'Rich',
      schema: 'gold:v1',
      status: 'active',
      priority: 10,
      when: "context.kind == 'rich'",
      offer_ttl: '2h',
      products: [MAIN_PRODUCT, ADDON_PRODUCT],
      product_rules: [
        {
          slug: 'main',
          products: ['MAIN'],
          initial_state: 'show',
          min_select: 1,
          max_select: 1,
          events: [{ on: 'select', product: 'MAIN', target: 'extras', set_state: 'show' }],
        },
        { slug: 'extras', products: ['ADDON'], initial_state: 'hide', min_select: 0, max_select: 1, events: [] },
      ],
      content: {
        default_language: 'en',
        en: {
          title: 'Cover for {{ context.destination }}',
          description: 'English description',
          terms_url: 'https://example.com/terms',
          disclaimer: 'Disclaimer',
          products: {
            MAIN: {
              title: 'Main for {{ quote.price_formatted }}',
              description: 'Main product',
              benefits: ['Up to {{ quote.benefits[0].limit_formatted }}'],
              inclusions: ['Inc'],
              exclusions: ['Exc'],
              extras: ['Extra'],
              disclaimers: ['Disc'],
            },
          },
        },
        fr: {
          title: 'Couverture pour {{ context.destination }}',
          description: 'Description française',
          terms_url: 'https://example.com/fr/conditions',
          disclaimer: 'Avertissement',
          products: { MAIN: { title: 'Principal pour {{ quote.price_formatted }}' } },
        },
      },
    },
    {
      id: 'gold-arith',
      name: 'Arithmetic',
      schema: 'gold:v1',
      status: 'active',
      when: "context.kind == 'arith'",
      products: [
        { code: 'SUM', name: 'a + b', pricing: { premium: 'context.a + context.b', tax_rate: '0.1' } },
        { code: 'RATE', name: 'a × 0.015', pricing: { premium: 'context.a * 0.015' } },
      ],
    },
    {
      id: 'gold-when-error',
      name: 'A when that fails at run time',
      schema: 'gold:v1',
      status: 'active',
      when: "context.kind == 'when-error' && context.optional_field > 1.0",
      products: [{ code: 'X', name: 'X', pricing: { premium: '1.0' } }],
    },
  ];
  return {
    partner: { code, name: `${code} partner`, status: 'active', default_schema: 'gold:v1', rate_limits: GENEROUS_LIMITS, ...extra },
    schemas: [{ id: 'gold:v1', description: 'Golden tests', json_schema: GOLD_SCHEMA }],
    offer_configs: configs,
  };
}

/** A gold:v1 body; `context` merged over `{ premium: 50 }`. */
export function goldRequest(context: Record<string, unknown> = {}, customer: Record<string, unknown> = {}, partner?: Record<string, unknown>) {
  return {
    schema: 'gold:v1',
    customer: { language: 'en', currency: 'AUD', country: 'AU', ...customer },
    context: { premium: 50, ...context },
    ...(partner ? { partner } : {}),
  };
}

/** A gold:v1 body with four violations, and the errors (by JSON path) Create Offer answers for it. */
export const INVALID_GOLD_REQUEST = {
  schema: 'gold:v1',
  customer: { currency: 'aud', country: 'AU' },
  context: { tax_rate: 2, flag: 'yes' },
};
export const INVALID_GOLD_ERRORS = {
  '/customer/currency': ['must match pattern "^[A-Z]{3}$"'],
  '/context/premium': ['is required'],
  '/context/tax_rate': ['must be <= 1'],
  '/context/flag': ['must be boolean'],
};

/** The whole 422 body for INVALID_GOLD_REQUEST (error_id is the response's X-Request-Id). */
export function invalidGoldAnswer(errorId: string) {
  return { type: 'validation_error', code: 'offer_validation_error', message: 'Request validation failed', errors: INVALID_GOLD_ERRORS, error_id: errorId };
}
