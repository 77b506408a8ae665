/* The HTTP APIs, called from the test process: the data a page shows is made here, and what a page
   did is checked here too. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './app-process';

/** The app globalSetup started. */
export function appUrl(): string {
  const url = process.env.BROWSER_SUITE_APP_URL;
  if (!url) throw new Error('BROWSER_SUITE_APP_URL is not set: run the suite through test/browser/jest.config.js');
  return url;
}

export function adminKey(): string {
  const key = process.env.BROWSER_SUITE_ADMIN_KEY;
  if (!key) throw new Error('BROWSER_SUITE_ADMIN_KEY is not set: run the suite through test/browser/jest.config.js');
  return key;
}

/** A partner code no other test uses (2-32 characters among A-Z 0-9 _ -). */
export function uniqueCode(prefix: string): string {
  return `${prefix}${randomBytes(3).toString('hex').toUpperCase()}`;
}

interface ApiAnswer<T> {
  status: number;
  body: T;
}

async function call<T>(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<ApiAnswer<T>> {
  const res = await fetch(`${appUrl()}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** Calls the admin API and insists on `expected`. */
export async function admin<T = unknown>(method: string, path: string, body?: unknown, expected = [200, 201, 204]): Promise<T> {
  const res = await call<T>(method, path, { 'X-Admin-Key': adminKey() }, body);
  if (!expected.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Calls the partner API with a partner key and insists on `expected`. */
export async function partnerApi<T = unknown>(key: string, method: string, path: string, body?: unknown, expected = [200, 201, 204]): Promise<T> {
  const res = await call<T>(method, path, { 'X-Api-Key': key }, body);
  if (!expected.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export type Bundle = {
  partner: { code: string; name: string; [field: string]: unknown };
  offer_configs: Array<{ id: string; products: Array<{ code: string; pricing: Record<string, string>; [field: string]: unknown }>; [field: string]: unknown }>;
  [field: string]: unknown;
};

/** test/fixtures/retail-bundle.json (electronics: warranty, and shipping shown once the warranty is chosen), for partner `code`. */
export function retailBundle(code: string): Bundle {
  const bundle = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/retail-bundle.json'), 'utf8')) as Bundle;
  bundle.partner.code = code;
  bundle.partner.name = `Retail ${code}`;
  // the fixture's own limits are a partner's; tests create more offers than that in a minute
  bundle.partner.rate_limits = { create: 1000, confirm: 1000, other: 1000, test: 1000 };
  return bundle;
}

/** Writes `bundle` (creating its partner) and returns a new live partner key. */
export async function createPartner(bundle: Bundle): Promise<string> {
  const code = bundle.partner.code;
  await admin('PUT', `/admin/partners/${code}/bundle`, bundle);
  const created = await admin<{ key: string }>('POST', `/admin/partners/${code}/api-keys`, { mode: 'live', name: 'browser suite' });
  return created.key;
}

export interface OfferRequestOptions {
  country?: string;
  currency?: string;
  email?: string;
  retailValue?: number;
  /** the item's title (the offer's title names it) */
  title?: string;
  category?: 'phone' | 'laptop' | 'tv' | 'audio';
  /** the declared value of the shipment; none: no shipping block (no SHIPPING product) */
  shippingValue?: number;
  transactionId?: string;
  customerId?: string;
}

/** A Create Offer request of the retail schema: one item at checkout, shipped. */
export function retailOfferRequest(o: OfferRequestOptions = {}): Record<string, unknown> {
  const context: Record<string, unknown> = {
    purchase_date: new Date().toISOString().slice(0, 10),
    item: { sku: 'PHN-128', title: o.title ?? 'Pixel phone', category: o.category ?? 'phone', retail_value: o.retailValue ?? 899 },
  };
  if (o.shippingValue !== 0) context.shipping = { carrier: 'ups', declared_value: o.shippingValue ?? 899 };
  return {
    customer: { language: 'en', currency: o.currency ?? 'USD', country: o.country ?? 'US', ...(o.email ? { email: o.email } : {}) },
    partner: { transaction_id: o.transactionId ?? uniqueCode('TX-'), customer_id: o.customerId ?? 'customer-42' },
    context,
  };
}

export interface OfferProduct {
  id: string;
  code: string;
  name: string;
  details: { finance: { price: { total_amount: number; total_amount_formatted: string } } };
}

export interface Offer {
  id: string;
  offer_config_id: string;
  products: OfferProduct[];
  product_rules?: Array<{ slug: string; product_ids: string[]; initial_state: string; min_select: number; max_select: number }>;
  [field: string]: unknown;
}

export async function createOffer(code: string, key: string, request: Record<string, unknown>): Promise<Offer> {
  return partnerApi<Offer>(key, 'POST', `/x/partners/${code}/offers`, request, [200]);
}

export function productOf(offer: Offer, code: string): OfferProduct {
  const found = offer.products.find((p) => p.code === code);
  if (!found) throw new Error(`no ${code} in offer ${offer.id} (${offer.products.map((p) => p.code).join(', ')})`);
  return found;
}

export interface Booking {
  id: string;
  status: string;
  total_price_formatted: string;
  quotes: Array<{ id: string; code: string; status: string; price_formatted: string }>;
  [field: string]: unknown;
}

/** Creates an offer and confirms `products` of it for a policyholder with e-mail `email`. */
export async function book(code: string, key: string, email: string, products: string[] = ['WARRANTY_2Y'], o: OfferRequestOptions = {}): Promise<Booking> {
  const offer = await createOffer(code, key, retailOfferRequest({ email, ...o }));
  return partnerApi<Booking>(key, 'POST', `/x/partners/${code}/offers/${offer.id}/confirm`, {
    quotes: products.map((p) => ({ id: productOf(offer, p).id })),
    policyholder: { first_name: 'Grace', last_name: 'Hopper', country: 'US', email },
  });
}
