/**
 * Erasing a person (GDPR Art. 17): POST /admin/privacy/erasures, on SQLite (`npx jest
 * test/e2e/privacy-erasure`) and PostgreSQL (`node test/integration/run.js privacy-erasure`).
 * Ada is a customer of PRIV with offers (one opted out), bookings (confirmed, updated, cancelled,
 * one whose policyholder e-mail became hers by an update), idempotency records and pending webhook
 * deliveries; Bob is another customer of PRIV, and Ada is a customer of OTHR too. Every string of
 * Ada's is distinctive, so that "nowhere in the database" can be checked by looking for it.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataSourceOptions, engineOf, POSTGRES_MIGRATIONS, readJson, readJsonPair, SQLITE_MIGRATIONS } from '@app/database';
import { ALL_ENTITIES } from '../../apps/api/src/entities';
import { ERASED, lookupKey } from '@app/privacy';
import { createPgDatabase, startTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app';
import { ADMIN, dbQuery } from '../support/booking-fixtures';
import { travelBundle } from '../support/lifecycle-fixtures';
import { storedOfferTexts } from '../support/stored-json';

const ENC_KEY = Buffer.alloc(32, 7);

/** Ada's data: every value distinctive (none occurs anywhere else) */
const ADA = {
  email: 'Ada.Qzv7Lovelace@Example.COM',
  first: 'Zyxadaline',
  last: 'Quorvelace',
  phone: '+442079990123',
  address: '77 Quillfeather Lane',
  city: 'Zorbingtonshire',
  postcode: 'ZQ9 8XW',
  ip: '203.0.113.77',
  customerId: 'cust-zq-4242',
  birth: '1815-12-10',
  company: 'Analytical Zqengines Ltd',
  insuredFirst: 'Xerxabbage',
  insuredLast: 'Babbqagezz',
  oldEmail: 'before.zqx@example.net',
};
/** what must be found nowhere once Ada is erased (the birth date is a date like others: checked by field) */
const ADA_STRINGS = [
  ADA.email.toLowerCase(),
  ADA.first,
  ADA.last,
  ADA.phone,
  ADA.address,
  ADA.city,
  ADA.postcode,
  ADA.ip,
  ADA.customerId,
  ADA.company,
  ADA.insuredFirst,
  ADA.insuredLast,
  ADA.oldEmail,
];

const BOB = { email: 'bob.kept@example.org', first: 'Bobkeptname', last: 'Keptsurname' };

/** the travel partner of lifecycle-fixtures with a richer request schema and content that names the customer */
function privacyBundle(code: string): Record<string, unknown> {
  const bundle = structuredClone(travelBundle(code)) as {
    schemas: Array<{ json_schema: { properties: Record<string, { properties: Record<string, unknown> }> } }>;
    offer_configs: Array<Record<string, unknown>>;
  };
  const props = bundle.schemas[0].json_schema.properties;
  Object.assign(props.customer.properties, {
    email: { type: 'string', format: 'email' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    ip_address: { type: 'string', format: 'ipv4' },
    postcode: { type: 'string' },
  });
  Object.assign(props.partner.properties, { customer_id: { type: 'string' } });
  bundle.offer_configs[0].content = {
    default_language: 'en',
    en: { title: "Trip cover for {{ has(customer.first_name) ? customer.first_name : 'you' }}", description: 'Cover for your trip.' },
  };
  return bundle;
}

async function setupPartner(t: TestApp, code: string): Promise<{ key: string; partnerId: string }> {
  await request(t.http).put(`/admin/partners/${code}/bundle`).set(ADMIN).send(privacyBundle(code)).expect(200);
  const key = (await request(t.http).post(`/admin/partners/${code}/api-keys`).set(ADMIN).send({ mode: 'live', name: 'e2e' }).expect(201)).body.key as string;
  const partnerId = (await request(t.http).get(`/admin/partners/${code}`).set(ADMIN).expect(200)).body.id as string;
  return { key, partnerId };
}

interface Person {
  email?: string;
  first?: string;
  last?: string;
  customerId?: string;
  ip?: string;
  postcode?: string;
}

function offerBody(p: Person, transactionId: string): Record<string, unknown> {
  const customer: Record<string, unknown> = { language: 'en', currency: 'EUR', country: 'FR' };
  if (p.email) customer.email = p.email;
  if (p.first) customer.first_name = p.first;
  if (p.last) customer.last_name = p.last;
  if (p.ip) customer.ip_address = p.ip;
  if (p.postcode) customer.postcode = p.postcode;
  return {
    customer,
    partner: { transaction_id: transactionId, ...(p.customerId ? { customer_id: p.customerId } : {}) },
    context: { trip_cost: 1000, travellers: 2, destination: 'FR' },
  };
}

interface Offer {
  id: string;
  products: Array<{ id: string; code: string }>;
  [k: string]: unknown;
}

const erase = (t: TestApp, body: unknown) =>
  request(t.http)
    .post('/admin/privacy/erasures')
    .set(ADMIN)
    .send(body as object);

/** every row a partner has in the tables an erasure reads, as text (JSON columns decoded, packed ones too) */
async function dumpPartner(t: TestApp, partnerId: string): Promise<string> {
  const tables = [
    'offers',
    'quotes',
    'offer_variants',
    'bookings',
    'booking_items',
    'booking_events',
    'booking_changes',
    'opt_out_events',
    'webhook_deliveries',
    'idempotency_records',
  ];
  const parts: string[] = [];
  for (const table of tables) {
    for (const stored of await dbQuery(t, `SELECT * FROM ${table} WHERE partner_id = $1`, [partnerId])) {
      // an offer's request may be packed together with its response, in the response column
      const row = table === 'offers' ? { ...stored, ...storedOfferTexts(stored as { request: unknown; response: unknown }) } : stored;
      for (const [column, value] of Object.entries(row)) {
        let text: string;
        if (value instanceof Uint8Array) {
          try {
            text = JSON.stringify(readJson(value));
          } catch {
            text = Buffer.from(value).toString('latin1');
          }
        } else text = String(value);
        parts.push(`${table}.${column}=${text}`);
      }
    }
  }
  return parts.join('\n');
}

function found(haystack: string, needles: readonly string[]): string[] {
  const lower = haystack.toLowerCase();
  return needles.filter((n) => lower.includes(n.toLowerCase()));
}

describe('POST /admin/privacy/erasures (e2e)', () => {
  let t: TestApp;
  let priv: { key: string; partnerId: string };
  let othr: { key: string; partnerId: string };
  const api = (key: string) => ({
    create: async (p: Person, transactionId: string, idempotencyKey?: string): Promise<Offer> => {
      const req = request(t.http)
        .post(`/x/partners/${key === priv.key ? 'PRIV' : 'OTHR'}/offers/`)
        .set('X-Api-Key', key);
      if (idempotencyKey) req.set('X-Idempotency-Key', idempotencyKey);
      const res = await req.send(offerBody(p, transactionId));
      if (res.status !== 200) throw new Error(`create: ${res.status} ${res.text}`);
      return res.body as Offer;
    },
  });
  const partnerOf = (key: string) => (key === priv.key ? 'PRIV' : 'OTHR');
  const adaInsured = [{ first_name: ADA.insuredFirst, last_name: ADA.insuredLast, birth_date: '1791-12-26' }];
  async function confirm(
    key: string,
    offer: Offer,
    holder: Record<string, unknown>,
    idempotencyKey?: string,
    insured: Array<Record<string, unknown>> = adaInsured,
  ): Promise<{ id: string; [k: string]: unknown }> {
    const trip = offer.products.find((p) => p.code === 'TRIP');
    const bag = offer.products.find((p) => p.code === 'BAG');
    const req = request(t.http)
      .post(`/x/partners/${partnerOf(key)}/offers/${offer.id}/confirm/`)
      .set('X-Api-Key', key);
    if (idempotencyKey) req.set('X-Idempotency-Key', idempotencyKey);
    const res = await req.send({
      quotes: [{ id: trip?.id, insured }, { id: bag?.id }],
      policyholder: holder,
    });
    if (res.status !== 200) throw new Error(`confirm: ${res.status} ${res.text}`);
    return res.body as { id: string };
  }
  const adaHolder = (email = ADA.email) => ({
    first_name: ADA.first,
    last_name: ADA.last,
    email,
    phone: ADA.phone,
    birth_date: ADA.birth,
    country: 'GB',
    company: ADA.company,
    address1: ADA.address,
    city: ADA.city,
    postcode: ADA.postcode,
  });
  const bobHolder = { first_name: BOB.first, last_name: BOB.last, email: BOB.email, country: 'FR' };
  const bookingPath = (id: string, rest = '') => `/x/partners/PRIV/bookings/${id}/${rest}`;

  // Ada's and Bob's records, and what was read before the erasure
  const ada: { offers: Offer[]; bookings: Record<string, { id: string }>; optedOut?: Offer } = { offers: [], bookings: {} };
  let bobBooking: { id: string };
  let othrBooking: { id: string };
  let before: { bookings: Record<string, Record<string, unknown>>; analytics: unknown; bobDump: string; othrDump: string; adaDump: string };
  let erasure: request.Response;

  beforeAll(async () => {
    t = await startTestApp({ appEncryptionKey: ENC_KEY });
    priv = await setupPartner(t, 'PRIV');
    othr = await setupPartner(t, 'OTHR');
    // pending deliveries: webhooks are not sent in the e2e runs
    for (const code of ['PRIV', 'OTHR']) {
      await request(t.http)
        .post(`/admin/partners/${code}/webhooks`)
        .set(ADMIN)
        .send({ url: 'https://93.184.216.34/hooks', events: ['booking.created', 'booking.updated', 'booking.cancelled', 'offer.opted_out'] })
        .expect(201);
    }
    const p = api(priv.key);

    // 1. an offer with everything, confirmed with idempotency keys, then updated (new phone, city)
    const full = await p.create(
      { email: ADA.email, first: ADA.first, last: ADA.last, customerId: ADA.customerId, ip: ADA.ip, postcode: ADA.postcode },
      'TX-ADA-1',
      'idem-ada-offer-1',
    );
    const confirmed = await confirm(priv.key, full, adaHolder(), 'idem-ada-confirm-1');
    await request(t.http)
      .patch(bookingPath(confirmed.id))
      .set('X-Api-Key', priv.key)
      .send({ policyholder: { phone: '+442079990124', city: `${ADA.city} North` } })
      .expect(200);
    // a priced update left unconfirmed, and a cancellation preview: booking_changes hold the policyholder
    const trip = full.products.find((x) => x.code === 'TRIP') as { id: string };
    await request(t.http)
      .patch(bookingPath(confirmed.id, 'quote_for_update'))
      .set('X-Api-Key', priv.key)
      .send({ quotes: [{ id: trip.id, update_fields: { trip_cost: 1500 } }] })
      .expect(200);
    ada.offers.push(full);
    ada.bookings.updated = confirmed;

    // 2. an offer without her e-mail, booked by someone else's e-mail, which an update makes hers
    const noEmail = await p.create({}, 'TX-ADA-2');
    const changed = await confirm(priv.key, noEmail, adaHolder(ADA.oldEmail));
    await request(t.http)
      .patch(bookingPath(changed.id))
      .set('X-Api-Key', priv.key)
      .send({ policyholder: { email: ADA.email.toUpperCase() } })
      .expect(200);
    ada.offers.push(noEmail);
    ada.bookings.emailChanged = changed;

    // 3. an offer she declined, with an opt-out body naming her
    const declined = await p.create({ email: ADA.email.toLowerCase(), first: ADA.first }, 'TX-ADA-3');
    await request(t.http)
      .post(`/x/partners/PRIV/offers/${declined.id}/opt_out/`)
      .set('X-Api-Key', priv.key)
      .send({ partner_metadata: { reason: `not now, says ${ADA.first}`, email: ADA.email } })
      .expect(204);
    ada.offers.push(declined);
    ada.optedOut = declined;

    // 4. an offer booked, then cancelled (the reason names her)
    const cancelledOffer = await p.create({ email: ADA.email }, 'TX-ADA-4');
    const toCancel = await confirm(priv.key, cancelledOffer, adaHolder());
    await request(t.http)
      .post(bookingPath(toCancel.id, 'cancel'))
      .set('X-Api-Key', priv.key)
      .send({ cancellation_reason: `${ADA.first} ${ADA.last} is unwell` })
      .expect(200);
    ada.offers.push(cancelledOffer);
    ada.bookings.cancelled = toCancel;

    // Bob, same partner; Ada, another partner
    const bobOffer = await p.create({ email: BOB.email, first: BOB.first }, 'TX-BOB-1');
    bobBooking = await confirm(priv.key, bobOffer, bobHolder, undefined, [{ first_name: 'Bobinsured', last_name: 'Keptinsured' }]);
    const othrOffer = await api(othr.key).create({ email: ADA.email, first: ADA.first, customerId: ADA.customerId }, 'TX-OTHR-1');
    othrBooking = await confirm(othr.key, othrOffer, adaHolder());

    const readBooking = async (id: string) =>
      (await request(t.http).get(bookingPath(id)).set('X-Api-Key', priv.key).expect(200)).body as Record<string, unknown>;
    before = {
      bookings: Object.fromEntries(await Promise.all(Object.entries(ada.bookings).map(async ([k, b]) => [k, await readBooking(b.id)] as const))),
      analytics: (await request(t.http).get('/admin/partners/PRIV/analytics?from=2020-01-01&to=2100-01-01').set(ADMIN).expect(200)).body,
      bobDump: '',
      othrDump: await dumpPartner(t, othr.partnerId),
      adaDump: await dumpPartner(t, priv.partnerId),
    };
    erasure = await erase(t, { partner: 'PRIV', email: 'ada.qzv7lovelace@EXAMPLE.com' });
  });
  afterAll(async () => t?.close());

  it('had Ada everywhere before (so the checks below can fail)', () => {
    expect(found(before.adaDump, ADA_STRINGS).sort()).toEqual([...ADA_STRINGS].sort());
    expect(found(before.othrDump, [ADA.email, ADA.first, ADA.customerId])).toHaveLength(3);
  });

  it('answers 200 with the counts: her 4 offers with an e-mail, and their 3 bookings', () => {
    expect(erasure.status).toBe(200);
    expect(erasure.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), offers: 4, bookings: 3, completed_at: expect.any(String) });
    expect(new Date(erasure.body.completed_at as string).toISOString()).toBe(erasure.body.completed_at);
  });

  it('leaves nothing of her in what PRIV stores', async () => {
    const dump = await dumpPartner(t, priv.partnerId);
    expect(found(dump, ADA_STRINGS)).toEqual([]);
    expect(found(dump, [ADA.birth])).toEqual([]);
    expect(dump).toContain(ERASED);
  });

  it('shows the erased values through the API: offers, bookings, the booking list and the events', async () => {
    for (const o of ada.offers) {
      const res = await request(t.http).get(`/x/partners/PRIV/offers/${o.id}/`).set('X-Api-Key', priv.key).expect(200);
      expect(found(JSON.stringify(res.body), ADA_STRINGS)).toEqual([]);
      expect(res.body.partner_transaction_id).toBe(o.partner_transaction_id);
    }
    const first = await request(t.http).get(`/x/partners/PRIV/offers/${ada.offers[0].id}/`).set('X-Api-Key', priv.key).expect(200);
    expect(first.body.content.title).toBe(`Trip cover for ${ERASED}`);
    expect(ada.offers[0].content).toMatchObject({ title: `Trip cover for ${ADA.first}` });

    for (const [name, b] of Object.entries(ada.bookings)) {
      const now = (await request(t.http).get(bookingPath(b.id)).set('X-Api-Key', priv.key).expect(200)).body as Record<string, unknown>;
      expect(found(JSON.stringify(now), ADA_STRINGS)).toEqual([]);
      const was = before.bookings[name];
      // amounts, dates, statuses, ids, codes and partner_transaction_id as they were
      const { policyholder: p1, quotes: q1, ...rest1 } = now;
      const { policyholder: p0, quotes: q0, ...rest0 } = was;
      expect(rest1).toEqual(rest0);
      expect(p1).toEqual(Object.fromEntries(Object.entries(p0 as Record<string, unknown>).map(([k, v]) => [k, k === 'country' ? v : ERASED])));
      const strip = (qs: unknown) => (qs as Array<Record<string, unknown>>).map(({ insured: _i, ...q }) => q);
      expect(strip(q1)).toEqual(strip(q0));
      for (const q of q1 as Array<{ insured: Array<Record<string, unknown>> }>)
        for (const i of q.insured) expect(i).toEqual({ first_name: ERASED, last_name: ERASED, birth_date: ERASED });
    }
    const list = await request(t.http).get('/x/partners/PRIV/bookings/').set('X-Api-Key', priv.key).expect(200);
    expect(list.body.count).toBe(4);
    expect(found(JSON.stringify(list.body), ADA_STRINGS)).toEqual([]);
    expect(JSON.stringify(list.body)).toContain(BOB.first);

    for (const b of Object.values(ada.bookings)) {
      const events = await request(t.http).get(`/admin/partners/PRIV/bookings/${b.id}/events`).set(ADMIN).expect(200);
      expect(events.body.length).toBeGreaterThanOrEqual(2);
      expect(found(JSON.stringify(events.body), ADA_STRINGS)).toEqual([]);
      expect(events.body.map((e: { version: number }) => e.version)).toEqual(events.body.map((_e: unknown, i: number) => i + 1));
    }
  });

  it('erased the opt-out, the priced changes, the insured, the pending webhook deliveries and the idempotency records', async () => {
    const optOuts = await dbQuery<{ body: string }>(t, 'SELECT body FROM opt_out_events WHERE offer_id = $1', [ada.optedOut?.id]);
    expect(optOuts).toHaveLength(1);
    expect(JSON.parse(optOuts[0].body)).toEqual({ partner_metadata: { reason: `not now, says ${ERASED}`, email: ERASED } });

    const ids = Object.values(ada.bookings).map((b) => b.id);
    const changes = await dbQuery<{ plan: string }>(t, `SELECT plan FROM booking_changes WHERE partner_id = $1`, [priv.partnerId]);
    expect(changes.length).toBeGreaterThan(0);
    for (const c of changes) expect(found(c.plan, ADA_STRINGS)).toEqual([]);

    const deliveries = await dbQuery<{ payload: string; status: string; event_type: string }>(
      t,
      'SELECT payload, status, event_type FROM webhook_deliveries WHERE partner_id = $1',
      [priv.partnerId],
    );
    const ours = deliveries.filter((d) => ids.some((id) => d.payload.includes(id)) || d.event_type === 'offer.opted_out');
    expect(ours.length).toBeGreaterThanOrEqual(7);
    for (const d of ours) {
      expect(d.status).toBe('pending');
      expect(found(d.payload, ADA_STRINGS)).toEqual([]);
    }
    expect(deliveries.some((d) => d.payload.includes(BOB.first))).toBe(true);

    const records = await dbQuery<{ key: string; response_body: string }>(t, 'SELECT key, response_body FROM idempotency_records WHERE partner_id = $1', [
      priv.partnerId,
    ]);
    expect(records.map((r) => r.key).sort()).toEqual(['idem-ada-confirm-1', 'idem-ada-offer-1']);
    for (const r of records) expect(found(r.response_body, ADA_STRINGS)).toEqual([]);
    expect(JSON.parse(records.find((r) => r.key === 'idem-ada-confirm-1')?.response_body ?? '{}').policyholder.first_name).toBe(ERASED);
  });

  it("clears the lookup keys of what it erased; Bob's and OTHR's keep theirs", async () => {
    const offers = await dbQuery<{ id: string; email_key: unknown; customer_key: unknown }>(
      t,
      'SELECT id, email_key, customer_key FROM offers WHERE partner_id = $1',
      [priv.partnerId],
    );
    for (const o of ada.offers) expect(offers.find((r) => r.id === o.id)).toMatchObject({ email_key: null, customer_key: null });
    expect(offers.filter((r) => r.email_key !== null).length).toBe(1); // Bob's
    const bookings = await dbQuery<{ id: string; email_key: unknown }>(t, 'SELECT id, email_key FROM bookings WHERE partner_id IN ($1, $2)', [
      priv.partnerId,
      othr.partnerId,
    ]);
    for (const b of Object.values(ada.bookings)) expect(bookings.find((r) => r.id === b.id)?.email_key).toBeNull();
    expect(Number(bookings.find((r) => r.id === bobBooking.id)?.email_key)).toBe(lookupKey(priv.partnerId, 'email', BOB.email));
    expect(Number(bookings.find((r) => r.id === othrBooking.id)?.email_key)).toBe(lookupKey(othr.partnerId, 'email', ADA.email.toLowerCase()));
  });

  it("leaves Bob and the other partner untouched, and the analytics' figures as they were", async () => {
    const bob = (await request(t.http).get(bookingPath(bobBooking.id)).set('X-Api-Key', priv.key).expect(200)).body;
    expect(bob.policyholder).toEqual(bobHolder);
    expect(await dumpPartner(t, othr.partnerId)).toBe(before.othrDump);
    const analytics = (await request(t.http).get('/admin/partners/PRIV/analytics?from=2020-01-01&to=2100-01-01').set(ADMIN).expect(200)).body;
    expect(analytics).toEqual(before.analytics);
  });

  it('records it in the audit log with the SHA-256 of the e-mail, never the e-mail', async () => {
    const res = await request(t.http).get('/admin/audit?action=privacy.erasure').set(ADMIN).expect(200);
    const entry = res.body.items.find((e: { target_id: string }) => e.target_id === erasure.body.id);
    expect(entry).toMatchObject({
      action: 'privacy.erasure',
      partner_code: 'PRIV',
      target_type: 'person',
      actor: 'bootstrap',
      after: { identifier_type: 'email', identifier_sha256: createHash('sha256').update(ADA.email.toLowerCase()).digest('hex'), offers: 4, bookings: 3 },
    });
    expect(found(JSON.stringify(res.body), ADA_STRINGS)).toEqual([]);
    const rows = await dbQuery(t, 'SELECT * FROM audit_log');
    expect(found(JSON.stringify(rows), ADA_STRINGS)).toEqual([]);
  });

  it('a booking erased can still be changed: the erased request still passes its schema (the e-mail with a format was removed)', async () => {
    const offer = (await dbQuery<{ request: unknown; response: unknown }>(t, 'SELECT request, response FROM offers WHERE id = $1', [ada.offers[0].id]))[0];
    const stored = readJsonPair(offer.request, offer.response)[0] as { customer: Record<string, unknown>; partner: Record<string, unknown> };
    expect(stored.customer).toEqual({ language: 'en', currency: 'EUR', country: 'FR', first_name: ERASED, last_name: ERASED, postcode: ERASED });
    expect(stored.partner).toEqual({ transaction_id: 'TX-ADA-1', customer_id: ERASED });
    const trip = ada.offers[0].products.find((x) => x.code === 'TRIP') as { id: string };
    const quoted = await request(t.http)
      .patch(bookingPath(ada.bookings.updated.id, 'quote_for_update'))
      .set('X-Api-Key', priv.key)
      .send({ quotes: [{ id: trip.id, update_fields: { trip_cost: 1200 } }] });
    expect(quoted.status).toBe(200);
    // a change priced before the erasure is stale: it cannot write the old values back
    const pending = await dbQuery<{ id: string }>(t, 'SELECT id FROM booking_changes WHERE booking_id = $1 AND kind = $2 ORDER BY created_at LIMIT 1', [
      ada.bookings.updated.id,
      'UPDATE',
    ]);
    await request(t.http)
      .post(bookingPath(ada.bookings.updated.id, `confirm_update/${pending[0].id}/`))
      .set('X-Api-Key', priv.key)
      .send({})
      .expect(422);
  });

  it('on PostgreSQL, vacuumed the tables it wrote (their old row versions are gone)', async () => {
    if (engineOf(t.app.get(DataSource)) !== 'postgres') return;
    const stats = await dbQuery<{ relname: string; last_vacuum: unknown; n_dead_tup: unknown }>(
      t,
      `SELECT relname, last_vacuum, n_dead_tup FROM pg_stat_user_tables WHERE relname = ANY($1::text[])`,
      [['offers', 'bookings', 'booking_items', 'booking_events', 'booking_changes', 'opt_out_events', 'webhook_deliveries', 'idempotency_records']],
    );
    expect(stats).toHaveLength(8);
    for (const s of stats) expect([s.relname, s.last_vacuum]).toEqual([s.relname, expect.anything()]);
  });

  it('is idempotent: a repeat finds nothing left (200, counts 0), in any case of the e-mail', async () => {
    const again = await erase(t, { partner: 'PRIV', email: ADA.email }).expect(200);
    expect(again.body).toMatchObject({ offers: 0, bookings: 0 });
    expect(again.body.id).not.toBe(erasure.body.id);
  });

  it('erases by customer id: an offer that had only it', async () => {
    const byIdOnly = await api(priv.key).create({ customerId: ADA.customerId, first: ADA.first }, 'TX-ADA-5');
    const keys = async () => (await dbQuery<{ customer_key: unknown }>(t, 'SELECT customer_key FROM offers WHERE id = $1', [byIdOnly.id]))[0].customer_key;
    expect(Number(await keys())).toBe(lookupKey(priv.partnerId, 'customer_id', ADA.customerId));
    // an erasure by e-mail does not reach it
    await erase(t, { partner: 'PRIV', email: ADA.email }).expect(200);
    expect(found(await dumpPartner(t, priv.partnerId), [ADA.customerId, ADA.first])).toHaveLength(2);
    const res = await erase(t, { partner: 'PRIV', customer_id: ADA.customerId }).expect(200);
    expect(res.body).toMatchObject({ offers: 1, bookings: 0 });
    expect(await keys()).toBeNull();
    expect(found(await dumpPartner(t, priv.partnerId), ADA_STRINGS)).toEqual([]);
    // the other partner's customer with the same id is another partner's business
    expect(found(await dumpPartner(t, othr.partnerId), [ADA.customerId])).toEqual([ADA.customerId]);
    expect((await erase(t, { partner: 'PRIV', customer_id: ADA.customerId }).expect(200)).body).toMatchObject({ offers: 0, bookings: 0 });
  });

  it("finds the lookups through indexes: on SQLite the time-ordered ones, comparing keys in the index; on PostgreSQL the keys' own", async () => {
    const ds = t.app.get(DataSource);
    const { OFFERS_BY_EMAIL_KEY, OFFERS_BY_CUSTOMER_KEY, BOOKINGS_BY_EMAIL_KEY } = await import('../../libs/privacy/src/erasure.sql');
    // [SQLite index, PostgreSQL index, statement]
    const cases: Array<[string, string, { sqlite: string; postgres: string }]> = [
      ['ix_offers_partner_created', 'ix_offers_email_key', OFFERS_BY_EMAIL_KEY],
      ['ix_offers_partner_created', 'ix_offers_customer_key', OFFERS_BY_CUSTOMER_KEY],
      ['ix_bookings_partner_created', 'ix_bookings_email_key', BOOKINGS_BY_EMAIL_KEY],
    ];
    for (const [sqliteIndex, postgresIndex, sql] of cases) {
      if (engineOf(ds) === 'sqlite') {
        const plan = await ds.query<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${sql.sqlite}`, [priv.partnerId, 123]);
        expect(plan.map((p) => p.detail).join('\n')).toMatch(new RegExp(`SEARCH (offers|bookings) USING INDEX ${sqliteIndex} \\(partner_id=\\?\\)`));
      } else {
        const runner = ds.createQueryRunner();
        try {
          await runner.startTransaction();
          // a plan for a large table: the test database is small enough for a sequential scan to win
          await runner.query('SET LOCAL enable_seqscan = off');
          const plan: Array<{ 'QUERY PLAN': string }> = await runner.query(`EXPLAIN ${sql.postgres.replace('$1', `'${priv.partnerId}'`).replace('$2', '123')}`);
          expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toContain(postgresIndex);
        } finally {
          await runner.rollbackTransaction();
          await runner.release();
        }
      }
    }
  });

  describe('refuses', () => {
    it('bad bodies: 422 with the fields named, 400 for what is not JSON', async () => {
      const cases: Array<[unknown, string[]]> = [
        [{}, ['partner', 'email', 'customer_id']],
        [{ partner: 'PRIV' }, ['email', 'customer_id']],
        [{ partner: 'PRIV', email: 'a@b.c', customer_id: 'x' }, ['customer_id']],
        [{ partner: 'PRIV', email: 'not an e-mail' }, ['email']],
        [{ partner: 'PRIV', email: 42 }, ['email']],
        [{ partner: 'PRIV', email: null }, ['email']],
        [{ partner: 'PRIV', customer_id: '' }, ['customer_id']],
        [{ partner: 7, customer_id: 'x' }, ['partner']],
        [{ partner: 'PRIV', customer_id: 'x', name: 'Ada' }, ['name']],
        [{ partner: 'PRIV', email: `${'a'.repeat(320)}@b.c` }, ['email']],
      ];
      for (const [body, fields] of cases) {
        const res = await erase(t, body);
        expect([res.status, body]).toEqual([422, body]);
        expect(res.body).toMatchObject({ type: 'validation_error', code: 'validation_error' });
        expect(Object.keys(res.body.errors).sort()).toEqual([...fields].sort());
      }
      const malformed = await request(t.http).post('/admin/privacy/erasures').set(ADMIN).set('Content-Type', 'application/json').send('{"partner": "PRIV",');
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('malformed_request');
    });

    it('an unknown partner: 404 partner_not_found', async () => {
      const res = await erase(t, { partner: 'NOPE', email: 'a@b.c' }).expect(404);
      expect(res.body.code).toBe('partner_not_found');
    });

    it('without an admin key: 401; with a partner key: 403', async () => {
      const none = await request(t.http).post('/admin/privacy/erasures').send({ partner: 'PRIV', email: 'a@b.c' }).expect(401);
      expect(none.body.code).toBe('admin_key_invalid');
      await request(t.http).post('/admin/privacy/erasures').set('X-Admin-Key', `${TEST_ADMIN_KEY}x`).send({ partner: 'PRIV', email: 'a@b.c' }).expect(401);
      const partnerKey = await request(t.http).post('/admin/privacy/erasures').set('X-Api-Key', priv.key).send({ partner: 'PRIV', email: 'a@b.c' }).expect(403);
      expect(partnerKey.body.code).toBe('access_denied');
    });

    it('is documented in the OpenAPI document with its error codes', async () => {
      const doc = (await request(t.http).get('/docs-json').expect(200)).body;
      const op = doc.paths['/admin/privacy/erasures'].post;
      expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '403', '404', '413', '415', '422', '429', '503']);
      expect(op.security).toEqual([{ 'admin-key': [] }]);
    });
  });
});

/** the bytes of a file (empty when it does not exist) */
function bytesOf(path: string): Buffer {
  if (!existsSync(path)) return Buffer.alloc(0);
  const size = statSync(path).size;
  const out = Buffer.alloc(size);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, out, 0, size, 0);
  } finally {
    closeSync(fd);
  }
  return out;
}

const describeSqlite = process.env.TEST_PG_ADMIN_URL ? describe.skip : describe;

describeSqlite('erasure on a SQLite file (the app running)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('leaves none of the erased strings in the database file, its WAL or its shared memory', async () => {
    const { key, partnerId } = await setupPartner(t, 'FILE');
    const body = offerBody({ email: ADA.email, first: ADA.first, last: ADA.last, customerId: ADA.customerId }, 'TX-FILE');
    const offer = (await request(t.http).post('/x/partners/FILE/offers/').set('X-Api-Key', key).send(body).expect(200)).body as Offer;
    const trip = offer.products.find((p) => p.code === 'TRIP') as { id: string };
    const holder = {
      first_name: ADA.first,
      last_name: ADA.last,
      email: ADA.email,
      phone: ADA.phone,
      country: 'GB',
      address1: ADA.address,
      city: ADA.city,
      postcode: ADA.postcode,
      company: ADA.company,
    };
    const booked = await request(t.http)
      .post(`/x/partners/FILE/offers/${offer.id}/confirm/`)
      .set('X-Api-Key', key)
      .send({ quotes: [{ id: trip.id, insured: [{ first_name: ADA.insuredFirst, last_name: ADA.insuredLast }] }], policyholder: holder })
      .expect(200);
    // an update moves the booking to new pages and leaves old versions behind; then one more
    await request(t.http)
      .patch(`/x/partners/FILE/bookings/${booked.body.id}/`)
      .set('X-Api-Key', key)
      .send({ policyholder: { city: `${ADA.city} East` } })
      .expect(200);
    // a large personal field: its row spills into overflow pages, freed (not rewritten) when it becomes "[erased]"
    const longAddress = Array.from({ length: 400 }, (_, i) => `${ADA.address} ${i}, ${ADA.city}`).join('; ');
    const declined = (
      await request(t.http)
        .post('/x/partners/FILE/offers/')
        .set('X-Api-Key', key)
        .send(offerBody({ email: ADA.email }, 'TX-FILE-2'))
        .expect(200)
    ).body as Offer;
    await request(t.http)
      .post(`/x/partners/FILE/offers/${declined.id}/opt_out/`)
      .set('X-Api-Key', key)
      .send({ note: `${ADA.first} ${ADA.phone}`, address: longAddress })
      .expect(204);

    const file = t.config.sqlitePath;
    const files = [file, `${file}-wal`, `${file}-shm`];
    const scan = () => {
      const all = Buffer.concat(files.map(bytesOf)).toString('latin1').toLowerCase();
      return ADA_STRINGS.filter((s) => all.includes(s.toLowerCase()));
    };
    const inPlainColumns = [
      ADA.email.toLowerCase(),
      ADA.first,
      ADA.last,
      ADA.phone,
      ADA.address,
      ADA.city,
      ADA.postcode,
      ADA.company,
      ADA.insuredFirst,
      ADA.insuredLast,
    ];
    expect(scan()).toEqual(expect.arrayContaining(inPlainColumns));

    const res = await request(t.http).post('/admin/privacy/erasures').set(ADMIN).send({ partner: 'FILE', email: ADA.email }).expect(200);
    expect(res.body).toMatchObject({ offers: 2, bookings: 1 });
    expect(scan()).toEqual([]);
    expect(bytesOf(`${file}-wal`).length).toBe(0);
    // the app still runs on the file, and its data is still there
    expect(found(await dumpPartner(t, partnerId), ADA_STRINGS)).toEqual([]);
    await request(t.http).get(`/x/partners/FILE/bookings/${booked.body.id}/`).set('X-Api-Key', key).expect(200);
    await request(t.http)
      .post('/x/partners/FILE/offers/')
      .set('X-Api-Key', key)
      .send(offerBody({ email: BOB.email }, 'TX-AFTER'))
      .expect(200);
    expect(readFileSync(file).length).toBeGreaterThan(0);
  });

  it('has secure_delete on, on the connection of the event loop', async () => {
    const rows = await t.app.get(DataSource).query<Array<{ secure_delete: number }>>('PRAGMA secure_delete');
    expect(rows[0].secure_delete).toBe(1);
  });
});

/** offers stored besides the person's in the scale check (PRIVACY_SCALE_OFFERS, default a million) */
const SCALE_OFFERS = Number(process.env.PRIVACY_SCALE_OFFERS ?? 1_000_000);

describe(`an erasure among ${SCALE_OFFERS} offers`, () => {
  let t: TestApp;
  jest.setTimeout(240_000);

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('takes well under a second: the lookup goes through the index', async () => {
    const { key, partnerId } = await setupPartner(t, 'SCALE');
    const ds = t.app.get(DataSource);
    const postgres = engineOf(ds) === 'postgres';
    // other people's offers, stored straight into the table: each with keys of its own
    const stored = JSON.stringify(offerBody({ email: 'someone@example.com' }, 'TX'));
    if (postgres) {
      await ds.query(
        `INSERT INTO offers (id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency, partner_transaction_id,
                             experiments, request, response, status, expires_at, created_at, updated_at, email_key, customer_key)
         SELECT 'scale-' || i, $1, 'trip-cover', 1, 'trip:v1', 'k', 'live', 'EUR', 'TX-' || i, '[]', $2, '{}', 'OFFERED',
                now() + interval '3 days', now(), now(), (random() * 4503599627370495)::bigint, CASE WHEN i % 2 = 0 THEN (random() * 4503599627370495)::bigint END
         FROM generate_series(1, $3::int) AS i`,
        [partnerId, stored, SCALE_OFFERS],
      );
      // as autovacuum leaves a table that has settled: its pages all visible, its statistics known
      await ds.query('VACUUM ANALYZE offers');
    } else {
      await ds.query(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO offers (id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency, partner_transaction_id,
                             experiments, request, response, status, expires_at, created_at, updated_at, email_key, customer_key)
         SELECT 'scale-' || i, ?, 'trip-cover', 1, 'trip:v1', 'k', 'live', 'EUR', 'TX-' || i, '[]', ?, '{}', 'OFFERED',
                datetime('now', '+3 days'), datetime('now'), datetime('now'), abs(random()) % 4503599627370496, CASE WHEN i % 2 = 0 THEN abs(random()) % 4503599627370496 END
         FROM n`,
        [SCALE_OFFERS, partnerId, stored],
      );
      await ds.query('ANALYZE');
    }
    const mine = (
      await request(t.http)
        .post('/x/partners/SCALE/offers/')
        .set('X-Api-Key', key)
        .send(offerBody({ email: ADA.email, first: ADA.first }, 'TX-MINE'))
        .expect(200)
    ).body as Offer;
    const start = Date.now();
    const res = await request(t.http).post('/admin/privacy/erasures').set(ADMIN).send({ partner: 'SCALE', email: ADA.email }).expect(200);
    const ms = Date.now() - start;
    expect(res.body).toMatchObject({ offers: 1, bookings: 0 });
    process.stderr.write(`erasure among ${SCALE_OFFERS} offers (${postgres ? 'PostgreSQL' : 'SQLite'}): ${ms} ms\n`);
    expect(ms).toBeLessThan(1000);
    const after = (await request(t.http).get(`/x/partners/SCALE/offers/${mine.id}/`).set('X-Api-Key', key).expect(200)).body;
    expect(found(JSON.stringify(after), [ADA.first])).toEqual([]);
  });
});

describe('the Erasure migration on a database with offers and bookings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offers-erasure-migration-'));
  let pg: { url: string; drop(): Promise<void> } | null = null;
  let t: TestApp | undefined;

  afterAll(async () => {
    await t?.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes the lookup keys of the rows stored before it, so that their people can be erased', async () => {
    const adminUrl = process.env.TEST_PG_ADMIN_URL;
    if (adminUrl) pg = await createPgDatabase(adminUrl);
    const sqlitePath = join(dir, 'offers.sqlite');
    const options = buildDataSourceOptions({ databaseUrl: pg?.url, sqlitePath, sqliteSynchronous: 'NORMAL', pgNamedStatements: true }, ALL_ENTITIES);
    const engine = options.type === 'postgres' ? 'postgres' : 'sqlite';
    const all = engine === 'postgres' ? POSTGRES_MIGRATIONS : SQLITE_MIGRATIONS;
    const erasureAt = all.findIndex((m) => m.name === 'Erasure1796600100000');
    expect(erasureAt).toBeGreaterThan(0);
    const p = (sql: string) => (engine === 'postgres' ? sql : sql.replace(/\$\d+/g, '?'));

    const before = new DataSource({ ...options, migrations: all.slice(0, erasureAt), migrationsRun: true });
    await before.initialize();
    const partnerId = '0190a0a0-0000-7000-8000-0000000000bb';
    await before.query(
      p(`INSERT INTO partners (id, code, name, status, current_version, created_at, updated_at) VALUES ($1, 'MIGR', 'Migrated', 'active', 0, $2, $3)`),
      [partnerId, '2026-11-01 10:00:00', '2026-11-01 10:00:00'],
    );
    const offer = (id: string, request: unknown, bookingId: string | null, name = 'you') =>
      before.query(
        p(`INSERT INTO offers (id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency, partner_transaction_id,
                               experiments, request, response, status, booking_id, expires_at, created_at, updated_at)
           VALUES ($1, $2, 'cfg', 1, 'trip:v1', 'k', 'live', 'EUR', $3, '[]', $4, $5, $6, $7, $8, $9, $10)`),
        [
          id,
          partnerId,
          `TX-${id}`,
          JSON.stringify(request),
          JSON.stringify({ id, content: { title: `Hello ${name}` } }),
          bookingId ? 'CONFIRMED' : 'OFFERED',
          bookingId,
          ...Array(3).fill('2026-11-01 10:00:00'),
        ],
      );
    const ids = Array.from({ length: 5 }, (_, i) => `0190a0a0-0000-7000-8000-00000000000${i}`);
    await offer(ids[0], { customer: { email: ADA.email, first_name: ADA.first }, partner: { customer_id: ADA.customerId } }, 'AAAAA-BBBBB-INS', ADA.first);
    await offer(ids[1], { customer: { email: 'someone@else.example' } }, null);
    await offer(ids[2], { customer: {}, partner: { customer_id: ADA.customerId } }, null);
    await offer(ids[3], { customer: {} }, 'CCCCC-DDDDD-INS', ADA.first);
    await offer(ids[4], 'not an object', null);
    const booking = (id: string, offerId: string, policyholder: unknown) =>
      before.query(
        p(`INSERT INTO bookings (id, offer_id, partner_id, api_key_id, offer_config_id, status, currency, total_price_minor, total_tax_minor,
                                 total_premium_minor, partner_transaction_id, policyholder, response, created_at, updated_at)
           VALUES ($1, $2, $3, 'k', 'cfg', 'CONFIRMED', 'EUR', 1250, 100, 1150, NULL, $4, $5, $6, $7)`),
        [id, offerId, partnerId, JSON.stringify(policyholder), JSON.stringify({ id, policyholder }), '2026-11-01 10:00:00', '2026-11-01 10:00:00'],
      );
    await booking('AAAAA-BBBBB-INS', ids[0], { first_name: ADA.first, email: ADA.email.toLowerCase() });
    await booking('CCCCC-DDDDD-INS', ids[3], { first_name: ADA.first, email: ` ${ADA.email.toUpperCase()} ` });
    await before.destroy();

    t = await startTestApp(pg ? { databaseUrl: pg.url } : { sqlitePath });
    const keys = await dbQuery<{ id: string; email_key: unknown; customer_key: unknown }>(t, 'SELECT id, email_key, customer_key FROM offers ORDER BY id');
    const email = lookupKey(partnerId, 'email', ADA.email.toLowerCase());
    const customer = lookupKey(partnerId, 'customer_id', ADA.customerId);
    const asNumber = (v: unknown) => (v === null ? null : Number(v));
    expect(keys.map((k) => [asNumber(k.email_key), asNumber(k.customer_key)])).toEqual([
      [email, customer],
      [lookupKey(partnerId, 'email', 'someone@else.example'), null],
      [null, customer],
      [null, null],
      [null, null],
    ]);
    const bookingKeys = await dbQuery<{ email_key: unknown }>(t, 'SELECT email_key FROM bookings ORDER BY id');
    expect(bookingKeys.map((k) => asNumber(k.email_key))).toEqual([email, email]);

    const res = await request(t.http).post('/admin/privacy/erasures').set(ADMIN).send({ partner: 'MIGR', email: ADA.email }).expect(200);
    expect(res.body).toMatchObject({ offers: 2, bookings: 2 });
    const byId = await request(t.http).post('/admin/privacy/erasures').set(ADMIN).send({ partner: 'MIGR', customer_id: ADA.customerId }).expect(200);
    expect(byId.body).toMatchObject({ offers: 1, bookings: 0 });
    const left =
      JSON.stringify(await dbQuery(t, 'SELECT request, response FROM offers')) +
      JSON.stringify(await dbQuery(t, 'SELECT policyholder, response FROM bookings'));
    expect(found(left, [ADA.email, ADA.first, ADA.customerId])).toEqual([]);
    expect(left).toContain('someone@else.example');
  });
});
