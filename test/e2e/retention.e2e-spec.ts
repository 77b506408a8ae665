/**
 * Retention of offers never bought (RetentionService), driven through the real HTTP app with a
 * pinned clock: what a run deletes (the offer, its quotes, conversion rows, opt-out events and
 * idempotency records), what it keeps (bookings and their offers, offers not yet due), the
 * analytics roll-ups that keep the reports identical, batches, the lease shared by instances,
 * the metrics, and the purge of unapplied booking changes and finished webhook deliveries.
 * Runs on SQLite (npx jest test/e2e/retention) and PostgreSQL (node test/integration/run.js retention).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { dateParam, engineOf } from '@app/database';
import { RetentionService, type RetentionRunResult } from '@app/offers';
import { startTestApp, type TestApp } from '../support/app';
import { ADMIN, confirmBody, confirmPath, createOffer, dbQuery, offerRequest, setupShop, type CreatedOffer } from '../support/booking-fixtures';
import { DAY_MS, HOUR_MS, TestClock } from '../support/test-clock';

const MINUTE_MS = 60_000;
/** the offers of the shop's web and basic configs expire 72 h after their creation */
const TTL_MS = 72 * HOUR_MS;

/** 10:00 UTC yesterday: a fixed point of a whole UTC day, in the past */
function tenYesterday(): number {
  return Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS + 10 * HOUR_MS;
}
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const ids = (list: readonly CreatedOffer[]): string[] => list.map((o) => o.id);

/** SQL of `n` placeholders ($1…), for an IN list */
const placeholders = (n: number, from = 1): string => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');

async function count(t: TestApp, table: string, column: string, ids: readonly string[]): Promise<number> {
  const rows = await dbQuery<{ n: string | number }>(t, `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} IN (${placeholders(ids.length)})`, [...ids]);
  return Number(rows[0].n);
}

async function metric(t: TestApp, line: string): Promise<number> {
  const text = (await request(t.http).get('/metrics').expect(200)).text;
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  if (found === undefined) throw new Error(`no metric ${line} in /metrics`);
  return Number(found.slice(line.length + 1));
}

describe('Retention of offers never bought (e2e)', () => {
  describe('OFFER_RETENTION_SECONDS=60, batches of 3', () => {
    const clock = new TestClock();
    let t: TestApp;
    let key: string;
    let retention: RetentionService;
    const T0 = tenYesterday();
    const P = 'RET';

    // created at T0 - 1 day and T0, all due at the first run (expired 72 h + 60 s before it)
    const due: CreatedOffer[] = [];
    /** due offers created with an idempotency key */
    const keyed: CreatedOffer[] = [];
    let optedOut: CreatedOffer;
    let booked: CreatedOffer;
    let bookedId: string;
    let optedOutThenBooked: CreatedOffer;
    let otherBookingId: string;
    // created at the first run's time: not expired; and one expired 29 s before it (within the 60 s)
    const notDue: CreatedOffer[] = [];
    let recentlyExpired: CreatedOffer;
    let previewId: string;
    let appliedId: string;
    let analyticsPath: string;
    let analyticsBefore: unknown;
    let first: RetentionRunResult;
    let firstRunAt: number;

    const offers = (base: string) => `/x/partners/${P}/offers/${base}`;
    const create = async (o: Parameters<typeof offerRequest>[0] = {}, idempotencyKey?: string): Promise<CreatedOffer> => {
      if (!idempotencyKey) return createOffer(t, P, key, o);
      const res = await request(t.http).post(offers('')).set('X-Api-Key', key).set('X-Idempotency-Key', idempotencyKey).send(offerRequest(o)).expect(200);
      return res.body as CreatedOffer;
    };
    const confirm = async (o: CreatedOffer, idempotencyKey?: string): Promise<string> => {
      const req = request(t.http).post(confirmPath(P, o.id)).set('X-Api-Key', key);
      if (idempotencyKey) req.set('X-Idempotency-Key', idempotencyKey);
      const res = await req.send(confirmBody([o.products[0].id])).expect(200);
      return res.body.id as string;
    };
    const optOut = (o: CreatedOffer) =>
      request(t.http)
        .post(offers(`${o.id}/opt_out/`))
        .set('X-Api-Key', key)
        .send({ reason: 'not now' })
        .expect(204);
    const bookingPath = (id: string, rest: string) => `/x/partners/${P}/bookings/${id}/${rest}`;

    /** a webhook delivery row, finished (or not) at `at` */
    async function delivery(status: 'pending' | 'delivered' | 'failed', at: number): Promise<string> {
      const engine = engineOf(t.app.get(DataSource));
      const id = randomUUID();
      const d = (ms: number) => dateParam(engine, new Date(ms));
      await dbQuery(
        t,
        `INSERT INTO webhook_deliveries (id, endpoint_id, partner_id, event_id, event_type, occurred_at, payload, status, attempts,
                                         next_attempt_at, lease_until, last_status_code, last_error, delivered_at, created_at)
         VALUES ($1, $2, $3, $4, 'booking.created', $5, '{}', $6, 1, $7, NULL, NULL, NULL, $8, $9)`,
        [id, randomUUID(), randomUUID(), randomUUID(), d(at - MINUTE_MS), status, d(at), status === 'delivered' ? d(at) : null, d(at - MINUTE_MS)],
      );
      return id;
    }

    beforeAll(async () => {
      t = await startTestApp({ offerRetentionSeconds: 60, retentionBatchSize: 3, retentionPauseMs: 0, webhookDeliveryRetentionDays: 30 }, clock);
      retention = t.app.get(RetentionService);
      key = await setupShop(t, P);

      clock.pin(T0 - DAY_MS);
      due.push(await create(), await create({ channel: 'basic' }));
      clock.pin(T0);
      for (let i = 0; i < 4; i++) due.push(await create({ value: 50 + i }));
      for (let i = 0; i < 2; i++) {
        const o = await create({ value: 70 + i, currency: 'NZD', country: 'NZ' }, `create-${i}`);
        due.push(o);
        keyed.push(o);
      }
      due.push(await create({ channel: 'basic', value: 80 }));
      optedOut = await create({ value: 90 });
      await optOut(optedOut);
      await optOut(optedOut);
      due.push(optedOut);

      booked = await create({ value: 100 });
      bookedId = await confirm(booked, 'confirm-booked');
      optedOutThenBooked = await create({ value: 110 }, 'create-booked');
      await optOut(optedOutThenBooked);
      otherBookingId = await confirm(optedOutThenBooked);
      // a cancellation preview never confirmed, and one confirmed (the record of a change)
      previewId = (await request(t.http).post(bookingPath(bookedId, 'cancel')).set('X-Api-Key', key).send({ preview: true }).expect(200)).body
        .cancellation_id as string;
      appliedId = (await request(t.http).post(bookingPath(otherBookingId, 'cancel')).set('X-Api-Key', key).send({ preview: true }).expect(200)).body
        .cancellation_id as string;
      await request(t.http)
        .post(bookingPath(otherBookingId, `confirm_cancellation/${appliedId}/`))
        .set('X-Api-Key', key)
        .send({})
        .expect(200);

      firstRunAt = T0 + TTL_MS + 61_000;
      clock.pin(firstRunAt - 30_000);
      recentlyExpired = await create({ channel: 'flash' }); // expires 1 s after its creation
      clock.pin(firstRunAt);
      notDue.push(await create({ value: 120 }), await create({ value: 130 }, 'create-not-due'), booked, optedOutThenBooked, recentlyExpired);

      analyticsPath = `/admin/partners/${P}/analytics?from=${isoDay(T0 - DAY_MS)}&to=${isoDay(T0)}`;
      analyticsBefore = (await request(t.http).get(analyticsPath).set(ADMIN).expect(200)).body;

      await delivery('delivered', firstRunAt - 31 * DAY_MS);
      await delivery('failed', firstRunAt - 31 * DAY_MS);
      await delivery('delivered', firstRunAt - 5 * DAY_MS);
      await delivery('pending', firstRunAt - 60 * DAY_MS);

      first = await retention.runOnce();
    }, 120_000);
    afterAll(async () => {
      clock.release();
      await t?.close();
    });

    it('deletes the offers never bought whose retention has passed, in batches of at most 3', () => {
      expect(due).toHaveLength(10);
      expect(first).toMatchObject({ outcome: 'success', offers: 10, bookingChanges: 1, webhookDeliveries: 2 });
      // offers: 3 + 3 + 3 + 1 (a short batch ends it); booking changes: 1; deliveries: 1
      expect(first.batches).toBe(6);
    });

    it('deletes their quotes, conversion rows, opt-out events and idempotency records with them', async () => {
      expect(await count(t, 'offers', 'id', ids(due))).toBe(0);
      expect(await count(t, 'quotes', 'offer_id', ids(due))).toBe(0);
      expect(await count(t, 'offer_variants', 'offer_id', ids(due))).toBe(0);
      expect(await count(t, 'opt_out_events', 'offer_id', [optedOut.id])).toBe(0);
      expect(await count(t, 'idempotency_records', 'offer_id', ids(keyed))).toBe(0);
      const keys = await dbQuery<{ key: string }>(t, `SELECT key FROM idempotency_records WHERE key IN ($1, $2)`, ['create-0', 'create-1']);
      expect(keys).toEqual([]);
    });

    it('keeps bookings, the offers they were made from, and the offers not yet due, with all that goes with them', async () => {
      const kept = await dbQuery<{ id: string; status: string }>(t, `SELECT id, status FROM offers WHERE id IN (${placeholders(notDue.length)})`, ids(notDue));
      expect(new Map(kept.map((r) => [r.id, r.status]))).toEqual(
        new Map([
          [notDue[0].id, 'OFFERED'],
          [notDue[1].id, 'OFFERED'],
          [booked.id, 'CONFIRMED'],
          [optedOutThenBooked.id, 'CONFIRMED'],
          [recentlyExpired.id, 'OFFERED'],
        ]),
      );
      expect(await count(t, 'quotes', 'offer_id', ids(notDue))).toBe(notDue.reduce((n, o) => n + o.products.length, 0));
      expect(await count(t, 'offer_variants', 'offer_id', ids(notDue))).toBe(5);
      expect(await count(t, 'opt_out_events', 'offer_id', [optedOutThenBooked.id])).toBe(1);
      expect(await count(t, 'bookings', 'id', [bookedId, otherBookingId])).toBe(2);
      const records = await dbQuery<{ key: string; offer_id: string }>(
        t,
        `SELECT key, offer_id FROM idempotency_records WHERE key IN ($1, $2, $3) ORDER BY key`,
        ['confirm-booked', 'create-booked', 'create-not-due'],
      );
      expect(records).toEqual([
        { key: 'confirm-booked', offer_id: booked.id },
        { key: 'create-booked', offer_id: optedOutThenBooked.id },
        { key: 'create-not-due', offer_id: notDue[1].id },
      ]);
      for (const o of notDue)
        await request(t.http)
          .get(offers(`${o.id}/`))
          .set('X-Api-Key', key)
          .expect(200);
      await request(t.http).get(`/x/partners/${P}/bookings/${bookedId}/`).set('X-Api-Key', key).expect(200);
    });

    it('answers 404 offer_not_found for a deleted offer: read, confirm, opt-out', async () => {
      for (const o of [due[0], optedOut, keyed[0]]) {
        const read = await request(t.http)
          .get(offers(`${o.id}/`))
          .set('X-Api-Key', key)
          .expect(404);
        expect(read.body).toMatchObject({ code: 'offer_not_found' });
      }
      expect(
        (
          await request(t.http)
            .post(confirmPath(P, due[1].id))
            .set('X-Api-Key', key)
            .send(confirmBody([due[1].products[0].id]))
            .expect(404)
        ).body.code,
      ).toBe('offer_not_found');
      expect(
        (
          await request(t.http)
            .post(offers(`${due[2].id}/opt_out/`))
            .set('X-Api-Key', key)
            .send({})
            .expect(404)
        ).body.code,
      ).toBe('offer_not_found');
    });

    it('reports the same analytics for an explicit period before and after the purge', async () => {
      const after = (await request(t.http).get(analyticsPath).set(ADMIN).expect(200)).body;
      expect(after).toEqual(analyticsBefore);
      // the period still counts the 8 web offers deleted (1 opted out) besides the 2 booked
      const cover = (after.totals as Array<{ offer_config_id: string; offers: number; opt_outs: number; confirmations: number }>).find(
        (r) => r.offer_config_id === 'shop-cover',
      );
      expect(cover).toMatchObject({ offers: 10, confirmations: 2, opt_outs: 1 });
    });

    it('keeps the counts in daily roll-ups, "no experiment" stored as \'\'', async () => {
      const rows = await dbQuery<{ offer_config_id: string; experiment_key: string; variant: string; offers: number | string; opt_outs: number | string }>(
        t,
        `SELECT offer_config_id, experiment_key, variant, offers, opt_outs FROM offer_rollups ORDER BY offer_config_id, variant`,
      );
      const basic = rows.filter((r) => r.offer_config_id === 'shop-basic');
      // two days: one basic offer each
      expect(basic.map((r) => [r.experiment_key, r.variant, Number(r.offers)])).toEqual([
        ['', '', 1],
        ['', '', 1],
      ]);
      const cover = rows.filter((r) => r.offer_config_id === 'shop-cover');
      expect(cover.every((r) => r.experiment_key === 'price-test')).toBe(true);
      expect(cover.reduce((n, r) => n + Number(r.offers), 0)).toBe(8);
      expect(cover.reduce((n, r) => n + Number(r.opt_outs), 0)).toBe(1);
    });

    it('deletes the booking change never applied and keeps the one applied', async () => {
      const rows = await dbQuery<{ id: string }>(t, `SELECT id FROM booking_changes WHERE id IN ($1, $2)`, [previewId, appliedId]);
      expect(rows.map((r) => r.id)).toEqual([appliedId]);
      const res = await request(t.http)
        .post(bookingPath(bookedId, `confirm_cancellation/${previewId}/`))
        .set('X-Api-Key', key)
        .send({})
        .expect(404);
      expect(res.body.code).toBe('cancellation_not_found');
    });

    it('deletes webhook deliveries finished more than 30 days ago, never pending ones', async () => {
      const rows = await dbQuery<{ status: string }>(t, `SELECT status FROM webhook_deliveries ORDER BY status`);
      expect(rows.map((r) => r.status)).toEqual(['delivered', 'pending']);
    });

    it('a second run deletes nothing and changes no figure', async () => {
      const rollups = await dbQuery(t, `SELECT * FROM offer_rollups ORDER BY partner_id, day, offer_config_id, experiment_key, variant, currency, is_primary`);
      const again = await retention.runOnce();
      expect(again).toMatchObject({ outcome: 'success', offers: 0, bookingChanges: 0, webhookDeliveries: 0, batches: 3 });
      expect(await dbQuery(t, `SELECT * FROM offer_rollups ORDER BY partner_id, day, offer_config_id, experiment_key, variant, currency, is_primary`)).toEqual(
        rollups,
      );
      expect((await request(t.http).get(analyticsPath).set(ADMIN).expect(200)).body).toEqual(analyticsBefore);
    });

    it('shows the runs and what they deleted in /metrics', async () => {
      expect(await metric(t, 'retention_offers_purged_total')).toBe(10);
      expect(await metric(t, 'retention_booking_changes_purged_total')).toBe(1);
      expect(await metric(t, 'retention_webhook_deliveries_purged_total')).toBe(2);
      expect(await metric(t, 'retention_batches_total')).toBe(9);
      expect(await metric(t, 'retention_runs_total{outcome="success"}')).toBe(2);
      expect(await metric(t, 'retention_last_success_timestamp_seconds')).toBe(firstRunAt / 1000);
    });

    it('does nothing while another instance holds the lease, and runs once that lease has run out', async () => {
      clock.pin(firstRunAt + HOUR_MS);
      const later = await create({ value: 140 });
      const runAt = firstRunAt + HOUR_MS + TTL_MS + 61_000;
      clock.pin(runAt);
      // another instance took the lease (ours had run out meanwhile) until 10 minutes from now
      await dbQuery(t, `UPDATE job_leases SET holder = $1, expires_at = $2 WHERE name = $3`, [
        'another-instance',
        dateParam(engineOf(t.app.get(DataSource)), new Date(runAt + 10 * MINUTE_MS)),
        'retention',
      ]);

      const skipped = await retention.runOnce();
      expect(skipped).toMatchObject({ outcome: 'skipped', offers: 0, bookingChanges: 0, webhookDeliveries: 0 });
      expect(await count(t, 'offers', 'id', [later.id])).toBe(1);
      expect(await metric(t, 'retention_runs_total{outcome="skipped"}')).toBe(1);
      expect(await dbQuery(t, `SELECT holder FROM job_leases WHERE name = $1`, ['retention'])).toEqual([{ holder: 'another-instance' }]);

      // that instance died: its lease runs out and this one takes over
      clock.advance(10 * MINUTE_MS + 1000);
      const taken = await retention.runOnce();
      expect(taken.outcome).toBe('success');
      // `later` and the three not due at the first run are due now; only the booked offers are left
      expect(taken.offers).toBe(4);
      expect(await count(t, 'offers', 'id', [later.id, notDue[0].id, notDue[1].id, recentlyExpired.id])).toBe(0);
      expect((await dbQuery<{ id: string }>(t, `SELECT id FROM offers ORDER BY id`)).map((r) => r.id)).toEqual([booked.id, optedOutThenBooked.id].sort());
      const [lease] = await dbQuery<{ holder: string }>(t, `SELECT holder FROM job_leases WHERE name = $1`, ['retention']);
      expect(lease.holder).not.toBe('another-instance');
    });
  });

  describe('shutdown', () => {
    const clock = new TestClock();
    const dir = mkdtempSync(join(tmpdir(), 'offers-retention-'));
    afterAll(() => {
      clock.release();
      rmSync(dir, { recursive: true, force: true });
    });

    it('stops a run after its current batch and gives the lease up: the next instance takes over at once', async () => {
      // one database for both instances (on PostgreSQL too: startTestApp maps the named file to one database)
      const sqlitePath = join(dir, 'shared.sqlite');
      const settings = { sqlitePath, offerRetentionSeconds: 60, retentionBatchSize: 1, retentionPauseMs: 60_000, retentionIntervalS: 3600 };
      const T0 = tenYesterday();
      const first = await startTestApp(settings, clock);
      let second: TestApp | undefined;
      try {
        const key = await setupShop(first, 'RETS');
        clock.pin(T0);
        const created = [await createOffer(first, 'RETS', key), await createOffer(first, 'RETS', key), await createOffer(first, 'RETS', key)];
        clock.pin(T0 + TTL_MS + 61_000);

        const retention = first.app.get(RetentionService);
        const running = retention.runOnce();
        // the first batch (one offer) is done; the run now pauses for a minute before the next
        while (retention.totals().batches < 1) await new Promise((resolve) => setImmediate(resolve));
        const closing = Date.now();
        await first.close();
        expect(Date.now() - closing).toBeLessThan(20_000);
        expect(await running).toMatchObject({ outcome: 'stopped', offers: 1 });

        // the lease (two hours long) was given up: another instance runs at once
        second = await startTestApp({ ...settings, retentionPauseMs: 0 }, clock);
        expect(await second.app.get(RetentionService).runOnce()).toMatchObject({ outcome: 'success', offers: 2 });
        expect(await count(second, 'offers', 'id', ids(created))).toBe(0);
      } finally {
        await second?.close();
      }
    }, 120_000);
  });

  describe('OFFER_RETENTION_DAYS', () => {
    const clock = new TestClock();
    afterEach(() => clock.release());

    it('deletes an offer never bought 30 days after its expiry, not before', async () => {
      const t = await startTestApp({ offerRetentionDays: 30, retentionPauseMs: 0 }, clock);
      try {
        const key = await setupShop(t, 'RETD');
        const T0 = tenYesterday();
        clock.pin(T0);
        const offer = await createOffer(t, 'RETD', key);
        const retention = t.app.get(RetentionService);

        clock.pin(T0 + TTL_MS + 29 * DAY_MS);
        expect(await retention.runOnce()).toMatchObject({ outcome: 'success', offers: 0 });
        await request(t.http).get(`/x/partners/RETD/offers/${offer.id}/`).set('X-Api-Key', key).expect(200);

        clock.pin(T0 + TTL_MS + 30 * DAY_MS + 1000);
        expect(await retention.runOnce()).toMatchObject({ outcome: 'success', offers: 1 });
        expect((await request(t.http).get(`/x/partners/RETD/offers/${offer.id}/`).set('X-Api-Key', key).expect(404)).body.code).toBe('offer_not_found');
      } finally {
        await t.close();
      }
    }, 60_000);

    it('0 keeps every offer, booking change and webhook delivery (with WEBHOOK_DELIVERY_RETENTION_DAYS=0)', async () => {
      const t = await startTestApp({ offerRetentionDays: 0, webhookDeliveryRetentionDays: 0, retentionPauseMs: 0 }, clock);
      try {
        const key = await setupShop(t, 'RETZ');
        const T0 = tenYesterday();
        clock.pin(T0);
        const kept = await createOffer(t, 'RETZ', key);
        const declined = await createOffer(t, 'RETZ', key);
        await request(t.http).post(`/x/partners/RETZ/offers/${declined.id}/opt_out/`).set('X-Api-Key', key).send({}).expect(204);
        const engine = engineOf(t.app.get(DataSource));
        await dbQuery(
          t,
          `INSERT INTO webhook_deliveries (id, endpoint_id, partner_id, event_id, event_type, occurred_at, payload, status, attempts,
                                           next_attempt_at, lease_until, last_status_code, last_error, delivered_at, created_at)
           VALUES ($1, $2, $3, $4, 'booking.created', $5, '{}', 'delivered', 1, $6, NULL, 200, NULL, $7, $8)`,
          [randomUUID(), randomUUID(), randomUUID(), randomUUID(), ...Array.from({ length: 4 }, () => dateParam(engine, new Date(T0)))],
        );

        clock.pin(T0 + 3650 * DAY_MS);
        expect(await t.app.get(RetentionService).runOnce()).toMatchObject({
          outcome: 'success',
          offers: 0,
          bookingChanges: 0,
          webhookDeliveries: 0,
          batches: 0,
        });
        expect(await count(t, 'offers', 'id', [kept.id, declined.id])).toBe(2);
        expect(await count(t, 'quotes', 'offer_id', [kept.id, declined.id])).toBe(kept.products.length + declined.products.length);
        expect(await count(t, 'opt_out_events', 'offer_id', [declined.id])).toBe(1);
        expect(Number((await dbQuery<{ n: string | number }>(t, `SELECT COUNT(*) AS n FROM webhook_deliveries`))[0].n)).toBe(1);
        expect(await dbQuery(t, `SELECT * FROM offer_rollups`)).toEqual([]);
      } finally {
        await t.close();
      }
    }, 60_000);
  });
});
