/**
 * Create Offer built on a worker thread (OFFER_BUILD_THREADS, libs/offers build-thread): the same
 * answers as in process, every error with its status and JSON paths, configuration changes in
 * force at once, and a thread that dies costs its requests nothing but time. The threads are seen
 * as they are started (startWorker, watched) and talked to (their messages, the build-thread protocol).
 */
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Worker } from 'node:worker_threads';
import { TransactionRunner } from '@app/database';
import { DEMO_TRAVEL_REQUEST } from '../../apps/api/src/seed/demo-bundle';
import * as threadStart from '../../libs/core/src/threads/start-worker';
import type { FromBuildThread, ToBuildThread } from '../../libs/offers/src/build-thread/protocol';
import { OfferBuilder } from '../../libs/offers/src/offer-builder';
import { startTestApp, type TestApp } from '../support/app';
import { confirmBody, confirmPath, dbQuery } from '../support/booking-fixtures';
import { createKey, createOffer, goldBundle, goldRequest, INVALID_GOLD_REQUEST, invalidGoldAnswer, putBundle } from '../support/offer-bundles';
import { storedOfferTexts, storedText } from '../support/stored-json';
import { TestClock } from '../support/test-clock';
import { waitFor } from '../support/wait';

const QUERY = 'extra_fields=tax,surcharge,commission,benefits,experiment';

/** the response without what differs between two creates (ids, expiry, dates taken from the clock) */
function comparable(body: Record<string, unknown>): unknown {
  return JSON.parse(
    JSON.stringify(body)
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/"expires_at":"[^"]+"/, '"expires_at":"<t>"')
      // (formatApiDate leaves out the milliseconds when they are zero: one create in a thousand)
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+00:00/g, '<now>'),
  );
}

const UUID_ANYWHERE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** a stored row without what differs between two apps and two creates (ids, instants); JSON texts compared as JSON */
function comparableRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    // the apps have had different numbers of bundle writes
    if (k === 'bundle_version') out[k] = typeof v;
    else if (v instanceof Uint8Array) out[k] = comparable(JSON.parse(storedText(v)) as Record<string, unknown>);
    else if (v instanceof Date || (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/.test(v))) out[k] = '<instant>';
    else if (typeof v === 'string' && /^[[{]/.test(v)) out[k] = comparable(JSON.parse(v) as Record<string, unknown>);
    else if (typeof v === 'string') out[k] = v.replace(UUID_ANYWHERE, '<id>');
    else if (v !== null && typeof v === 'object') out[k] = comparable(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

describe('Create Offer on build threads (e2e)', () => {
  let threaded: TestApp;
  let inProcess: TestApp;
  const keys: Record<string, string> = {};
  /** the threaded app's clock: a thread that died is started again 5 s later on it */
  const clock = new TestClock();
  /** every worker thread started (BuildPool starts its threads through startWorker; the in-process app starts none) */
  const startWorker = jest.spyOn(threadStart, 'startWorker');
  const workers = (): Worker[] => startWorker.mock.results.map((r) => r.value as Worker);

  beforeAll(async () => {
    [threaded, inProcess] = await Promise.all([
      startTestApp({ offerBuildThreads: 1, seedDemo: true }, clock),
      startTestApp({ offerBuildThreads: 0, seedDemo: true }),
    ]);
    for (const [name, t] of [
      ['threaded', threaded],
      ['inProcess', inProcess],
    ] as const) {
      await putBundle(t.http, goldBundle());
      keys[name] = (await createKey(t.http, 'GOLD')).key;
      keys[`${name}Demo`] = (await createKey(t.http, 'DEMO')).key;
    }
  });
  afterAll(async () => {
    await Promise.all([threaded?.close(), inProcess?.close()]);
    startWorker.mockRestore();
  });
  afterEach(() => clock.release());

  it('runs a build thread, and answers exactly what the in-process build answers', async () => {
    expect(threaded.app.get(OfferBuilder).threadCount).toBe(1);
    expect(inProcess.app.get(OfferBuilder).threadCount).toBe(0);
    for (const [code, body] of [
      ['DEMO', DEMO_TRAVEL_REQUEST],
      ['GOLD', goldRequest()],
    ] as const) {
      const key = (name: string) => keys[code === 'DEMO' ? `${name}Demo` : name];
      const a = await createOffer(threaded.http, code, key('threaded'), body, QUERY).expect(200);
      const b = await createOffer(inProcess.http, code, key('inProcess'), body, QUERY).expect(200);
      expect(comparable(a.body)).toEqual(comparable(b.body));
      expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
      // stored as answered: the offer reads back with the same body, and the request as sent
      const stored = await request(threaded.http).get(`/x/partners/${code}/offers/${a.body.id}`).set('x-api-key', key('threaded')).expect(200);
      expect(stored.body).toEqual({ ...a.body, status: 'OFFERED', booking_id: null });
      const [row] = await threaded.app
        .get(DataSource)
        .query<Array<{ request: unknown; response: unknown }>>(
          'SELECT request, response FROM offers WHERE id = $1'.replace('$1', threaded.config.databaseUrl ? '$1' : '?'),
          [a.body.id],
        );
      // the request as received: no schema defaults written into it
      expect(JSON.parse(storedOfferTexts(row).request)).toEqual(body);
    }
    expect(workers()).toHaveLength(1);
  });

  it('errors cross the thread with their status, code and JSON paths; nothing is stored for them', async () => {
    const count = async () => Number((await threaded.app.get(DataSource).query<Array<{ n: number | string }>>('SELECT COUNT(*) AS n FROM offers'))[0].n);
    const stored = await count();
    const invalid = await createOffer(threaded.http, 'GOLD', keys.threaded, INVALID_GOLD_REQUEST);
    expect(invalid.status).toBe(422);
    expect(invalid.body).toEqual(invalidGoldAnswer(invalid.headers['x-request-id']));
    const currency = await createOffer(threaded.http, 'GOLD', keys.threaded, goldRequest({}, { currency: 'XXY' }));
    expect(currency.status).toBe(422);
    expect(currency.body.errors).toEqual({ '/customer/currency': ['must be an ISO 4217 currency code'] });
    const unknown = await createOffer(threaded.http, 'GOLD', keys.threaded, { ...goldRequest(), schema: 'nope:v1' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('offer_validation_schema_not_found');
    expect(await count()).toBe(stored);
  });

  it('a new bundle is in force on the thread when the admin write answers', async () => {
    const bundle = goldBundle();
    const before = await createOffer(threaded.http, 'GOLD', keys.threaded, goldRequest()).expect(200);
    const renamed = JSON.parse(JSON.stringify(bundle).replaceAll(before.body.products[0].name, 'Renamed on the thread'));
    await putBundle(threaded.http, renamed);
    const after = await createOffer(threaded.http, 'GOLD', keys.threaded, goldRequest()).expect(200);
    expect(after.body.products[0].name).toBe('Renamed on the thread');
    await putBundle(threaded.http, bundle);
    expect((await createOffer(threaded.http, 'GOLD', keys.threaded, goldRequest()).expect(200)).body.products[0].name).toBe(before.body.products[0].name);
  });

  it('many concurrent creates: each gets its own offer, all stored', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => createOffer(threaded.http, 'GOLD', keys.threaded, goldRequest({}, {}, { transaction_id: `T-${i}` }))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(40);
    expect(results.map((r) => r.body.partner_transaction_id).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `T-${i}`).sort());
    for (const r of results.slice(0, 5)) {
      await request(threaded.http).get(`/x/partners/GOLD/offers/${r.body.id}`).set('x-api-key', keys.threaded).expect(200);
    }
  });

  it('stores each offer exactly as the in-process build does: offer, quotes and conversion rows', async () => {
    // the thread inserts them itself, on the SQLite file or on PostgreSQL (integration run)
    expect(threaded.app.get(OfferBuilder).storesInThreads).toBe(true);
    const rows = async (t: TestApp, key: string) => {
      const offer = await createOffer(t.http, 'GOLD', key, goldRequest({}, {}, { transaction_id: 'ROWS-1' }), QUERY).expect(200);
      const id = offer.body.id as string;
      return {
        // the request and response as texts (packed on SQLite, together or each alone: compared as documents)
        offers: (await dbQuery(t, 'SELECT * FROM offers WHERE id = $1', [id])).map((row) =>
          comparableRow({ ...row, ...storedOfferTexts(row as { request: unknown; response: unknown }) }),
        ),
        quotes: (await dbQuery(t, 'SELECT * FROM quotes WHERE offer_id = $1 ORDER BY product_code', [id])).map(comparableRow),
        variants: (await dbQuery(t, 'SELECT * FROM offer_variants WHERE offer_id = $1 ORDER BY ordinal', [id])).map(comparableRow),
      };
    };
    const a = await rows(threaded, keys.threaded);
    const b = await rows(inProcess, keys.inProcess);
    expect(a.offers).toHaveLength(1);
    expect(a.quotes.length).toBeGreaterThan(0);
    expect(a.variants.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
    expect(a.offers[0]).toMatchObject({ partner_transaction_id: 'ROWS-1', status: 'OFFERED', booking_id: null });
  });

  it("with an idempotency key: the offer and its key's stored response commit together, on the thread as in process, concurrent keys each once", async () => {
    for (const [t, key] of [
      [threaded, keys.threaded],
      [inProcess, keys.inProcess],
    ] as const) {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          createOffer(t.http, 'GOLD', key, goldRequest({}, {}, { transaction_id: `IDEM-${i}` })).set('x-idempotency-key', `idem-thread-${i}`),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
      for (const [i, r] of results.entries()) {
        const [record] = await dbQuery(t, "SELECT state, response_status, response_body FROM idempotency_records WHERE key = $1 AND route = 'create_offer'", [
          `idem-thread-${i}`,
        ]);
        // the text sent is the text stored, byte for byte, beside the offer it describes
        expect(record).toEqual({ state: 'done', response_status: 200, response_body: r.text });
        const [offer] = await dbQuery(t, 'SELECT response, partner_transaction_id FROM offers WHERE id = $1', [r.body.id as string]);
        expect({ ...offer, response: storedText(offer.response) }).toEqual({ response: r.text, partner_transaction_id: `IDEM-${i}` });
      }
      const again = await createOffer(t.http, 'GOLD', key, goldRequest({}, {}, { transaction_id: 'IDEM-3' }))
        .set('x-idempotency-key', 'idem-thread-3')
        .expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.text).toBe(results[3].text);
    }
  });

  it('confirms (transactions of the event loop) interleaved with creates stored by the thread: all succeed, nothing lost', async () => {
    const offers = await Promise.all(Array.from({ length: 8 }, () => createOffer(threaded.http, 'GOLD', keys.threaded, goldRequest()).expect(200)));
    const confirm = (o: (typeof offers)[number]) =>
      request(threaded.http)
        .post(confirmPath('GOLD', o.body.id))
        .set('x-api-key', keys.threaded)
        .send(confirmBody([o.body.products[0].id]));
    const [creates, confirms] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, (_, i) => createOffer(threaded.http, 'GOLD', keys.threaded, goldRequest({}, {}, { transaction_id: `MIX-${i}` })))),
      Promise.all(offers.map(confirm)),
    ]);
    expect(creates.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(confirms.map((r) => r.status)).toEqual(Array(8).fill(200));
    const ids = creates.map((r) => r.body.id as string);
    const stored = await dbQuery(threaded, `SELECT COUNT(*) AS n FROM offers WHERE id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`, ids);
    expect(Number(stored[0].n)).toBe(40);
    const booked = await dbQuery(
      threaded,
      `SELECT status FROM offers WHERE id IN (${offers.map((_, i) => `$${i + 1}`).join(', ')})`,
      offers.map((o) => o.body.id as string),
    );
    expect(booked.map((r) => r.status)).toEqual(Array(8).fill('CONFIRMED'));
  });

  it('a thread that dies: its requests are built in process, none fails; another thread starts 5 s later', async () => {
    expect(workers()).toHaveLength(1);
    const [worker] = workers();
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    // requests in flight (sent to the thread, not answered) when it ends
    const posted = jest.spyOn(worker, 'postMessage');
    const sent = () => posted.mock.calls.flatMap(([batch]) => batch as ToBuildThread[]).filter((m) => m.t === 'build').length;
    let answered = 0;
    worker.on('message', (replies: FromBuildThread[]) => (answered += replies.filter((m) => m.t !== 'ack' && m.t !== 'closed').length));
    clock.pin(Date.now()); // the restart delay runs from here
    const inFlight = Array.from({ length: 10 }, () => createOffer(threaded.http, 'GOLD', keys.threaded, goldRequest()).then((r) => r));
    await waitFor('builds sent to the thread and not answered yet', () => sent() > answered, 5000, 0);
    await worker.terminate();
    await exited;
    const statuses = (await Promise.all(inFlight)).map((r) => r.status);
    expect(statuses).toEqual(Array(10).fill(200));

    // not restarted at once: the next requests are built (and stored) in process, with the same answers
    const storedHere = jest.spyOn(threaded.app.get(TransactionRunner), 'runStatements');
    try {
      clock.advance(4999);
      expect((await createOffer(threaded.http, 'GOLD', keys.threaded, goldRequest())).status).toBe(200);
      expect(storedHere).toHaveBeenCalledTimes(1);
      expect((await createOffer(threaded.http, 'GOLD', keys.threaded, { ...goldRequest(), schema: 'nope:v1' })).status).toBe(422);
      expect(workers()).toHaveLength(1);

      // once the restart delay has passed on the app's clock, the next request starts a new
      // thread, which gets the configuration with it (and stores the offer itself)
      clock.advance(1);
      const after = await createOffer(threaded.http, 'GOLD', keys.threaded, goldRequest()).expect(200);
      expect(workers()).toHaveLength(2);
      expect(workers()[1]).not.toBe(worker);
      expect(after.body.offer_schema).toBe('gold:v1');
      expect(storedHere).toHaveBeenCalledTimes(1);
    } finally {
      storedHere.mockRestore();
    }
  });
});
