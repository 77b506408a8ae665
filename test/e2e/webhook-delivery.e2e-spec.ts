/**
 * Webhook delivery from the outbox to real HTTP receivers on 127.0.0.1 (the two allow settings
 * on): each booking change and opt-out written with its deliveries, sent in both formats and
 * verified as a receiver verifies them (the Standard Webhooks library; our own XCover signature
 * check), retried with the same webhook-id, 410 disabling the endpoint, a lease outliving a
 * killed attempt. The dispatcher's loop is off in tests: each test drives it (runOnce) and moves
 * time with the TestClock.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Webhook } from 'standardwebhooks';
import { buildSigningString, isSupportedAlgorithm, parseHttpDate, parseSignatureAuthorization, signatureMatches, type SignableRequest } from '@app/partners';
import { dateParam, engineOf } from '@app/database';
import { WebhookDispatcher } from '@app/webhooks';
import { startTestApp, type TestApp } from '../support/app';
import { ADMIN, dbQuery } from '../support/booking-fixtures';
import { bookTrip, quoteOf, setupTravel } from '../support/lifecycle-fixtures';
import { TestClock } from '../support/test-clock';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on 127.0.0.1 that records every request and answers what the test says. */
class Receiver {
  readonly requests: Received[] = [];
  /** the status of the next answers (the last one repeats); 'hang' never answers */
  answers: Array<number | 'hang'> = [200];
  private server!: Server;
  private readonly hanging: ServerResponse[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
        const answer = this.answers.length > 1 ? (this.answers.shift() as number | 'hang') : this.answers[0];
        if (answer === 'hang') this.hanging.push(res);
        else res.writeHead(answer, { 'Content-Type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** what our server does with a signed XCover request, applied to a webhook we sent */
/** The secret with its middle character replaced by a different one (never equal to the original). */
function withOneCharacterChanged(secret: string): string {
  const i = Math.floor(secret.length / 2);
  return `${secret.slice(0, i)}${secret[i] === 'B' ? 'C' : 'B'}${secret.slice(i + 1)}`;
}

function xcoverSignatureValid(r: Received, secret: string): boolean {
  const authorization = String(r.headers.authorization ?? '');
  const date = String(r.headers.date ?? '');
  const params = parseSignatureAuthorization(authorization);
  if (!params || !isSupportedAlgorithm(params.algorithm) || parseHttpDate(date) === null) return false;
  const signable: SignableRequest = { method: r.method, path: r.path.split('?')[0], header: (name) => (name === 'date' ? date : undefined) };
  const signingString = buildSigningString(params.headers, signable);
  return signingString !== null && signatureMatches(params.signature, secret, params.algorithm, signingString);
}

describe('webhook delivery (e2e)', () => {
  const clock = new TestClock();
  const receiver = new Receiver();
  let t: TestApp;
  let key: string;
  let dispatcher: WebhookDispatcher;

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ appEncryptionKey: Buffer.alloc(32, 7), webhookAllowHttp: true, webhookAllowPrivateNetworks: true, webhookTimeoutMs: 500 }, clock);
    dispatcher = t.app.get(WebhookDispatcher);
    key = await setupTravel(t, 'HOOKS');
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.answers = [200];
  });
  afterEach(async () => {
    clock.release();
    // endpoints of one test do not receive the next one's events
    for (const e of (await request(t.http).get('/admin/partners/HOOKS/webhooks').set(ADMIN)).body as Array<{ id: string }>) {
      await request(t.http).delete(`/admin/partners/HOOKS/webhooks/${e.id}`).set(ADMIN).expect(204);
    }
  });

  async function endpoint(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const res = await request(t.http).post('/admin/partners/HOOKS/webhooks').set(ADMIN).send(body);
    if (res.status !== 201) throw new Error(`create endpoint: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; secret: string };
  }

  const deliveriesOf = (endpointId: string) =>
    dbQuery<{ event_id: string; event_type: string; status: string; attempts: number; last_status_code: number | null; next_attempt_at: unknown }>(
      t,
      'SELECT event_id, event_type, status, attempts, last_status_code, next_attempt_at FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at',
      [endpointId],
    );

  it('standard format: each booking change is sent once, verified by the Standard Webhooks library, its data the booking as read', async () => {
    const hook = await endpoint({ url: receiver.url('/hooks/std?token=abc'), events: ['booking.created', 'booking.updated', 'booking.cancelled'] });
    const booked = await bookTrip(t, 'HOOKS', key);
    await request(t.http)
      .patch(`/x/partners/HOOKS/bookings/${booked.id}/`)
      .set('X-Api-Key', key)
      .send({ policyholder: { email: 'new@example.com' } })
      .expect(200);
    await request(t.http).post(`/x/partners/HOOKS/bookings/${booked.id}/cancel`).set('X-Api-Key', key).send({}).expect(200);
    // written with each change, sent by the dispatcher only
    expect((await deliveriesOf(hook.id)).map((d) => [d.event_type, d.status])).toEqual([
      ['booking.created', 'pending'],
      ['booking.updated', 'pending'],
      ['booking.cancelled', 'pending'],
    ]);
    expect(receiver.requests).toHaveLength(0);

    expect(await dispatcher.runOnce()).toBe(3);
    expect(receiver.requests).toHaveLength(3);
    const wh = new Webhook(hook.secret);
    const events = (await request(t.http).get(`/admin/partners/HOOKS/bookings/${booked.id}/events`).set(ADMIN).expect(200)).body as Array<{
      id: string;
      type: string;
    }>;
    const finalBooking = (await request(t.http).get(`/x/partners/HOOKS/bookings/${booked.id}`).set('X-Api-Key', key).expect(200)).body;
    const bodies = receiver.requests.map((r) => {
      expect(r.method).toBe('POST');
      expect(r.path).toBe('/hooks/std?token=abc');
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.headers['user-agent']).toMatch(/^offers-platform-webhooks\//);
      const verified = wh.verify(r.body, r.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
      return { id: r.headers['webhook-id'], ...verified };
    });
    bodies.sort((a, b) => events.findIndex((e) => e.id === a.id) - events.findIndex((e) => e.id === b.id));
    expect(bodies.map((b) => [b.id, b.type])).toEqual(events.map((e) => [e.id, e.type]));
    expect(bodies[0].data).toMatchObject({ id: booked.id, status: 'CONFIRMED', policyholder: { email: 'ada@example.com' } });
    expect(bodies[1].data).toMatchObject({ status: 'CONFIRMED', policyholder: { email: 'new@example.com' } });
    expect(bodies[2].data).toEqual(finalBooking);
    // tampering is caught by the receiver's library
    expect(() => wh.verify(receiver.requests[0].body.replace('"status":"C', '"status":"X'), receiver.requests[0].headers as Record<string, string>)).toThrow();

    expect((await deliveriesOf(hook.id)).map((d) => [d.status, Number(d.attempts), Number(d.last_status_code)])).toEqual([
      ['delivered', 1, 200],
      ['delivered', 1, 200],
      ['delivered', 1, 200],
    ]);
    expect(await dispatcher.runOnce()).toBe(0);
  });

  it('xcover format: BOOKING_CREATED with the booking as payload, signed as XCover signs requests; an opt-out is not sent in it', async () => {
    const hook = await endpoint({ url: receiver.url('/xcover/hook'), events: ['booking.created', 'offer.opted_out'], format: 'xcover' });
    const booked = await bookTrip(t, 'HOOKS', key, ['TRIP']);
    await dispatcher.runOnce();
    expect(receiver.requests).toHaveLength(1);
    const [r] = receiver.requests;
    expect(JSON.parse(r.body)).toEqual({ event: 'BOOKING_CREATED', payload: booked });
    expect(xcoverSignatureValid(r, hook.secret)).toBe(true);
    expect(xcoverSignatureValid(r, withOneCharacterChanged(hook.secret))).toBe(false);
    expect(String(r.headers.authorization)).toContain(`keyId="${hook.id}"`);
  });

  it('an opt-out is sent in the standard format with the offer, its config and transaction id', async () => {
    const hook = await endpoint({ url: receiver.url(), events: ['offer.opted_out'] });
    const offer = await request(t.http)
      .post('/x/partners/HOOKS/offers')
      .set('X-Api-Key', key)
      .send({
        customer: { language: 'en', currency: 'EUR', country: 'FR' },
        partner: { transaction_id: 'T-77' },
        context: { trip_cost: 500, travellers: 1, destination: 'JP' },
      })
      .expect(200);
    await request(t.http).post(`/x/partners/HOOKS/offers/${offer.body.id}/opt_out`).set('X-Api-Key', key).send({}).expect(204);
    await dispatcher.runOnce();
    expect(receiver.requests).toHaveLength(1);
    const body = new Webhook(hook.secret).verify(receiver.requests[0].body, receiver.requests[0].headers as Record<string, string>) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'offer.opted_out', data: { offer_id: offer.body.id, offer_config_id: 'trip-cover', partner_transaction_id: 'T-77' } });
    expect((body.data as { opted_out_at: string }).opted_out_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('a 500 or a timeout is retried later with the same webhook-id; a 2xx then delivers it', async () => {
    await endpoint({ url: receiver.url(), events: ['booking.created'] });
    receiver.answers = [500, 'hang', 200];
    await bookTrip(t, 'HOOKS', key, ['BAG']);
    clock.pin(Date.now());

    expect(await dispatcher.runOnce()).toBe(1);
    const [first] = await dbQuery<{ status: string; attempts: number; last_status_code: number; next_attempt_at: string }>(
      t,
      "SELECT status, attempts, last_status_code, next_attempt_at FROM webhook_deliveries WHERE event_type = 'booking.created' AND status <> 'delivered'",
    );
    expect([first.status, Number(first.attempts), Number(first.last_status_code)]).toEqual(['pending', 1, 500]);
    // not due before its backoff (about 5 s, ±20 %)
    expect(await dispatcher.runOnce()).toBe(0);
    clock.advance(6_001);
    expect(await dispatcher.runOnce()).toBe(1); // the receiver hangs: a timeout after WEBHOOK_TIMEOUT_MS
    clock.advance(40_000);
    expect(await dispatcher.runOnce()).toBe(1);

    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const [after] = await dbQuery<{ status: string; attempts: number; last_status_code: number; last_error: string | null }>(
      t,
      'SELECT status, attempts, last_status_code, last_error FROM webhook_deliveries WHERE event_id = $1',
      [receiver.requests[0].headers['webhook-id']],
    );
    expect([after.status, Number(after.attempts), Number(after.last_status_code)]).toEqual(['delivered', 3, 200]);
  });

  it('410 Gone disables the endpoint and fails the delivery; nothing more is sent to it', async () => {
    const hook = await endpoint({ url: receiver.url(), events: ['booking.created', 'booking.cancelled'] });
    receiver.answers = [410];
    const booked = await bookTrip(t, 'HOOKS', key, ['BAG']);
    await dispatcher.runOnce();
    const [row] = await dbQuery<{ status: string; disabled_reason: string }>(t, 'SELECT status, disabled_reason FROM webhook_endpoints WHERE id = $1', [
      hook.id,
    ]);
    expect(row.status).toBe('disabled');
    expect(row.disabled_reason).toMatch(/410/);
    expect((await deliveriesOf(hook.id)).map((d) => d.status)).toEqual(['failed']);
    // a disabled endpoint gets no new deliveries
    await request(t.http).post(`/x/partners/HOOKS/bookings/${booked.id}/cancel`).set('X-Api-Key', key).send({}).expect(200);
    expect(await deliveriesOf(hook.id)).toHaveLength(1);
    expect(await dispatcher.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it('a delivery claimed by an instance that died is attempted again once its lease has passed', async () => {
    const hook = await endpoint({ url: receiver.url(), events: ['booking.created'] });
    await bookTrip(t, 'HOOKS', key, ['BAG']);
    clock.pin(Date.now());
    // an instance claimed it (the lease and the counted attempt) and was killed before recording anything
    const lease = new Date(clock.now().getTime() + 60_000);
    await dbQuery(t, 'UPDATE webhook_deliveries SET lease_until = $1, attempts = 1 WHERE endpoint_id = $2', [
      dateParam(engineOf(t.app.get(DataSource)), lease),
      hook.id,
    ]);
    expect(await dispatcher.runOnce()).toBe(0);
    clock.advance(60_001);
    expect(await dispatcher.runOnce()).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    expect((await deliveriesOf(hook.id)).map((d) => [d.status, Number(d.attempts)])).toEqual([['delivered', 2]]);
  });

  it('/metrics counts attempts by outcome and shows the backlog with the age of its oldest delivery', async () => {
    const metric = async (name: string): Promise<number> => {
      const text = (await request(t.http).get('/metrics').expect(200)).text;
      const line = text.split('\n').find((l) => l.startsWith(name));
      return line ? Number(line.split(' ').pop()) : NaN;
    };
    const retriedBefore = (await metric('webhook_delivery_attempts_total{outcome="retried"}')) || 0;
    await endpoint({ url: receiver.url(), events: ['booking.created'] });
    receiver.answers = [503];
    clock.pin(Date.now());
    await bookTrip(t, 'HOOKS', key, ['BAG']);
    await dispatcher.runOnce();
    clock.advance(90_000);
    expect(await metric('webhook_delivery_attempts_total{outcome="retried"}')).toBe(retriedBefore + 1);
    expect(await metric('webhook_deliveries_pending')).toBe(1);
    expect(await metric('webhook_oldest_pending_delivery_seconds')).toBeGreaterThanOrEqual(90);
  });

  it('an endpoint gets deliveries of the types it subscribed to only', async () => {
    const hook = await endpoint({ url: receiver.url(), events: ['booking.cancelled'] });
    const booked = await bookTrip(t, 'HOOKS', key);
    await request(t.http)
      .post(`/x/partners/HOOKS/bookings/${booked.id}/cancel`)
      .set('X-Api-Key', key)
      .send({ quotes: [{ id: quoteOf(booked, 'BAG').id }] })
      .expect(200);
    expect((await deliveriesOf(hook.id)).map((d) => d.event_type)).toEqual(['booking.cancelled']);
  });
});
