import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ShutdownState } from '../../apps/api/src/ops/shutdown';
import { WarmUp } from '../../apps/api/src/ops/warm-up';
import { OfferBuilder } from '../../libs/offers/src/offer-builder';
import { startTestApp, TestApp } from '../support/app';
import { ADMIN, createOffer, dbQuery, setupShop } from '../support/booking-fixtures';

/** every table a warm-up must leave as it found it */
const TABLES = [
  'offers',
  'quotes',
  'offer_variants',
  'idempotency_records',
  'bookings',
  'booking_items',
  'opt_out_events',
  'audit_log',
  'api_keys',
  'partners',
];

async function counts(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = Number((await dbQuery<{ n: number }>(t, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  return out;
}

/** Holds every rehearsal until `release` is called, so a test sees the instance while it warms up. */
function holdRehearsals(): { release: () => void; calls: () => number; restore: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const original = OfferBuilder.prototype.rehearse;
  const spy = jest.spyOn(OfferBuilder.prototype, 'rehearse').mockImplementation(async function (this: OfferBuilder, ...args) {
    await gate;
    return original.apply(this, args);
  });
  return { release, calls: () => spy.mock.calls.length, restore: () => spy.mockRestore() };
}

const ready = (t: TestApp) => request(t.http).get('/health/ready');

describe('Warm-up before ready (e2e)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a restarted instance answers 503 warming_up until it has rehearsed its partners’ stored requests, and stores nothing doing so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'offers-warm-up-'));
    dirs.push(dir);
    const sqlitePath = join(dir, 'kept.sqlite');

    // the instance before the restart: a partner, its offers on two configs
    const before = await startTestApp({ sqlitePath });
    let stored: Record<string, number>;
    let metricsBefore: string;
    try {
      const key = await setupShop(before, 'WARM');
      await createOffer(before, 'WARM', key, { channel: 'web' });
      await createOffer(before, 'WARM', key, { channel: 'basic' });
      // one Create Offer a second: a rehearsal counted as partner traffic would be refused (429)
      await request(before.http)
        .patch('/admin/partners/WARM')
        .set(ADMIN)
        .send({ rate_limits: { create: 1, confirm: 1000, other: 1000, test: 1000 } })
        .expect(200);
    } finally {
      await before.close();
    }

    const held = holdRehearsals();
    const t = await startTestApp({ sqlitePath, warmupMaxSeconds: 30 });
    try {
      const warmUp = t.app.get(WarmUp);
      stored = await counts(t);
      metricsBefore = (await request(t.http).get('/metrics').expect(200)).text;
      const warming = await ready(t).expect(503);
      expect(warming.body).toMatchObject({ status: 'warming_up', error: { warm_up: { status: 'down' } } });
      expect(warmUp.done).toBe(false);

      held.release();
      const summary = await warmUp.start();
      // the two stored requests, one per config that has offers (their schema needs no made-up
      // sample), each answered 200: not one was held to the partner's limit of one a second
      expect(summary).toMatchObject({ partners: 1, samples: 2, refused: 0 });
      // every sample on each of at least four rounds
      expect(summary?.rehearsals).toBeGreaterThanOrEqual(2 * 4);
      // (a request refused before the service is not a build)
      expect(held.calls()).toBeGreaterThanOrEqual((summary?.rehearsals ?? 0) - (summary?.refused ?? 0));
      const body = (await ready(t).expect(200)).body;
      expect(body).toMatchObject({ status: 'ok', info: { warm_up: { status: 'up' } } });

      // nothing stored, audited or counted
      expect(await counts(t)).toEqual(stored);
      const metricsAfter = (await request(t.http).get('/metrics').expect(200)).text;
      const partnerLines = (text: string) => text.split('\n').filter((l) => l.startsWith('http_requests_total') && l.includes('/partners/'));
      expect(partnerLines(metricsAfter)).toEqual(partnerLines(metricsBefore));
      const analytics = await request(t.http).get('/admin/partners/WARM/analytics').set(ADMIN).expect(200);
      expect(JSON.stringify(analytics.body)).not.toContain('warm-up');
    } finally {
      held.restore();
      await t.close();
    }
  });

  it('a new instance with only the demo partner rehearses the examples of its schemas', async () => {
    const t = await startTestApp({ seedDemo: true, warmupMaxSeconds: 30 });
    try {
      const summary = await t.app.get(WarmUp).start();
      expect(summary).toMatchObject({ partners: 1, samples: 2, refused: 0, settled: true });
      expect((await counts(t)).offers).toBe(0);
      await ready(t).expect(200);
    } finally {
      await t.close();
    }
  });

  it('a request that reaches the instance while it warms up is still answered', async () => {
    const held = holdRehearsals();
    const t = await startTestApp({ seedDemo: true, warmupMaxSeconds: 30 });
    try {
      await ready(t).expect(503);
      await request(t.http).get('/health/live').expect(200);
      await request(t.http).get('/admin/partners/DEMO').set(ADMIN).expect(200);
    } finally {
      held.release();
      await t.app.get(WarmUp).start();
      held.restore();
      await t.close();
    }
  });

  it('a shutdown signal during the warm-up stops it: no rehearsal starts once the instance drains', async () => {
    const held = holdRehearsals();
    const t = await startTestApp({ seedDemo: true, warmupMaxSeconds: 30 });
    try {
      await ready(t).expect(503);
      t.app.get(ShutdownState).draining = true;
      held.release();
      const summary = await t.app.get(WarmUp).start();
      // only what was in flight when the signal came: one per lane, far from a round of 200
      expect(summary).toMatchObject({ settled: false, refused: 0 });
      expect(summary?.rehearsals).toBeLessThanOrEqual(8);
    } finally {
      held.restore();
      await t.close();
    }
  });

  it('WARMUP_MAX_SECONDS=0 skips it: ready at once, nothing rehearsed', async () => {
    const spy = jest.spyOn(OfferBuilder.prototype, 'rehearse');
    const t = await startTestApp({ seedDemo: true, warmupMaxSeconds: 0 });
    try {
      await ready(t).expect(200);
      expect(await t.app.get(WarmUp).start()).toBeNull();
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      await t.close();
    }
  });
});
