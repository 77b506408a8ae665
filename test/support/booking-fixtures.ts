import request from 'supertest';
import { DataSource } from 'typeorm';
import type { TestApp } from './app';
import { TEST_ADMIN_KEY } from './app';

/* Fixtures for the confirm / opt-out / bookings / analytics suites: a partner with generous rate
   limits, a schema, one config with an experiment and product rules, one without experiments, and
   one whose offers expire after a second. */

export const ADMIN = { 'X-Admin-Key': TEST_ADMIN_KEY };

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['customer', 'context'],
  properties: {
    schema: { type: 'string' },
    customer: {
      type: 'object',
      required: ['language', 'currency', 'country'],
      properties: { language: { type: 'string' }, currency: { type: 'string' }, country: { type: 'string' } },
    },
    partner: { type: 'object', properties: { transaction_id: { type: 'string' }, customer_id: { type: 'string' } } },
    context: {
      type: 'object',
      required: ['value', 'channel'],
      properties: { value: { type: 'number', minimum: 1, maximum: 100000 }, channel: { enum: ['web', 'basic', 'flash'] } },
    },
  },
};

const product = (code: string, premium: string, taxRate: string) => ({
  code,
  type: 'xcover-product',
  name: `${code} cover`,
  pricing: { premium, tax_rate: taxRate, commission_rate: '0.2' },
  policy: { start: "timestamp('2027-01-01T00:00:00Z')", end: "timestamp('2027-12-31T23:59:59Z')" },
  pds_url: `https://example.com/pds/${code.toLowerCase()}.pdf`,
});

export function shopBundle(code: string): Record<string, unknown> {
  return {
    partner: {
      code,
      name: `Shop ${code}`,
      status: 'active',
      default_schema: 'shop:v1',
      rate_limits: { create: 1000, confirm: 1000, other: 1000, test: 1000 },
    },
    schemas: [{ id: 'shop:v1', json_schema: schema }],
    offer_configs: [
      {
        id: 'shop-cover',
        name: 'Purchase protection',
        schema: 'shop:v1',
        status: 'active',
        priority: 10,
        when: "context.channel == 'web'",
        offer_ttl: '72h',
        products: [product('PROTECT', 'context.value * 0.1', "customer.country == 'AU' ? 0.1 : 0.0"), product('SHIP', '2.35', '0.1')],
        product_rules: [
          { slug: 'main', products: ['PROTECT'], initial_state: 'show', min_select: 1, max_select: 1 },
          { slug: 'addons', products: ['SHIP'], initial_state: 'show', min_select: 0, max_select: 1 },
        ],
        experiments: [
          {
            key: 'price-test',
            variants: [
              { name: 'a', weight: 50 },
              { name: 'b', weight: 50, overrides: { PROTECT: { pricing: { premium: 'context.value * 0.08' } } } },
            ],
          },
        ],
      },
      {
        id: 'shop-basic',
        name: 'Basic protection',
        schema: 'shop:v1',
        status: 'active',
        priority: 5,
        when: "context.channel == 'basic'",
        products: [product('BASIC', 'context.value * 0.05', '0.0')],
      },
      {
        id: 'shop-flash',
        name: 'Flash offer',
        schema: 'shop:v1',
        status: 'active',
        priority: 5,
        when: "context.channel == 'flash'",
        offer_ttl: '1s',
        products: [product('FLASH', '3.0', '0.0')],
      },
    ],
  };
}

/** Writes the bundle (creating the partner) and returns a new live key. */
export async function setupShop(t: TestApp, code: string): Promise<string> {
  await request(t.http).put(`/admin/partners/${code}/bundle`).set(ADMIN).send(shopBundle(code)).expect(200);
  const res = await request(t.http).post(`/admin/partners/${code}/api-keys`).set(ADMIN).send({ mode: 'live', name: 'e2e' }).expect(201);
  return res.body.key as string;
}

export interface OfferOptions {
  value?: number;
  channel?: 'web' | 'basic' | 'flash';
  currency?: string;
  country?: string;
  language?: string;
  transactionId?: string;
}

export function offerRequest(o: OfferOptions = {}): Record<string, unknown> {
  return {
    customer: { language: o.language ?? 'en', currency: o.currency ?? 'AUD', country: o.country ?? 'AU' },
    partner: o.transactionId ? { transaction_id: o.transactionId } : {},
    context: { value: o.value ?? 123.45, channel: o.channel ?? 'web' },
  };
}

export interface CreatedOffer {
  id: string;
  offer_config_id: string;
  currency: string;
  products: Array<{ id: string; code: string; details: { finance: { price: { total_amount: number } } } }>;
  metadata?: { experiments?: Array<{ key: string; variant: string }> };
  [k: string]: unknown;
}

export async function createOffer(t: TestApp, code: string, key: string, o: OfferOptions = {}): Promise<CreatedOffer> {
  const res = await request(t.http).post(`/x/partners/${code}/offers/`).set('X-Api-Key', key).send(offerRequest(o));
  if (res.status !== 200) throw new Error(`create offer: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CreatedOffer;
}

export function quoteId(offer: CreatedOffer, code: string): string {
  const p = offer.products.find((x) => x.code === code);
  if (!p) throw new Error(`no ${code} in offer`);
  return p.id;
}

export const POLICYHOLDER = { first_name: 'Ada', last_name: 'Lovelace', country: 'GB', email: 'ada@example.com', phone: '+442071234567' };

export function confirmBody(quoteIds: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { quotes: quoteIds.map((id) => ({ id })), policyholder: POLICYHOLDER, ...extra };
}

export function confirmPath(code: string, offerId: string): string {
  return `/x/partners/${code}/offers/${offerId}/confirm/`;
}

/** A read of stored state, written with $1.. placeholders (PostgreSQL) and run on either engine. */
export async function dbQuery<T = Record<string, unknown>>(t: TestApp, sql: string, params: unknown[] = []): Promise<T[]> {
  const ds = t.app.get(DataSource);
  const text = ds.options.type === 'postgres' ? sql : sql.replace(/\$\d+/g, '?');
  return await ds.query<T[]>(text, params);
}
