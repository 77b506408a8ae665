/**
 * Create Offer golden tests: every response field with exact amounts and
 * formatted strings, on the demo bundle and on a bundle written here.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { DEMO_TRAVEL_REQUEST } from '../../apps/api/src/seed/demo-bundle';
import { startTestApp, type TestApp } from '../support/app';
import { createKey, createOffer, goldBundle, goldRequest, ISO_Z, money, price, putBundle, UUID } from '../support/offer-bundles';

const uuid = expect.stringMatching(UUID);
const HOUR = 3_600_000;

/** expires_at is `now + ttl`, to the second */
function expectExpiry(expiresAt: string, ttlMs: number, before: number, after: number): void {
  expect(expiresAt).toMatch(ISO_Z);
  const t = Date.parse(expiresAt);
  expect(t).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + ttlMs);
  expect(t).toBeLessThanOrEqual(after + ttlMs);
}

describe('Create Offer on the demo bundle (e2e)', () => {
  let t: TestApp;
  let demoKey: string;
  let liveKey: string;

  beforeAll(async () => {
    t = await startTestApp({ seedDemo: true });
    demoKey = readFileSync(t.config.demoKeyPath, 'utf8').trim();
    liveKey = (await createKey(t.http, 'DEMO', 'live')).key;
  });
  afterAll(async () => t.close());

  it('DEMO_TRAVEL_REQUEST with every extra field: the whole response', async () => {
    const before = Date.now();
    const res = await createOffer(t.http, 'DEMO', demoKey, DEMO_TRAVEL_REQUEST, 'extra_fields=tax,surcharge,commission,benefits,experiment,extra_fields');
    const after = Date.now();
    expect(res.status).toBe(200);
    const body = res.body;
    // cust-42 hashes to 0.43 for cancel-price (SHA-256 of "cancel-price:cust-42"): variant a, no override
    // TRAVEL_CANCEL: 2500 × 0.045 = 112.50, tax 10 % (AU) 11.25, total 123.75, commission 30 % 33.75
    // TRAVEL_MEDICAL: (12 + 3.5 × 2) × 1.0 = 19.00, tax 1.90, total 20.90, commission 25 % 4.75
    expect(body).toEqual({
      id: uuid,
      offer_config_id: 'travel-cover',
      offer_schema: 'travel:v1',
      currency: 'AUD',
      expires_at: expect.stringMatching(ISO_Z),
      partner_transaction_id: 'BOOKING-1001',
      products: [
        {
          id: uuid,
          type: 'xcover-product',
          code: 'TRAVEL_CANCEL',
          name: 'Trip cancellation',
          details: {
            finance: {
              price: price(123.75, '$123.75', 112.5, '$112.50'),
              tax: money(11.25, '$11.25'),
              surcharge: money(0, '$0.00'),
              commission: money(33.75, '$33.75'),
            },
            policy_start_date: '2027-02-01T00:00:00+00:00',
            policy_end_date: '2027-02-15T23:59:59+00:00',
            pds_url: 'https://example.com/pds/trip-cancellation.pdf',
            files: [{ name: 'Policy wording', url: 'https://example.com/docs/trip-cancellation.pdf', type: 'pdf' }],
            benefits: [{ description: 'Trip cancellation', limit: 2500, limit_formatted: '$2,500.00' }],
            extra_fields: { cover_type: 'cancellation', trip_cost: 2500 },
            experiment: { key: 'cancel-price', variant: 'a' },
          },
        },
        {
          id: uuid,
          type: 'xcover-product',
          code: 'TRAVEL_MEDICAL',
          name: 'Emergency medical',
          details: {
            finance: {
              price: price(20.9, '$20.90', 19, '$19.00'),
              tax: money(1.9, '$1.90'),
              surcharge: money(0, '$0.00'),
              commission: money(4.75, '$4.75'),
            },
            policy_start_date: '2027-02-01T00:00:00+00:00',
            policy_end_date: '2027-02-15T23:59:59+00:00',
            pds_url: 'https://example.com/pds/emergency-medical.pdf',
            files: [],
            benefits: [
              { description: 'Emergency medical expenses', limit: 1000000, limit_formatted: '$1,000,000.00', excess: 100, excess_formatted: '$100.00' },
              { description: 'Repatriation', limit: 250000, limit_formatted: '$250,000.00' },
            ],
            // named in the query, configures none
            extra_fields: {},
            // the experiment only overrides TRAVEL_CANCEL, so it does not cover this product
          },
        },
      ],
      product_rules: [
        {
          slug: 'main',
          product_ids: [body.products[0].id],
          initial_state: 'show',
          min_select: 0,
          max_select: 1,
          events: [{ on: 'select', product_id: body.products[0].id, target: 'addons', set_state: 'show' }],
        },
        { slug: 'addons', product_ids: [body.products[1].id], initial_state: 'hide', min_select: 0, max_select: 1, events: [] },
      ],
      content: {
        title: 'Protect your trip to JP',
        description: 'Cover for the things that can go wrong before and during your trip.',
        terms_url: 'https://example.com/terms',
        disclaimer: 'Cover is provided by Example Insurance Ltd.',
        products: [
          {
            code: 'TRAVEL_CANCEL',
            title: 'Cancellation cover for $123.75',
            description: 'Get your money back if you have to cancel for a covered reason.',
            benefits: ['Up to $2,500.00 if you cancel'],
            inclusions: ['Illness or injury', 'Redundancy', 'Natural disasters at your destination'],
            exclusions: ['Changing your mind', 'Known pre-existing conditions'],
            extras: ['14-day cooling-off period'],
            disclaimers: [],
          },
          {
            code: 'TRAVEL_MEDICAL',
            title: 'Emergency medical for $20.90',
            description: 'Hospital, doctors and getting you home.',
            benefits: ['Medical expenses up to $1,000,000.00'],
            inclusions: ['Hospital stays', 'Emergency dental'],
            exclusions: ['Elective treatment'],
            extras: [],
            disclaimers: ['Excess of $100.00 per claim'],
          },
        ],
      },
      metadata: { experiments: [{ key: 'cancel-price', variant: 'a' }] },
      errors: {},
    });
    expect(body.products[0].id).not.toBe(body.products[1].id);
    expectExpiry(body.expires_at, 72 * HOUR, before, after);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('no query: price only, no benefits/extra_fields/experiment; fr-CA content falls back to fr; include_content=false drops content', async () => {
    const fr = { ...DEMO_TRAVEL_REQUEST, customer: { ...DEMO_TRAVEL_REQUEST.customer, language: 'fr-CA', country: 'CA' } };
    const res = await createOffer(t.http, 'DEMO', liveKey, fr).expect(200);
    // fr-CA formats AUD as "123,75 $ AU" (no-break spaces); country CA → no AU tax
    expect(res.body.products.map((p: { details: Record<string, unknown> }) => p.details)).toEqual([
      {
        finance: { price: price(112.5, '112,50\u00a0$\u00a0AU', 112.5, '112,50\u00a0$\u00a0AU') },
        policy_start_date: '2027-02-01T00:00:00+00:00',
        policy_end_date: '2027-02-15T23:59:59+00:00',
        pds_url: 'https://example.com/pds/trip-cancellation.pdf',
        files: [{ name: 'Policy wording', url: 'https://example.com/docs/trip-cancellation.pdf', type: 'pdf' }],
      },
      {
        finance: { price: price(19, '19,00\u00a0$\u00a0AU', 19, '19,00\u00a0$\u00a0AU') },
        policy_start_date: '2027-02-01T00:00:00+00:00',
        policy_end_date: '2027-02-15T23:59:59+00:00',
        pds_url: 'https://example.com/pds/emergency-medical.pdf',
        files: [],
      },
    ]);
    expect(res.body.content).toEqual({
      title: 'Protégez votre voyage vers JP',
      description: 'Une couverture pour les imprévus, avant et pendant votre voyage.',
      terms_url: 'https://example.com/fr/conditions',
      disclaimer: 'Couverture fournie par Example Insurance Ltd.',
      products: [
        {
          code: 'TRAVEL_CANCEL',
          title: 'Assurance annulation pour 112,50\u00a0$\u00a0AU',
          description: 'Soyez remboursé si vous devez annuler pour un motif couvert.',
          benefits: ['Jusqu’à 2\u00a0500,00\u00a0$\u00a0AU en cas d’annulation'],
          inclusions: ['Maladie ou accident', 'Licenciement'],
          exclusions: ['Changement d’avis'],
          extras: [],
          disclaimers: [],
        },
        {
          code: 'TRAVEL_MEDICAL',
          title: 'Frais médicaux d’urgence pour 19,00\u00a0$\u00a0AU',
          description: 'Hôpital, médecins et rapatriement.',
          benefits: [],
          inclusions: [],
          exclusions: [],
          extras: [],
          disclaimers: [],
        },
      ],
    });

    const noContent = await createOffer(t.http, 'DEMO', liveKey, DEMO_TRAVEL_REQUEST, 'include_content=false').expect(200);
    expect(noContent.body).not.toHaveProperty('content');
    expect(Object.keys(noContent.body)).toEqual([
      'id',
      'offer_config_id',
      'offer_schema',
      'currency',
      'expires_at',
      'partner_transaction_id',
      'products',
      'product_rules',
      'metadata',
      'errors',
    ]);
  });

  it('the parcel schema: 1299 × 0.015 = 19.485 → 19.49 (shortest round-trip text, half-up)', async () => {
    const res = await createOffer(t.http, 'DEMO', liveKey, {
      schema: 'parcel:v1',
      customer: { language: 'en', currency: 'AUD', country: 'AU' },
      context: { carrier: 'AusPost', declared_value: 1299, ship_date: '2027-01-10', destination_country: 'AU' },
    }).expect(200);
    expect(res.body.offer_config_id).toBe('parcel-protect');
    expect(res.body.products).toEqual([
      {
        id: uuid,
        type: 'xcover-product',
        code: 'PARCEL_LOSS',
        name: 'Parcel protection',
        details: {
          finance: { price: price(19.49, '$19.49', 19.49, '$19.49') },
          policy_start_date: '2027-01-10T00:00:00+00:00',
          policy_end_date: '2027-02-09T00:00:00+00:00',
          pds_url: 'https://example.com/pds/parcel.pdf',
          files: [],
        },
      },
    ]);
    expect(res.body).not.toHaveProperty('product_rules');
    expect(res.body).not.toHaveProperty('metadata');
    expect(res.body.content).toEqual({
      title: 'Protect your parcel',
      description: 'Refund or reship if it is lost, stolen or damaged.',
      terms_url: 'https://example.com/terms',
      products: [{ code: 'PARCEL_LOSS', title: 'Parcel protection for $19.49', benefits: [], inclusions: [], exclusions: [], extras: [], disclaimers: [] }],
    });
  });
});

describe('Create Offer on a bundle written in the test (e2e)', () => {
  let t: TestApp;
  let key: string;
  const create = (body: unknown, query = '') => createOffer(t.http, 'GOLD', key, body, query);
  const finance = (res: request.Response, i = 0) => res.body.products[i].details.finance;

  beforeAll(async () => {
    t = await startTestApp();
    await putBundle(t.http, goldBundle('GOLD'));
    key = (await createKey(t.http, 'GOLD', 'live')).key;
  });
  afterAll(async () => t.close());

  it('premium 50, tax 10 %: total 55.00, the whole response', async () => {
    const before = Date.now();
    const res = await create(goldRequest({ premium: 50, tax_rate: 0.1 }));
    const after = Date.now();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: uuid,
      offer_config_id: 'gold-main',
      offer_schema: 'gold:v1',
      currency: 'AUD',
      expires_at: expect.stringMatching(ISO_Z),
      partner_transaction_id: null,
      products: [
        {
          id: uuid,
          type: 'xcover-product',
          code: 'MAIN',
          name: 'Main cover',
          details: {
            finance: { price: price(55, '$55.00', 50, '$50.00') },
            policy_start_date: '2027-03-01T00:00:00+00:00',
            policy_end_date: '2027-03-10T23:59:59+00:00',
            pds_url: 'https://example.com/pds/main.pdf',
            files: [{ name: 'Policy wording', url: 'https://example.com/main.pdf', type: 'pdf' }],
          },
        },
        {
          id: uuid,
          type: 'xcover-product',
          code: 'ADDON',
          name: 'Add-on',
          details: {
            finance: { price: price(10, '$10.00', 10, '$10.00') },
            // no policy.start: now; no policy.end: open-ended
            policy_start_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+00:00$/),
            policy_end_date: null,
            pds_url: null,
            files: [],
          },
        },
      ],
      errors: {},
    });
    // no product_rules, content or experiments configured → none of those keys
    expect(Object.keys(res.body)).toEqual(['id', 'offer_config_id', 'offer_schema', 'currency', 'expires_at', 'partner_transaction_id', 'products', 'errors']);
    expectExpiry(res.body.expires_at, 72 * HOUR, before, after);
    const start = Date.parse(res.body.products[1].details.policy_start_date);
    expect(start).toBeGreaterThanOrEqual(before - 1000);
    expect(start).toBeLessThanOrEqual(after + 1000);
  });

  it('the worked example: 16.92 + 10 % tax = 18.61, commission 30 % = 5.08, formatted A$ for an en-US customer', async () => {
    const res = await create(
      goldRequest({ premium: 16.92, tax_rate: 0.1, commission_rate: 0.3 }, { language: 'en', country: 'US' }, { transaction_id: 'T-1' }),
      'extra_fields=tax,surcharge,commission,benefits,experiment,risk',
    ).expect(200);
    expect(res.body.partner_transaction_id).toBe('T-1');
    expect(res.body.products[0].details).toEqual({
      finance: {
        price: price(18.61, 'A$18.61', 16.92, 'A$16.92'),
        tax: money(1.69, 'A$1.69'),
        surcharge: money(0, 'A$0.00'),
        commission: money(5.08, 'A$5.08'),
      },
      policy_start_date: '2027-03-01T00:00:00+00:00',
      policy_end_date: '2027-03-10T23:59:59+00:00',
      pds_url: 'https://example.com/pds/main.pdf',
      files: [{ name: 'Policy wording', url: 'https://example.com/main.pdf', type: 'pdf' }],
      benefits: [
        { description: 'Cancellation', limit: 5000, limit_formatted: 'A$5,000.00', excess: 100, excess_formatted: 'A$100.00' },
        { description: 'Baggage' },
      ],
      // only the configured field named in the query; no experiment configured → no `experiment`
      extra_fields: { risk: 'low' },
    });
    expect(res.body.products[1].details).toEqual({
      finance: {
        price: price(10, 'A$10.00', 10, 'A$10.00'),
        tax: money(0, 'A$0.00'),
        surcharge: money(0, 'A$0.00'),
        commission: money(0, 'A$0.00'),
      },
      policy_start_date: expect.any(String),
      policy_end_date: null,
      pds_url: null,
      files: [],
      benefits: [],
    });
  });

  it('surcharge is taxed: (40 + 2.50) × 8 % = 3.40, total 45.90', async () => {
    const res = await create(
      goldRequest({ premium: 40, surcharge: 2.5, tax_rate: 0.08, commission_rate: 0.125 }),
      'extra_fields=tax,surcharge,commission',
    ).expect(200);
    expect(finance(res)).toEqual({
      price: price(45.9, '$45.90', 42.5, '$42.50'),
      tax: money(3.4, '$3.40'),
      surcharge: money(2.5, '$2.50'),
      // 40 × 0.125 = 5.00 (commission on the premium only)
      commission: money(5, '$5.00'),
    });
  });

  it.each([
    ['tax', ['finance.tax']],
    ['surcharge', ['finance.surcharge']],
    ['commission', ['finance.commission']],
    ['benefits', ['benefits']],
    ['experiment', []], // no experiment in this config: nothing to show
    ['risk', ['extra_fields']],
    ['doubled', ['extra_fields']],
    ['extra_fields', ['extra_fields']],
    ['unknown_name', []],
  ])('extra_fields=%s shows exactly %j', async (field, shown) => {
    const res = await create(goldRequest({ premium: 50, tax_rate: 0.1 }), `extra_fields=${field}`).expect(200);
    const details = res.body.products[0].details;
    const keys = [
      ...Object.keys(details.finance)
        .filter((k) => k !== 'price')
        .map((k) => `finance.${k}`),
      ...Object.keys(details).filter((k) => !['finance', 'policy_start_date', 'policy_end_date', 'pds_url', 'files'].includes(k)),
    ];
    expect(keys.sort()).toEqual([...shown].sort());
    if (field === 'risk') expect(details.extra_fields).toEqual({ risk: 'low' });
    if (field === 'doubled') expect(details.extra_fields).toEqual({ doubled: 100 });
    if (field === 'extra_fields') expect(details.extra_fields).toEqual({ risk: 'low', doubled: 100 });
  });

  it('JPY has no minor unit: 1234.5 → ¥1,235, tax 123.5 → ¥124, total ¥1,359', async () => {
    const res = await create(
      goldRequest({ premium: 1234.5, tax_rate: 0.1, commission_rate: 0.3 }, { currency: 'JPY', country: 'JP' }),
      'extra_fields=tax,commission',
    ).expect(200);
    expect(res.body.currency).toBe('JPY');
    expect(finance(res)).toEqual({
      price: price(1359, '¥1,359', 1235, '¥1,235'),
      tax: money(124, '¥124'),
      // 1235 × 0.3 = 370.5 → 371
      commission: money(371, '¥371'),
    });
  });

  it('KWD has 3 decimals: 12.3456 → 12.346, tax 1.235, total 13.581', async () => {
    const res = await create(
      goldRequest({ premium: 12.3456, tax_rate: 0.1, commission_rate: 0.3 }, { currency: 'KWD', country: 'KW' }),
      'extra_fields=tax,commission',
    ).expect(200);
    expect(finance(res)).toEqual({
      price: price(13.581, 'KWD\u00a013.581', 12.346, 'KWD\u00a012.346'),
      tax: money(1.235, 'KWD\u00a01.235'),
      // 12.346 × 0.3 = 3.7038 → 3.704
      commission: money(3.704, 'KWD\u00a03.704'),
    });
  });

  it('binary-float inputs: 0.1 + 0.2 → 0.30; 0.125 → 0.13 (half-up); 1299 × 0.015 → 19.49', async () => {
    const r1 = await create(goldRequest({ kind: 'arith', a: 0.1, b: 0.2 }), 'extra_fields=tax').expect(200);
    expect(r1.body.offer_config_id).toBe('gold-arith');
    expect(r1.body.products.map((p: { code: string; details: { finance: unknown } }) => [p.code, p.details.finance])).toEqual([
      ['SUM', { price: price(0.33, '$0.33', 0.3, '$0.30'), tax: money(0.03, '$0.03') }],
      // 0.1 × 0.015 = 0.0015 → 0.00: a zero premium is a valid quote
      ['RATE', { price: price(0, '$0.00', 0, '$0.00'), tax: money(0, '$0.00') }],
    ]);

    const r2 = await create(goldRequest({ kind: 'arith', a: 0.125, b: 0 }), 'extra_fields=tax').expect(200);
    // 0.125 → 0.13, tax 0.013 → 0.01
    expect(finance(r2, 0)).toEqual({ price: price(0.14, '$0.14', 0.13, '$0.13'), tax: money(0.01, '$0.01') });

    const r3 = await create(goldRequest({ kind: 'arith', a: 1299, b: 0 })).expect(200);
    expect(finance(r3, 0)).toEqual({ price: price(1428.9, '$1,428.90', 1299, '$1,299.00') });
    expect(finance(r3, 1)).toEqual({ price: price(19.49, '$19.49', 19.49, '$19.49') });
  });

  it('min/max premium clamp: 1 → 5.00, 5000 → 2000.00', async () => {
    const low = await create(goldRequest({ premium: 1 })).expect(200);
    expect(finance(low).price).toEqual(price(5, '$5.00', 5, '$5.00'));
    const high = await create(goldRequest({ premium: 5000, tax_rate: 0.1 })).expect(200);
    expect(finance(high).price).toEqual(price(2200, '$2,200.00', 2000, '$2,000.00'));
  });

  it('product_rules and content when configured; content in the customer language, fr-CA → fr, unknown → default en', async () => {
    const res = await create(goldRequest({ kind: 'rich', premium: 50, tax_rate: 0.1, destination: 'Tokyo' })).expect(200);
    const [main, addon] = res.body.products;
    expect(res.body.offer_config_id).toBe('gold-rich');
    expect(res.body.product_rules).toEqual([
      {
        slug: 'main',
        product_ids: [main.id],
        initial_state: 'show',
        min_select: 1,
        max_select: 1,
        events: [{ on: 'select', product_id: main.id, target: 'extras', set_state: 'show' }],
      },
      { slug: 'extras', product_ids: [addon.id], initial_state: 'hide', min_select: 0, max_select: 1, events: [] },
    ]);
    expect(res.body.content).toEqual({
      title: 'Cover for Tokyo',
      description: 'English description',
      terms_url: 'https://example.com/terms',
      disclaimer: 'Disclaimer',
      products: [
        {
          code: 'MAIN',
          title: 'Main for $55.00',
          description: 'Main product',
          benefits: ['Up to $5,000.00'],
          inclusions: ['Inc'],
          exclusions: ['Exc'],
          extras: ['Extra'],
          disclaimers: ['Disc'],
        },
        { code: 'ADDON', benefits: [], inclusions: [], exclusions: [], extras: [], disclaimers: [] },
      ],
    });
    expect(res.body).not.toHaveProperty('metadata');
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeGreaterThan(2 * HOUR - 10_000);
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeLessThanOrEqual(2 * HOUR);

    const fr = await create(goldRequest({ kind: 'rich', premium: 50, tax_rate: 0.1, destination: 'Tokyo' }, { language: 'fr-CA', country: 'CA' })).expect(200);
    expect(fr.body.content).toEqual({
      title: 'Couverture pour Tokyo',
      description: 'Description française',
      terms_url: 'https://example.com/fr/conditions',
      disclaimer: 'Avertissement',
      products: [
        { code: 'MAIN', title: 'Principal pour 55,00\u00a0$\u00a0AU', benefits: [], inclusions: [], exclusions: [], extras: [], disclaimers: [] },
        { code: 'ADDON', benefits: [], inclusions: [], exclusions: [], extras: [], disclaimers: [] },
      ],
    });

    const de = await create(goldRequest({ kind: 'rich', premium: 50, destination: 'Wien' }, { language: 'de', country: 'AT' })).expect(200);
    expect(de.body.content.title).toBe('Cover for Wien');
    // the default language's text, formatted for the customer's locale (de-AT)
    expect(de.body.content.products[0].title).toBe('Main for AU$\u00a050,00');

    const none = await create(goldRequest({ kind: 'rich', premium: 50, destination: 'Tokyo' }), 'include_content=false').expect(200);
    expect(none.body).not.toHaveProperty('content');
    expect(none.body.product_rules).toHaveLength(2);
  });

  it('one product failing (its `when` false) is reported in errors, the other is offered; its rule group is dropped', async () => {
    const res = await create(goldRequest({ kind: 'rich', premium: 50, flag: false, destination: 'Oslo' })).expect(200);
    expect(res.body.products.map((p: { code: string }) => p.code)).toEqual(['MAIN']);
    expect(res.body.errors).toEqual({
      ADDON: { code: 'offer_quote_pricing_error', message: expect.stringMatching(/^when: .*context\.flag/) },
    });
    // the extras group lost its only product: dropped, and the event aimed at it too
    expect(res.body.product_rules).toEqual([
      { slug: 'main', product_ids: [res.body.products[0].id], initial_state: 'show', min_select: 1, max_select: 1, events: [] },
    ]);
    expect(res.body.content.products.map((p: { code: string }) => p.code)).toEqual(['MAIN']);
  });

  it('a negative premium fails that product only, naming the field', async () => {
    const res = await create(goldRequest({ premium: -5 })).expect(200);
    expect(res.body.products.map((p: { code: string }) => p.code)).toEqual(['ADDON']);
    expect(res.body.errors).toEqual({
      MAIN: { code: 'offer_quote_pricing_error', message: 'pricing.premium: must be a non-negative number, got -5' },
    });
  });
});
