import request from 'supertest';
import { RetentionService } from '@app/offers';
import { startTestApp, TestApp } from '../support/app';
import { ADMIN, confirmBody, confirmPath, createOffer, offerRequest, setupShop } from '../support/booking-fixtures';
import { DAY_MS, HOUR_MS, TestClock } from '../support/test-clock';

interface Product {
  id: string;
  code: string;
  details: { finance: { price: { total_amount: number; total_amount_without_tax: number }; surcharge: { total_amount: number } } };
}
interface Offer {
  id: string;
  offer_config_id: string;
  currency: string;
  products: Product[];
  metadata?: { experiments?: Array<{ key: string; variant: string }> };
}
interface DailyRow {
  date: string;
  offer_config_id: string;
  offers: number;
  confirmations: number;
  opt_outs: number;
  conversion_rate: number;
}
interface Row {
  offer_config_id: string;
  experiment_key?: string | null;
  variant?: string | null;
  offers: number;
  confirmations: number;
  opt_outs: number;
  conversion_rate: number;
  premium_confirmed: Array<{ currency: string; amount: number; amount_minor: number }>;
  cancellations: number;
  refunded: Array<{ currency: string; amount: number; amount_minor: number }>;
  net_premium: Array<{ currency: string; amount: number; amount_minor: number }>;
}

const cents = (x: number): number => Math.round(x * 100);
const cmp = (a: string | null | undefined, b: string | null | undefined): number =>
  (a ?? null) === (b ?? null) ? 0 : a == null ? -1 : b == null ? 1 : a < b ? -1 : 1;

/** The test's own count: what every row should say. */
class Tally {
  readonly groups = new Map<string, { row: Row; premium: Map<string, { minor: number; confirmations: number }> }>();
  add(
    key: Pick<Row, 'offer_config_id' | 'experiment_key' | 'variant'>,
    currency: string,
    state: 'offered' | 'confirmed' | 'opted_out',
    premiumMinor: number,
  ): void {
    const id = JSON.stringify([key.offer_config_id, key.experiment_key ?? null, key.variant ?? null]);
    let g = this.groups.get(id);
    if (!g) {
      g = {
        row: { ...key, offers: 0, confirmations: 0, opt_outs: 0, conversion_rate: 0, premium_confirmed: [], cancellations: 0, refunded: [], net_premium: [] },
        premium: new Map(),
      };
      this.groups.set(id, g);
    }
    g.row.offers++;
    if (state === 'confirmed') {
      g.row.confirmations++;
      const p = g.premium.get(currency) ?? { minor: 0, confirmations: 0 };
      p.minor += premiumMinor;
      p.confirmations++;
      g.premium.set(currency, p);
    }
    if (state === 'opted_out') g.row.opt_outs++;
  }
  rows(): Row[] {
    return [...this.groups.values()]
      .map(({ row, premium }) => {
        const premiumConfirmed = [...premium.entries()]
          .sort(([a], [b]) => cmp(a, b))
          .map(([currency, p]) => ({ currency, amount: p.minor / 100, amount_minor: p.minor }));
        // nothing is cancelled in this suite: nothing refunded, the whole premium kept
        return {
          ...row,
          conversion_rate: Math.round((row.confirmations / row.offers) * 10_000) / 10_000,
          premium_confirmed: premiumConfirmed,
          cancellations: 0,
          refunded: [],
          net_premium: premiumConfirmed,
        };
      })
      .sort((a, b) => cmp(a.offer_config_id, b.offer_config_id) || cmp(a.experiment_key, b.experiment_key) || cmp(a.variant, b.variant));
  }
}

describe('Admin analytics (e2e)', () => {
  let t: TestApp;
  let key: string;
  const byVariant = new Tally();
  const byConfig = new Tally();

  beforeAll(async () => {
    t = await startTestApp();
    key = await setupShop(t, 'ANA');
    // another partner's activity must not show
    const otherKey = await setupShop(t, 'ANB');
    for (let i = 0; i < 5; i++) {
      const o = await createOffer(t, 'ANB', otherKey);
      await request(t.http)
        .post(confirmPath('ANB', o.id))
        .set('X-Api-Key', otherKey)
        .send(confirmBody([o.products[0].id]))
        .expect(200);
    }

    const variantsSeen = new Set<string>();
    for (let i = 0; i < 70; i++) {
      const basic = i >= 60;
      const nz = i % 2 === 1;
      const res = await request(t.http)
        .post('/x/partners/ANA/offers/?extra_fields=surcharge')
        .set('X-Api-Key', key)
        .send(offerRequest({ channel: basic ? 'basic' : 'web', value: 10 + i * 7.31, currency: nz ? 'NZD' : 'AUD', country: nz ? 'NZ' : 'AU' }))
        .expect(200);
      const offer = res.body as Offer;
      const selected = basic ? offer.products : offer.products.filter((p) => p.code === 'PROTECT' || (i % 2 === 0 && p.code === 'SHIP'));
      const optOut = () => request(t.http).post(`/x/partners/ANA/offers/${offer.id}/opt_out/`).set('X-Api-Key', key).send({ i }).expect(204);
      const confirm = () =>
        request(t.http)
          .post(confirmPath('ANA', offer.id))
          .set('X-Api-Key', key)
          .send(confirmBody(selected.map((p) => p.id)))
          .expect(200);
      let state: 'offered' | 'confirmed' | 'opted_out' = 'offered';
      if (i % 3 === 0) {
        await confirm();
        state = 'confirmed';
      } else if (i % 5 === 2) {
        await optOut();
        await confirm();
        state = 'confirmed';
      } else if (i % 4 === 1) {
        await optOut();
        if (i % 8 === 1) await optOut();
        state = 'opted_out';
      }
      const premium =
        state === 'confirmed'
          ? selected.reduce((s, p) => s + cents(p.details.finance.price.total_amount_without_tax) - cents(p.details.finance.surcharge.total_amount), 0)
          : 0;
      const exps = offer.metadata?.experiments ?? [];
      if (exps.length === 0) byVariant.add({ offer_config_id: offer.offer_config_id, experiment_key: null, variant: null }, offer.currency, state, premium);
      for (const e of exps) {
        byVariant.add({ offer_config_id: offer.offer_config_id, experiment_key: e.key, variant: e.variant }, offer.currency, state, premium);
        variantsSeen.add(e.variant);
      }
      byConfig.add({ offer_config_id: offer.offer_config_id }, offer.currency, state, premium);
    }
    // the generated set spans both variants (60 offers at 50/50: all in one is a ~1e-18 event)
    expect([...variantsSeen].sort()).toEqual(['a', 'b']);
  }, 60_000);
  afterAll(async () => t.close());

  it('every row equals the count made by the test: per offer config and experiment variant, and per config', async () => {
    const res = await request(t.http).get('/admin/partners/ANA/analytics').set(ADMIN).expect(200);
    expect(res.body.partner).toBe('ANA');
    expect(res.body.rows).toEqual(byVariant.rows());
    expect(res.body.totals).toEqual(byConfig.rows().map(({ experiment_key: _k, variant: _v, ...r }) => r));
    // sanity of the generated set: three groups (a, b, no experiment), two currencies
    expect(res.body.rows.map((r: Row) => [r.offer_config_id, r.variant])).toEqual([
      ['shop-basic', null],
      ['shop-cover', 'a'],
      ['shop-cover', 'b'],
    ]);
    const cover = res.body.totals.find((r: Row) => r.offer_config_id === 'shop-cover');
    expect(cover.offers).toBe(60);
    expect(cover.premium_confirmed.map((p: { currency: string }) => p.currency)).toEqual(['AUD', 'NZD']);
  });

  it('counts per UTC day and offer config in `daily`: every offer once, adding up to the totals', async () => {
    const res = await request(t.http).get('/admin/partners/ANA/analytics').set(ADMIN).expect(200);
    const daily = res.body.daily as DailyRow[];
    // every offer was made today (or, for a run across midnight UTC, yesterday and today)
    for (const d of daily) {
      expect(d.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Date.now() - Date.parse(`${d.date}T00:00:00Z`)).toBeLessThan(2 * 86_400_000);
      expect(d.conversion_rate).toBe(Math.round((d.confirmations / d.offers) * 10_000) / 10_000);
    }
    const sorted = [...daily].sort((a, b) => cmp(a.date, b.date) || cmp(a.offer_config_id, b.offer_config_id));
    expect(daily).toEqual(sorted);
    for (const total of res.body.totals as Row[]) {
      const days = daily.filter((d) => d.offer_config_id === total.offer_config_id);
      expect(days.length).toBeGreaterThan(0);
      const sum = (f: 'offers' | 'confirmations' | 'opt_outs') => days.reduce((n, d) => n + d[f], 0);
      expect([sum('offers'), sum('confirmations'), sum('opt_outs')]).toEqual([total.offers, total.confirmations, total.opt_outs]);
    }
  });

  it('the window selects offers by creation time: dates are whole UTC days, `to` inclusive', async () => {
    // yesterday..today, so that a run across midnight UTC still covers every offer
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const res = await request(t.http).get(`/admin/partners/ANA/analytics?from=${yesterday}&to=${today}`).set(ADMIN).expect(200);
    expect(res.body.from).toBe(`${yesterday}T00:00:00+00:00`);
    expect(Date.parse(res.body.to)).toBe(Date.parse(`${today}T00:00:00Z`) + 86_400_000);
    expect(res.body.rows).toEqual(byVariant.rows());
    const past = await request(t.http).get('/admin/partners/ANA/analytics?from=2020-01-01&to=2020-01-31').set(ADMIN).expect(200);
    expect(past.body).toEqual({ partner: 'ANA', from: '2020-01-01T00:00:00+00:00', to: '2020-02-01T00:00:00+00:00', rows: [], totals: [], daily: [] });
    const exact = await request(t.http)
      .get('/admin/partners/ANA/analytics')
      .query({ from: '2020-01-01T00:00:00Z', to: new Date(Date.now() + 60_000).toISOString() })
      .set(ADMIN)
      .expect(200);
    expect(exact.body.totals).toEqual(byConfig.rows().map(({ experiment_key: _k, variant: _v, ...r }) => r));
  });

  it('defaults to the last 30 days', async () => {
    const res = await request(t.http).get('/admin/partners/ANA/analytics').set(ADMIN).expect(200);
    const span = Date.parse(res.body.to) - Date.parse(res.body.from);
    expect(span).toBe(30 * 86_400_000);
  });

  it.each([
    ['from not a date', 'from=yesterday', 'from'],
    ['to an impossible date', 'to=2026-02-30', 'to'],
    ['a date-time without a zone', 'from=2026-01-01T00:00:00', 'from'],
    ['from after to', 'from=2026-02-01&to=2026-01-01', 'from'],
    ['an unknown parameter', 'since=2026-01-01', 'since'],
  ])('422 validation_error: %s', async (_name, qs, path) => {
    const res = await request(t.http).get(`/admin/partners/ANA/analytics?${qs}`).set(ADMIN).expect(422);
    expect(res.body).toMatchObject({ type: 'validation_error', code: 'validation_error' });
    expect(Object.keys(res.body.errors)).toContain(path);
  });

  it('404 partner_not_found for an unknown partner; 401 without the admin key; 403 with a partner key', async () => {
    const res = await request(t.http).get('/admin/partners/NOPE/analytics').set(ADMIN).expect(404);
    expect(res.body.code).toBe('partner_not_found');
    await request(t.http).get('/admin/partners/ANA/analytics').expect(401);
    await request(t.http).get('/admin/partners/ANA/analytics').set('X-Admin-Key', key).expect(401);
    await request(t.http).get('/admin/partners/ANA/analytics').set('X-Api-Key', key).expect(403);
  });

  it('is documented in Swagger with its response shape', async () => {
    const doc = await request(t.http).get('/docs-json').expect(200);
    const op = doc.body.paths['/admin/partners/{code}/analytics']?.get;
    expect(op).toBeDefined();
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['code', 'from', 'to']));
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '422']));
    const row = doc.body.components.schemas.AnalyticsVariantRowDto;
    expect(Object.keys(row.properties)).toEqual(
      expect.arrayContaining([
        'offer_config_id',
        'experiment_key',
        'variant',
        'offers',
        'confirmations',
        'opt_outs',
        'conversion_rate',
        'premium_confirmed',
        'cancellations',
        'refunded',
        'net_premium',
      ]),
    );
    const daily = doc.body.components.schemas.AnalyticsDailyRowDto;
    expect(Object.keys(daily.properties)).toEqual(['date', 'offer_config_id', 'offers', 'confirmations', 'opt_outs', 'conversion_rate']);
    expect(doc.body.components.schemas.AnalyticsResponseDto.properties.daily).toMatchObject({ type: 'array' });
  });
});

/*
 * Offers made on different UTC days (the app's clock pinned to each), some of them then deleted
 * by retention: the daily series counts each day the same before and after, from the roll-ups.
 */
describe('Admin analytics per day (e2e)', () => {
  const clock = new TestClock();
  let t: TestApp;
  let key: string;
  /** 10:00 UTC five days ago, then one and three days later */
  const day1 = Math.floor(Date.now() / DAY_MS) * DAY_MS - 5 * DAY_MS + 10 * HOUR_MS;
  const day2 = day1 + DAY_MS;
  const day3 = day1 + 3 * DAY_MS;
  const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  const path = `/admin/partners/AND/analytics?from=${isoDay(day1 - DAY_MS)}&to=${isoDay(day3)}`;
  const expected = (): DailyRow[] => [
    { date: isoDay(day1), offer_config_id: 'shop-basic', offers: 1, confirmations: 0, opt_outs: 0, conversion_rate: 0 },
    { date: isoDay(day1), offer_config_id: 'shop-cover', offers: 3, confirmations: 1, opt_outs: 1, conversion_rate: 0.3333 },
    { date: isoDay(day2), offer_config_id: 'shop-cover', offers: 2, confirmations: 0, opt_outs: 1, conversion_rate: 0 },
    { date: isoDay(day3), offer_config_id: 'shop-cover', offers: 2, confirmations: 1, opt_outs: 0, conversion_rate: 0.5 },
  ];

  beforeAll(async () => {
    t = await startTestApp({ offerRetentionSeconds: 60, retentionPauseMs: 0 }, clock);
    key = await setupShop(t, 'AND');
    const confirm = async (offerId: string, quoteId: string) =>
      request(t.http)
        .post(confirmPath('AND', offerId))
        .set('X-Api-Key', key)
        .send(confirmBody([quoteId]))
        .expect(200);
    const optOut = async (offerId: string) => request(t.http).post(`/x/partners/AND/offers/${offerId}/opt_out/`).set('X-Api-Key', key).send({}).expect(204);

    clock.pin(day1);
    const a = await createOffer(t, 'AND', key);
    await confirm(a.id, a.products[0].id);
    await optOut((await createOffer(t, 'AND', key)).id);
    await createOffer(t, 'AND', key);
    await createOffer(t, 'AND', key, { channel: 'basic' });
    clock.pin(day2 + 13 * HOUR_MS);
    await createOffer(t, 'AND', key);
    await optOut((await createOffer(t, 'AND', key)).id);
    clock.pin(day3 + 2 * HOUR_MS);
    const c = await createOffer(t, 'AND', key);
    await confirm(c.id, c.products[0].id);
    await createOffer(t, 'AND', key);
  }, 60_000);
  afterAll(async () => {
    clock.release();
    await t?.close();
  });

  it('answers one row per UTC day and offer config with offers, sorted by date then config', async () => {
    const res = await request(t.http).get(path).set(ADMIN).expect(200);
    expect(res.body.daily).toEqual(expected());
    // a window of one day: that day only
    const one = await request(t.http)
      .get(`/admin/partners/AND/analytics?from=${isoDay(day2)}&to=${isoDay(day2)}`)
      .set(ADMIN)
      .expect(200);
    expect(one.body.daily).toEqual([expected()[2]]);
  });

  it('keeps the days whose offers retention deleted (from the daily roll-ups)', async () => {
    const before = (await request(t.http).get(path).set(ADMIN).expect(200)).body;
    // the offers of days 1 and 2 never bought are past their expiry (72 h) and the 60 s of retention
    clock.pin(day2 + 13 * HOUR_MS + 72 * HOUR_MS + 5 * 60_000);
    const run = await t.app.get(RetentionService).runOnce();
    expect(run).toMatchObject({ outcome: 'success' });
    expect(run.offers).toBeGreaterThanOrEqual(5);
    const after = (await request(t.http).get(path).set(ADMIN).expect(200)).body;
    expect(after.daily).toEqual(expected());
    expect(after).toEqual(before);
  });
});

/*
 * Needs BookingLifecycleService.cancel: cancels through the partner route, then reads analytics.
 * The shop's products have no `cancellation` block: the defaults apply (cancellable until the
 * policy ends, 14 days of cooling-off), and a booking cancelled at once is refunded in full.
 */
describe('Admin analytics after cancellations (e2e)', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    key = await setupShop(t, 'ANC');
  });
  afterAll(async () => t.close());

  it('counts cancelled quotes, refunds and net premium per variant and per config, after cancels through the partner route', async () => {
    type Money = Map<string, number>;
    interface Expected {
      confirmations: number;
      cancellations: number;
      premium: Money;
      refunded: Money;
      refundedPremium: Money;
    }
    const byVariant = new Map<string, Expected>();
    const total: Expected = { confirmations: 0, cancellations: 0, premium: new Map(), refunded: new Map(), refundedPremium: new Map() };
    const add = (m: Money, currency: string, minor: number) => m.set(currency, (m.get(currency) ?? 0) + minor);
    const groupsOf = (offer: Offer): Expected[] => [
      total,
      ...(offer.metadata?.experiments ?? []).map((e) => {
        const k = `${e.key}/${e.variant}`;
        if (!byVariant.has(k)) byVariant.set(k, { confirmations: 0, cancellations: 0, premium: new Map(), refunded: new Map(), refundedPremium: new Map() });
        return byVariant.get(k) as Expected;
      }),
    ];
    const premiumOf = (p: Product) => cents(p.details.finance.price.total_amount_without_tax) - cents(p.details.finance.surcharge.total_amount);

    // 6 bookings of PROTECT + SHIP in AUD and NZD: 0 and 3 cancelled whole, 1 and 4 their SHIP only, 2 and 5 kept
    for (let i = 0; i < 6; i++) {
      const nz = i >= 3;
      const res = await request(t.http)
        .post('/x/partners/ANC/offers/?extra_fields=surcharge')
        .set('X-Api-Key', key)
        .send(offerRequest({ value: 100 + i * 13.37, currency: nz ? 'NZD' : 'AUD', country: nz ? 'NZ' : 'AU' }))
        .expect(200);
      const offer = res.body as Offer;
      const booked = await request(t.http)
        .post(confirmPath('ANC', offer.id))
        .set('X-Api-Key', key)
        .send(confirmBody(offer.products.map((p) => p.id)))
        .expect(200);
      const groups = groupsOf(offer);
      for (const g of groups) {
        g.confirmations++;
        for (const p of offer.products) add(g.premium, offer.currency, premiumOf(p));
      }
      const cancelled = i % 3 === 0 ? offer.products : i % 3 === 1 ? offer.products.filter((p) => p.code === 'SHIP') : [];
      if (cancelled.length === 0) continue;
      const body = i % 3 === 0 ? {} : { quotes: cancelled.map((p) => ({ id: p.id })), cancellation_reason: 'changed plans' };
      const after = await request(t.http).post(`/xcover/partners/ANC/bookings/${booked.body.id}/cancel/`).set('X-Api-Key', key).send(body).expect(200);
      expect(after.body.status).toBe(i % 3 === 0 ? 'CANCELLED' : 'CONFIRMED');
      for (const g of groups) {
        g.cancellations += cancelled.length;
        for (const p of cancelled) {
          // within the cooling-off period: the whole price back, and with it the whole premium
          add(g.refunded, offer.currency, cents(p.details.finance.price.total_amount));
          add(g.refundedPremium, offer.currency, premiumOf(p));
        }
      }
    }

    const money = (m: Money) =>
      [...m.entries()].sort(([a], [b]) => cmp(a, b)).map(([currency, minor]) => ({ currency, amount: minor / 100, amount_minor: minor }));
    const figures = (e: Expected) => ({
      confirmations: e.confirmations,
      cancellations: e.cancellations,
      premium_confirmed: money(e.premium),
      refunded: money(e.refunded),
      net_premium: money(new Map([...e.premium.entries()].map(([c, minor]) => [c, minor - (e.refundedPremium.get(c) ?? 0)]))),
    });

    const res = await request(t.http).get('/admin/partners/ANC/analytics').set(ADMIN).expect(200);
    expect(res.body.totals).toEqual([expect.objectContaining({ offer_config_id: 'shop-cover', ...figures(total) })]);
    expect(total.cancellations).toBe(6);
    for (const [k, e] of byVariant) {
      const [experiment, variant] = k.split('/');
      const row = res.body.rows.find((r: Row) => r.experiment_key === experiment && r.variant === variant);
      expect(row).toEqual(expect.objectContaining(figures(e)));
    }
  });
});
