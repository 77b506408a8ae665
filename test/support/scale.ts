/* Helpers of the scale-out and fault suites (redis-*, db-down, crash-confirm, shutdown, two-instances):
   they drive in-process apps (supertest on `t.http`) and spawned ones (a base URL) alike. */
import request from 'supertest';
import { TEST_ADMIN_KEY, type TestApp } from './app';
import { confirmBody, offerRequest, quoteId, shopBundle, type CreatedOffer, type OfferOptions } from './booking-fixtures';
import { sleep } from './wait';

/** an in-process app's http server, or a spawned app's base URL */
export type Target = TestApp['http'] | string;

export const ADMIN_HEADERS = { 'X-Admin-Key': TEST_ADMIN_KEY };

export { waitFor } from './wait';

/** The shop bundle of booking-fixtures (a PROTECT product priced `context.value * <rate>`), with options. */
export function scaleBundle(code: string, o: { protectRate?: string; rateLimits?: Record<string, number> } = {}): Record<string, unknown> {
  const bundle = structuredClone(shopBundle(code)) as {
    partner: Record<string, unknown>;
    offer_configs: Array<{ products: Array<{ code: string; pricing: Record<string, string> }> }>;
  };
  if (o.rateLimits) bundle.partner.rate_limits = o.rateLimits;
  // prices that depend on the configuration only: no experiment, no tax
  for (const c of bundle.offer_configs as Array<Record<string, unknown>>) delete c.experiments;
  for (const c of bundle.offer_configs) for (const p of c.products) p.pricing.tax_rate = '0.0';
  if (o.protectRate) {
    for (const c of bundle.offer_configs) {
      for (const p of c.products) if (p.code === 'PROTECT') p.pricing.premium = `context.value * ${o.protectRate}`;
    }
  }
  return bundle;
}

export async function putScaleBundle(target: Target, code: string, o: Parameters<typeof scaleBundle>[1] = {}): Promise<number> {
  const res = await request(target).put(`/admin/partners/${code}/bundle`).set(ADMIN_HEADERS).send(scaleBundle(code, o));
  if (res.status !== 200) throw new Error(`bundle write: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.version as number;
}

export async function newKey(target: Target, code: string): Promise<string> {
  const res = await request(target).post(`/admin/partners/${code}/api-keys`).set(ADMIN_HEADERS).send({ mode: 'live', name: 'scale' });
  if (res.status !== 201) throw new Error(`key: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.key as string;
}

export async function newOffer(target: Target, code: string, key: string, o: OfferOptions = {}): Promise<CreatedOffer> {
  const res = await request(target).post(`/x/partners/${code}/offers/`).set('X-Api-Key', key).send(offerRequest(o));
  if (res.status !== 200) throw new Error(`create offer: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CreatedOffer;
}

/** the PROTECT product's total price in an offer */
export function protectPrice(offer: CreatedOffer): number {
  const p = offer.products.find((x) => x.code === 'PROTECT');
  if (!p) throw new Error('no PROTECT product');
  return p.details.finance.price.total_amount;
}

export function confirm(target: Target, code: string, key: string, offer: CreatedOffer, idempotencyKey?: string): request.Test {
  const req = request(target).post(`/x/partners/${code}/offers/${offer.id}/confirm/`).set('X-Api-Key', key);
  if (idempotencyKey) req.set('x-idempotency-key', idempotencyKey);
  return req.send(confirmBody([quoteId(offer, 'PROTECT')]));
}

/** GET /health/ready → { status code, body } */
export async function readiness(target: Target): Promise<{ code: number; body: { status: string; details: Record<string, { status: string }> } }> {
  const res = await request(target).get('/health/ready');
  return { code: res.status, body: res.body };
}

/** one request's status and duration */
export async function timed(req: request.Test): Promise<{ status: number; ms: number; body: Record<string, unknown>; headers: Record<string, string> }> {
  const start = Date.now();
  const res = await req;
  return { status: res.status, ms: Date.now() - start, body: res.body, headers: res.headers };
}

/**
 * Sends `count` requests at once and returns their statuses — provided they all completed within
 * one one-second rate-limit window (< 900 ms); on a machine too busy for that, tries again (up to
 * `attempts` times), then fails. The first burst must open the window: nothing sent before it
 * with the same key in the same route class (warm an instance up with another route class).
 */
export async function burstInOneWindow(count: number, send: (i: number) => Promise<number>, attempts = 3): Promise<number[]> {
  let slowest = 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    // a retry waits for the window the failed burst opened to end: a Redis expiry (PEXPIRE), or
    // the memory counters' Date.now(), which the test clock does not drive
    if (attempt > 0) await sleep(1100);
    const start = Date.now();
    const statuses = await Promise.all(Array.from({ length: count }, (_, i) => send(i)));
    slowest = Date.now() - start;
    if (slowest < 900) return statuses;
  }
  throw new Error(`${count} requests never completed within one rate-limit window (last burst: ${slowest} ms)`);
}
