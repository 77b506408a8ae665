import request from 'supertest';
import type { TestApp } from './app';
import { ADMIN, confirmBody, POLICYHOLDER } from './booking-fixtures';

/* Fixtures of the after-the-sale suites: a travel partner whose policies start 30 days after the
   offer and last 10 days. Products:
   - TRIP: pro-rata refund after a 14-day cooling-off; modifiable fields `trip_cost` and `travellers`;
   - BAG: no cancellation or modification block (defaults: cooling-off 14d, refund 0.0);
   - RISKY: its premium fails to evaluate for a trip_cost above 50 000 (a pricing error on update);
   - FINAL: never cancellable (`allowed: "false"`), never modifiable. */

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['customer', 'context'],
  properties: {
    customer: {
      type: 'object',
      required: ['language', 'currency', 'country'],
      properties: { language: { type: 'string' }, currency: { type: 'string' }, country: { type: 'string' }, email: { type: 'string' } },
    },
    partner: { type: 'object', properties: { transaction_id: { type: 'string' } } },
    context: {
      type: 'object',
      required: ['trip_cost', 'travellers', 'destination'],
      properties: {
        trip_cost: { type: 'number', minimum: 1, maximum: 100000 },
        travellers: { type: 'integer', minimum: 1, maximum: 9 },
        destination: { type: 'string', enum: ['FR', 'JP', 'US'] },
      },
    },
  },
};

const policy = { start: "now + duration('720h')", end: "now + duration('960h')" };

export const PRO_RATA_REFUND =
  'quote.price * double((quote.policy_end_date - now).getSeconds()) / double((quote.policy_end_date - quote.policy_start_date).getSeconds())';

export function travelBundle(code: string): Record<string, unknown> {
  return {
    partner: {
      code,
      name: `Travel ${code}`,
      status: 'active',
      default_schema: 'trip:v1',
      rate_limits: { create: 1000, confirm: 1000, other: 1000, test: 1000 },
    },
    schemas: [{ id: 'trip:v1', json_schema: schema }],
    offer_configs: [
      {
        id: 'trip-cover',
        name: 'Trip cover',
        schema: 'trip:v1',
        status: 'active',
        priority: 10,
        offer_ttl: '72h',
        products: [
          {
            code: 'TRIP',
            name: 'Trip cancellation',
            pricing: { premium: 'context.trip_cost * 0.05 * double(context.travellers)', tax_rate: '0.1' },
            policy,
            cancellation: { cooling_off: '14d', allowed: 'now < quote.policy_end_date', refund: PRO_RATA_REFUND },
            modification: { fields: ['trip_cost', 'travellers'] },
          },
          { code: 'BAG', name: 'Baggage', pricing: { premium: '12.0', tax_rate: '0.1' }, policy },
          {
            // priced for trips up to 50 000; above, its premium cannot be evaluated (a pricing error)
            code: 'RISKY',
            name: 'Adventure cover',
            pricing: { premium: 'context.trip_cost > 50000.0 ? double(context.destination) : 10.0' },
            policy,
          },
          {
            code: 'FINAL',
            name: 'Final sale',
            pricing: { premium: '5.0' },
            policy,
            cancellation: { allowed: 'false' },
            modification: { allowed: 'false' },
          },
        ],
      },
    ],
  };
}

/** Writes the travel bundle (creating the partner) and returns a new live key. */
export async function setupTravel(t: TestApp, code: string): Promise<string> {
  await request(t.http).put(`/admin/partners/${code}/bundle`).set(ADMIN).send(travelBundle(code)).expect(200);
  const res = await request(t.http).post(`/admin/partners/${code}/api-keys`).set(ADMIN).send({ mode: 'live', name: 'e2e' }).expect(201);
  return res.body.key as string;
}

export interface TripOptions {
  tripCost?: number;
  travellers?: number;
  transactionId?: string;
}

export function tripRequest(o: TripOptions = {}): Record<string, unknown> {
  return {
    customer: { language: 'en', currency: 'EUR', country: 'FR', email: 'ada@example.com' },
    partner: o.transactionId ? { transaction_id: o.transactionId } : {},
    context: { trip_cost: o.tripCost ?? 1000, travellers: o.travellers ?? 2, destination: 'FR' },
  };
}

export interface Booked {
  id: string;
  status: string;
  total_price: number;
  quotes: Array<{ id: string; code: string; price: number; status: string; [k: string]: unknown }>;
  [k: string]: unknown;
}

/** Creates a trip offer and confirms the named products; returns the booking. */
export async function bookTrip(t: TestApp, code: string, key: string, products: string[] = ['TRIP', 'BAG'], o: TripOptions = {}): Promise<Booked> {
  const offer = await request(t.http).post(`/x/partners/${code}/offers`).set('X-Api-Key', key).send(tripRequest(o));
  if (offer.status !== 200) throw new Error(`create offer: ${offer.status} ${JSON.stringify(offer.body)}`);
  const ids = products.map((p) => {
    const found = (offer.body.products as Array<{ id: string; code: string }>).find((x) => x.code === p);
    if (!found) throw new Error(`no ${p} in offer`);
    return found.id;
  });
  const res = await request(t.http).post(`/x/partners/${code}/offers/${offer.body.id}/confirm`).set('X-Api-Key', key).send(confirmBody(ids));
  if (res.status !== 200) throw new Error(`confirm: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Booked;
}

export function quoteOf(booking: Booked, code: string): Booked['quotes'][number] {
  const q = booking.quotes.find((x) => x.code === code);
  if (!q) throw new Error(`no ${code} in booking`);
  return q;
}

export { POLICYHOLDER };
