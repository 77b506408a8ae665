/**
 * The hot-path SQL of confirm and of idempotency keys (bookings.sql.ts, idempotency.sql.ts) on
 * PostgreSQL, on the schema the migrations build: the confirm is one statement, all or nothing
 * (a refused guard writes nothing, a unique violation fails it whole with its SQLSTATE, one
 * confirm wins a race); the reads of one turn of the event loop go as one query, each key
 * answered its row or null, by the unique index; the statements are named, prepared once per
 * connection, and not at all with PG_NAMED_STATEMENTS=false. PostgreSQL only (integration run);
 * the routes' own behaviour on PostgreSQL is covered by the confirm, opt-out, bookings,
 * idempotency-confirm, crash-confirm and two-instances suites of the same run.
 */
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { ALL_ENTITIES } from '../../apps/api/src/entities';
import { buildDataSourceOptions, isRowNotChanged, RowNotChangedError } from '@app/database';
import { newId } from '@app/core';
import { BookingsRepository, type Confirmation } from '../../libs/offers/src/bookings/bookings.repository';
import { CONFIRM_OFFER, OFFERS_FOR_BOOKING } from '../../libs/offers/src/bookings/bookings.sql';
import { IdempotencyRecordEntity } from '../../libs/offers/src/entities/idempotency-record.entity';
import { OfferEntity } from '../../libs/offers/src/entities/offer.entity';
import { IdempotencyRepository, type IdempotencyScope } from '../../libs/offers/src/idempotency.repository';
import { IDEMPOTENCY_RECORDS } from '../../libs/offers/src/idempotency.sql';
import { createPgDatabase } from '../support/app';
import { pgOnly } from '../support/pg-only';

jest.setTimeout(60_000);

const { adminUrl, describePg } = pgOnly('test/integration/pg-hot-statements.spec');

const NOW = new Date('2026-12-03T07:00:00.123Z');
const LATER = new Date('2026-12-06T07:00:00.000Z');
const EARLIER = new Date('2026-12-01T07:00:00.000Z');
const POLICY_START = new Date('2027-01-01T00:00:00.000Z');
const POLICY_END = new Date('2027-12-31T23:59:59.000Z');

type Row = Record<string, unknown>;

describePg('hot-path SQL on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  let bookings: BookingsRepository;
  let idempotency: IdempotencyRepository;
  const partnerId = newId();
  const apiKeyId = newId();

  const options = (pgNamedStatements = true): PostgresConnectionOptions =>
    buildDataSourceOptions({ databaseUrl: db.url, sqlitePath: '', sqliteSynchronous: 'FULL', pgNamedStatements }, ALL_ENTITIES) as PostgresConnectionOptions;

  beforeAll(async () => {
    db = await createPgDatabase(adminUrl as string);
    const o = options();
    // one connection: the statements it prepared are the ones pg_prepared_statements shows
    ds = new DataSource({ ...o, migrationsRun: true, extra: { ...(o.extra as object), max: 1 } });
    await ds.initialize();
    bookings = new BookingsRepository(ds.getRepository(OfferEntity));
    idempotency = new IdempotencyRepository(ds.getRepository(IdempotencyRecordEntity));
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const rows = async (sql: string, params: unknown[] = []): Promise<Row[]> => await ds.query<Row[]>(sql, params);

  /** an offer with two quotes and its analytics row, as Create Offer stores them */
  async function seedOffer(o: { expiresAt?: Date; partner?: string } = {}): Promise<{ offerId: string; quoteIds: [string, string] }> {
    const offerId = newId();
    const partner = o.partner ?? partnerId;
    await ds.query(
      `INSERT INTO offers (id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency, partner_transaction_id,
                           experiments, request, response, status, booking_id, expires_at, created_at, updated_at)
       VALUES ($1, $2, 'cfg', 1, 'shop:v1', $3, 'live', 'AUD', 'tx-1', '[]', $4, $5, 'OFFERED', NULL, $6, $7, $7)`,
      [
        offerId,
        partner,
        apiKeyId,
        JSON.stringify({ customer: { language: 'en' } }),
        JSON.stringify({ id: offerId, product_rules: [] }),
        o.expiresAt ?? LATER,
        EARLIER,
      ],
    );
    const quoteIds: [string, string] = [newId(), newId()];
    for (const [i, quoteId] of quoteIds.entries()) {
      await ds.query(
        `INSERT INTO quotes (id, offer_id, partner_id, product_code, product_name, currency, premium_minor, surcharge_minor, tax_minor,
                             commission_minor, price_minor, policy_start, policy_end, pds_url, experiment, status, created_at)
         VALUES ($1, $2, $3, $4, $5, 'AUD', $6, 0, 100, 200, $7, $8, $9, NULL, NULL, 'OFFERED', $10)`,
        [quoteId, offerId, partner, `P${i}`, `Product ${i}`, 1000 + i, 1100 + i, POLICY_START, i === 0 ? POLICY_END : null, EARLIER],
      );
    }
    await ds.query(
      `INSERT INTO offer_variants (id, offer_id, partner_id, offer_config_id, experiment_key, variant, ordinal, currency, status, premium_minor, created_at)
       VALUES ($1, $2, $3, 'cfg', NULL, NULL, 0, 'AUD', 'OFFERED', 0, $4)`,
      [newId(), offerId, partner, EARLIER],
    );
    return { offerId, quoteIds };
  }

  let bookingNumber = 0;
  const nextBookingId = (): string => `BK${String(++bookingNumber).padStart(8, '0')}-INS`;

  /** a confirm of the offer's first quote (or of `quoteIds`), as BookingsService builds it */
  function confirmation(offerId: string, quoteIds: string[], o: { bookingId?: string; policyNumber?: string; partner?: string } = {}): Confirmation {
    const bookingId = o.bookingId ?? nextBookingId();
    const partner = o.partner ?? partnerId;
    const items = quoteIds.map((quoteId, i) => ({
      id: newId(),
      bookingId,
      offerId,
      quoteId,
      partnerId: partner,
      productCode: `P${i}`,
      policyNumber: o.policyNumber ?? `${bookingId}-${i + 1}`,
      currency: 'AUD',
      premiumMinor: 1000 + i,
      taxMinor: 100,
      priceMinor: 1100 + i,
      policyStart: POLICY_START,
      policyEnd: i === 0 ? POLICY_END : null,
      insured: [{ first_name: 'Ann', last_name: `Lee ${i}` }],
      createdAt: NOW,
    }));
    const premiumMinor = items.reduce((sum, i) => sum + i.premiumMinor, 0);
    return {
      partnerId: partner,
      offerId,
      now: NOW,
      eventId: randomUUID(),
      booking: {
        id: bookingId,
        offerId,
        partnerId: partner,
        apiKeyId,
        offerConfigId: 'cfg',
        status: 'CONFIRMED',
        currency: 'AUD',
        totalPriceMinor: items.reduce((sum, i) => sum + i.priceMinor, 0),
        totalTaxMinor: 100 * items.length,
        totalPremiumMinor: premiumMinor,
        partnerTransactionId: 'tx-2',
        policyholder: { first_name: 'Ann', last_name: 'Lee', country: 'AU' },
        response: { id: bookingId, status: 'CONFIRMED', offer_id: offerId } as unknown as Confirmation['booking']['response'],
        createdAt: NOW,
      },
      items,
      quoteIds,
      premiumMinor,
    };
  }

  /** what a confirm may have written about the offer */
  async function written(offerId: string): Promise<Row> {
    const [offer] = await rows('SELECT status, booking_id, updated_at FROM offers WHERE id = $1', [offerId]);
    return {
      offer,
      bookings: await rows('SELECT id FROM bookings WHERE offer_id = $1', [offerId]),
      items: await rows('SELECT quote_id FROM booking_items WHERE offer_id = $1', [offerId]),
      quotes: (await rows('SELECT status FROM quotes WHERE offer_id = $1 ORDER BY product_code', [offerId])).map((q) => q.status),
      variants: await rows('SELECT status, premium_minor FROM offer_variants WHERE offer_id = $1', [offerId]),
    };
  }

  /** `written` of a seeded offer no confirm has changed */
  const UNTOUCHED = {
    offer: { status: 'OFFERED', booking_id: null, updated_at: EARLIER },
    bookings: [],
    items: [],
    quotes: ['OFFERED', 'OFFERED'],
    variants: [{ status: 'OFFERED', premium_minor: 0 }],
  };

  /** the pool checkouts of the DataSource (TypeORM's PostgresDriver.obtainMasterConnection) */
  const checkouts = () => {
    if (!(ds.driver instanceof PostgresDriver)) throw new Error('not on PostgreSQL');
    return jest.spyOn(ds.driver, 'obtainMasterConnection');
  };

  describe('confirm (CONFIRM_OFFER): one statement, all or nothing', () => {
    it('outside a transaction: one statement, its own transaction; the offer, the booking, its items, the chosen quotes and the analytics rows', async () => {
      const { offerId, quoteIds } = await seedOffer();
      const c = confirmation(offerId, [quoteIds[0]]);
      const spy = checkouts();
      try {
        await bookings.confirmOffer(c);
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
      expect(await written(offerId)).toEqual({
        offer: { status: 'CONFIRMED', booking_id: c.booking.id, updated_at: NOW },
        bookings: [{ id: c.booking.id }],
        items: [{ quote_id: quoteIds[0] }],
        quotes: ['CONFIRMED', 'OFFERED'],
        variants: [{ status: 'CONFIRMED', premium_minor: 1000 }],
      });
      expect(await rows('SELECT * FROM bookings WHERE id = $1', [c.booking.id])).toEqual([
        {
          id: c.booking.id,
          offer_id: offerId,
          partner_id: partnerId,
          api_key_id: apiKeyId,
          offer_config_id: 'cfg',
          status: 'CONFIRMED',
          currency: 'AUD',
          total_price_minor: 1100,
          total_tax_minor: 100,
          total_premium_minor: 1000,
          partner_transaction_id: 'tx-2',
          policyholder: JSON.stringify(c.booking.policyholder),
          response: JSON.stringify(c.booking.response),
          created_at: NOW,
          updated_at: NOW,
          version: 1,
          total_refund_minor: 0,
          context: null,
          cancelled_at: null,
          // the lookup key of the policyholder's e-mail (@app/privacy): this one has none
          email_key: null,
        },
      ]);
      expect(
        await rows('SELECT id, version, type, at, actor, idempotency_key, before, after FROM booking_events WHERE booking_id = $1', [c.booking.id]),
      ).toEqual([
        {
          id: c.eventId,
          version: 1,
          type: 'booking.created',
          at: NOW,
          actor: JSON.stringify({ api_key_id: apiKeyId }),
          idempotency_key: null,
          before: null,
          after: JSON.stringify(c.booking.response),
        },
      ]);
      const [item] = c.items;
      expect(await rows('SELECT * FROM booking_items WHERE booking_id = $1', [c.booking.id])).toEqual([
        {
          id: item.id,
          booking_id: c.booking.id,
          offer_id: offerId,
          quote_id: quoteIds[0],
          partner_id: partnerId,
          product_code: 'P0',
          policy_number: item.policyNumber,
          currency: 'AUD',
          premium_minor: 1000,
          tax_minor: 100,
          price_minor: 1100,
          policy_start: POLICY_START,
          policy_end: POLICY_END,
          insured: JSON.stringify(item.insured),
          created_at: NOW,
          status: 'CONFIRMED',
          cancelled_at: null,
          refund_minor: null,
        },
      ]);
      expect(await bookings.findBooking(partnerId, c.booking.id)).toEqual(c.booking.response);
      expect(await bookings.findBooking(newId(), c.booking.id)).toBeNull();
    });

    it('several items, a null policy end among them: one row per item, pairwise from the arrays', async () => {
      const { offerId, quoteIds } = await seedOffer();
      const c = confirmation(offerId, quoteIds);
      await bookings.confirmOffer(c);
      const items = await rows(
        'SELECT id, quote_id, policy_number, premium_minor, policy_end, insured FROM booking_items WHERE offer_id = $1 ORDER BY product_code',
        [offerId],
      );
      expect(items).toEqual(
        c.items.map((i) => ({
          id: i.id,
          quote_id: i.quoteId,
          policy_number: i.policyNumber,
          premium_minor: i.premiumMinor,
          policy_end: i.policyEnd,
          insured: JSON.stringify(i.insured),
        })),
      );
      expect((await written(offerId)).quotes).toEqual(['CONFIRMED', 'CONFIRMED']);
      expect((await written(offerId)).variants).toEqual([{ status: 'CONFIRMED', premium_minor: 2001 }]);
    });

    it('the guard matching no row (confirmed, expired, another partner, unknown): RowNotChangedError, nothing written', async () => {
      const expired = await seedOffer({ expiresAt: EARLIER });
      const live = await seedOffer();
      const confirmed = await seedOffer();
      await bookings.confirmOffer(confirmation(confirmed.offerId, [confirmed.quoteIds[0]]));
      const before = await written(confirmed.offerId);

      for (const c of [
        confirmation(expired.offerId, [expired.quoteIds[0]]),
        confirmation(live.offerId, [live.quoteIds[0]], { partner: newId() }),
        confirmation(newId(), [live.quoteIds[1]]),
      ]) {
        const attempt = bookings.confirmOffer(c);
        await expect(attempt).rejects.toBeInstanceOf(RowNotChangedError);
        expect(isRowNotChanged(await attempt.catch((e: unknown) => e))).toBe(true);
        expect(await rows('SELECT id FROM bookings WHERE id = $1', [c.booking.id])).toEqual([]);
        expect(await rows('SELECT id FROM booking_items WHERE booking_id = $1', [c.booking.id])).toEqual([]);
        expect(await rows('SELECT id FROM booking_events WHERE booking_id = $1', [c.booking.id])).toEqual([]);
      }
      await expect(bookings.confirmOffer(confirmation(confirmed.offerId, [confirmed.quoteIds[1]]))).rejects.toBeInstanceOf(RowNotChangedError);

      expect(await written(expired.offerId)).toEqual(UNTOUCHED);
      expect(await written(live.offerId)).toEqual(UNTOUCHED);
      expect(await written(confirmed.offerId)).toEqual(before);
    });

    it("in the caller's transaction, with an idempotency completion: committed together, or refused together", async () => {
      const scope = (key: string): IdempotencyScope => ({ partnerId, route: 'confirm_offer', key });
      const claim = (m: EntityManager, key: string) =>
        idempotency.claim(m, scope(key), { id: newId(), requestHash: `h-${key}`, createdAt: NOW, expiresAt: LATER });

      const won = await seedOffer();
      const c = confirmation(won.offerId, [won.quoteIds[0]]);
      expect(await ds.transaction((m) => claim(m, 'tx-ok'))).toBe(true);
      await ds.transaction(async (m) => {
        await bookings.confirmOffer(c, m);
        await idempotency.complete(m, scope('tx-ok'), 200, c.booking.response);
      });
      expect((await written(won.offerId)).bookings).toEqual([{ id: c.booking.id }]);
      expect(await idempotency.find(ds.manager, scope('tx-ok'))).toEqual({
        requestHash: 'h-tx-ok',
        state: 'done',
        responseStatus: 200,
        responseBody: c.booking.response,
        createdAt: NOW,
        expiresAt: LATER,
      });

      // the offer is confirmed now: the guard refuses, the claim made in the same transaction is rolled back
      const again = confirmation(won.offerId, [won.quoteIds[1]]);
      await expect(
        ds.transaction(async (m) => {
          expect(await claim(m, 'tx-refused')).toBe(true);
          await bookings.confirmOffer(again, m);
        }),
      ).rejects.toBeInstanceOf(RowNotChangedError);
      expect(await idempotency.find(ds.manager, scope('tx-refused'))).toBeNull();
      expect(await rows('SELECT id FROM bookings WHERE id = $1', [again.booking.id])).toEqual([]);
    });

    it('a unique violation (booking id, policy number) fails it whole, with SQLSTATE 23505: the offer still confirmable', async () => {
      const first = await seedOffer();
      const taken = confirmation(first.offerId, [first.quoteIds[0]]);
      await bookings.confirmOffer(taken);

      const { offerId, quoteIds } = await seedOffer();
      for (const c of [
        confirmation(offerId, [quoteIds[0]], { bookingId: taken.booking.id }),
        confirmation(offerId, [quoteIds[0]], { policyNumber: taken.items[0].policyNumber }),
      ]) {
        const failed = await bookings.confirmOffer(c).catch((e: unknown) => e);
        expect(failed).toBeInstanceOf(QueryFailedError);
        expect((failed as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('23505');
        expect(bookings.isUniqueViolation(failed)).toBe(true);
        expect(await written(offerId)).toEqual(UNTOUCHED);
      }
      // a fresh id books it
      await bookings.confirmOffer(confirmation(offerId, [quoteIds[0]]));
      expect((await written(offerId)).offer).toMatchObject({ status: 'CONFIRMED' });
    });

    it('twelve confirms of one offer at once, on twelve connections: one booking, the others refused', async () => {
      const o = options();
      const wide = new DataSource({ ...o, extra: { ...(o.extra as object), max: 12 } });
      await wide.initialize();
      try {
        const repo = new BookingsRepository(wide.getRepository(OfferEntity));
        const { offerId, quoteIds } = await seedOffer();
        const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => repo.confirmOffer(confirmation(offerId, [quoteIds[0]]))));
        expect(outcomes.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of outcomes) if (r.status === 'rejected') expect(isRowNotChanged(r.reason)).toBe(true);
        const after = await written(offerId);
        expect(after.bookings).toHaveLength(1);
        expect(after.items).toEqual([{ quote_id: quoteIds[0] }]);
        expect(after.offer).toMatchObject({ status: 'CONFIRMED', booking_id: (after.bookings as Row[])[0].id });
      } finally {
        await wide.destroy();
      }
    });
  });

  describe('reads of one turn in one query', () => {
    beforeAll(async () => {
      // other partners' offers and records: the reads must find theirs by the index, not by a scan
      await ds.query(
        `INSERT INTO offers (id, partner_id, offer_config_id, bundle_version, schema_id, api_key_id, key_mode, currency, experiments, request, response, expires_at)
         SELECT md5(n::text), md5((n % 50)::text), 'cfg', 1, 's', 'k', 'live', 'AUD', '[]', '{}', '{}', $1 FROM generate_series(1, 5000) AS n`,
        [LATER],
      );
      await ds.query(
        `INSERT INTO idempotency_records (id, partner_id, route, key, request_hash, state, expires_at)
         SELECT md5(n::text), md5((n % 50)::text), 'create_offer', n::text, 'h', 'done', $1 FROM generate_series(1, 5000) AS n`,
        [LATER],
      );
      await ds.query('ANALYZE offers');
      await ds.query('ANALYZE idempotency_records');
    });

    /** the plan PostgreSQL uses for the named statement of `sql` with these values */
    async function planOf(sql: string, values: string): Promise<string> {
      const [{ name }] = await rows('SELECT name FROM pg_prepared_statements WHERE statement = $1', [sql]);
      const [plan] = await rows(`EXPLAIN (FORMAT JSON) EXECUTE ${name as string}(${values})`);
      return JSON.stringify(plan['QUERY PLAN']);
    }

    it("the confirms' offer reads (findOffer): each key its offer or null, one query", async () => {
      const a = await seedOffer();
      const b = await seedOffer();
      await bookings.confirmOffer(confirmation(b.offerId, [b.quoteIds[0]], { bookingId: 'BK-READ-0001-INS' }));
      const spy = checkouts();
      let found;
      try {
        found = await Promise.all([
          bookings.findOffer(partnerId, a.offerId),
          bookings.findOffer(partnerId, newId()),
          bookings.findOffer(newId(), a.offerId),
          bookings.findOffer(partnerId, b.offerId),
          bookings.findOffer(partnerId, a.offerId),
        ]);
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
      const offerA = {
        id: a.offerId,
        partnerId,
        offerConfigId: 'cfg',
        status: 'OFFERED',
        bookingId: null,
        expiresAt: LATER,
        currency: 'AUD',
        partnerTransactionId: 'tx-1',
        request: { customer: { language: 'en' } },
        response: { id: a.offerId, product_rules: [] },
      };
      expect(found).toEqual([
        offerA,
        null,
        null,
        { ...offerA, id: b.offerId, status: 'CONFIRMED', bookingId: 'BK-READ-0001-INS', response: { id: b.offerId, product_rules: [] } },
        offerA,
      ]);
      // alone in its turn: the same query, one key
      expect(await bookings.findOffer(partnerId, b.offerId)).toMatchObject({ status: 'CONFIRMED' });

      const plan = await planOf(OFFERS_FOR_BOOKING.postgres, `ARRAY['${a.offerId}', '${b.offerId}'], ARRAY['${partnerId}', '${partnerId}']`);
      expect(plan).toContain('Index Scan');
      expect(plan).not.toContain('Seq Scan');
    });

    it('the quotes of an offer (findQuotes) and its state (offerState)', async () => {
      const { offerId, quoteIds } = await seedOffer();
      const quotes = await bookings.findQuotes(offerId);
      expect(quotes.sort((x, y) => x.productCode.localeCompare(y.productCode))).toEqual([
        {
          id: quoteIds[0],
          productCode: 'P0',
          productName: 'Product 0',
          currency: 'AUD',
          premiumMinor: 1000,
          taxMinor: 100,
          priceMinor: 1100,
          policyStart: POLICY_START,
          policyEnd: POLICY_END,
          pdsUrl: null,
        },
        {
          id: quoteIds[1],
          productCode: 'P1',
          productName: 'Product 1',
          currency: 'AUD',
          premiumMinor: 1001,
          taxMinor: 100,
          priceMinor: 1101,
          policyStart: POLICY_START,
          policyEnd: null,
          pdsUrl: null,
        },
      ]);
      expect(await bookings.offerState(partnerId, offerId)).toEqual({ status: 'OFFERED', bookingId: null, expiresAt: LATER });
      expect(await bookings.offerState(newId(), offerId)).toBeNull();
    });

    it('the idempotency peeks (peek): each scope its record or null, one query, by uq_idempotency_scope', async () => {
      const scope = (key: string, route = 'create_offer'): IdempotencyScope => ({ partnerId, route, key });
      await ds.transaction(async (m) => {
        expect(await idempotency.claim(m, scope('a'), { id: newId(), requestHash: 'h-a', createdAt: NOW, expiresAt: LATER })).toBe(true);
        await idempotency.complete(m, scope('a'), 201, { id: 'offer-a', n: [1, 2] });
        expect(await idempotency.claim(m, scope('b'), { id: newId(), requestHash: 'h-b', createdAt: NOW, expiresAt: LATER })).toBe(true);
        // the scope is held: no second claim, and the transaction goes on
        expect(await idempotency.claim(m, scope('b'), { id: newId(), requestHash: 'h-b2', createdAt: NOW, expiresAt: LATER })).toBe(false);
      });
      const spy = checkouts();
      let peeked;
      try {
        peeked = await Promise.all([
          idempotency.peek(scope('a')),
          idempotency.peek(scope('none')),
          idempotency.peek(scope('b')),
          idempotency.peek(scope('a', 'confirm_offer')),
        ]);
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
      expect(peeked).toEqual([
        { requestHash: 'h-a', state: 'done', responseStatus: 201, responseBody: { id: 'offer-a', n: [1, 2] }, createdAt: NOW, expiresAt: LATER },
        null,
        { requestHash: 'h-b', state: 'in_progress', responseStatus: null, responseBody: null, createdAt: NOW, expiresAt: LATER },
        null,
      ]);
      const plan = await planOf(IDEMPOTENCY_RECORDS.postgres, `ARRAY['${partnerId}', '${partnerId}'], ARRAY['create_offer', 'create_offer'], ARRAY['a', 'b']`);
      expect(plan).toContain('uq_idempotency_scope');
      expect(plan).not.toContain('Seq Scan');
    });
  });

  describe('named statements', () => {
    /** the hot statements prepared on the pool's one connection: name → text */
    const prepared = async (): Promise<Map<string, string>> =>
      new Map(
        (await rows(`SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'hot\\_%'`)).map((r) => [r.name as string, r.statement as string]),
      );

    it('each text is prepared once per connection, whatever the number of rows it binds', async () => {
      const one = await seedOffer();
      const two = await seedOffer();
      const three = await seedOffer();
      await bookings.confirmOffer(confirmation(one.offerId, [one.quoteIds[0]]));
      const before = await prepared();
      expect([...before.values()]).toEqual(expect.arrayContaining([CONFIRM_OFFER.postgres, OFFERS_FOR_BOOKING.postgres, IDEMPOTENCY_RECORDS.postgres]));
      // the same texts again, with other numbers of items and keys: run as prepared (a second
      // PREPARE of a name would fail), nothing new is prepared
      await bookings.confirmOffer(confirmation(two.offerId, two.quoteIds));
      await ds.transaction((m) => bookings.confirmOffer(confirmation(three.offerId, [three.quoteIds[1]]), m));
      await Promise.all([bookings.findOffer(partnerId, one.offerId), bookings.findOffer(partnerId, two.offerId), bookings.findOffer(partnerId, three.offerId)]);
      await Promise.all([idempotency.peek({ partnerId, route: 'create_offer', key: 'a' }), idempotency.peek({ partnerId, route: 'create_offer', key: 'x' })]);
      expect(await prepared()).toEqual(before);
    });

    it('with PG_NAMED_STATEMENTS=false (a pooler that cannot keep them) the same statements prepare nothing', async () => {
      const o = options(false);
      const unnamed = new DataSource({ ...o, extra: { ...(o.extra as object), max: 1 } });
      await unnamed.initialize();
      try {
        const repo = new BookingsRepository(unnamed.getRepository(OfferEntity));
        const keys = new IdempotencyRepository(unnamed.getRepository(IdempotencyRecordEntity));
        const { offerId, quoteIds } = await seedOffer();
        await repo.confirmOffer(confirmation(offerId, quoteIds));
        await expect(repo.confirmOffer(confirmation(offerId, quoteIds))).rejects.toBeInstanceOf(RowNotChangedError);
        const [found, none] = await Promise.all([repo.findOffer(partnerId, offerId), repo.findOffer(partnerId, newId())]);
        expect(found).toMatchObject({ id: offerId, status: 'CONFIRMED' });
        expect(none).toBeNull();
        expect(await keys.peek({ partnerId, route: 'create_offer', key: 'a' })).toMatchObject({ requestHash: 'h-a' });
        expect(await unnamed.query('SELECT COUNT(*)::int AS n FROM pg_prepared_statements')).toEqual([{ n: 0 }]);
      } finally {
        await unnamed.destroy();
      }
    });
  });
});
