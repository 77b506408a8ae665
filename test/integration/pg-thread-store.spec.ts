/**
 * Create Offer's storage on PostgreSQL as a build thread runs it: PgTransactions (its own pool) and
 * POSTGRES_INSERT_OFFERS (offerInsertStatements('postgres', …): the offers, quotes, conversion rows
 * and idempotency key records of a group of offers in one statement), on the migrated schema.
 * What is stored is exactly what was prepared (timestamps as their UTC wall-clock time); a key
 * committed elsewhere fails the whole run as ROW_NOT_CHANGED, a refused row with its SQLSTATE, with
 * nothing stored; statements are named unless PG_NAMED_STATEMENTS=false; a run without a key is
 * one round trip. PostgreSQL only (integration run); the threads storing offers through it are
 * covered by offer-build-threads, db-down and db-timestamps in the same run.
 */
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { newId } from '@app/core';
import { buildDataSourceOptions, PgTransactions, ROW_NOT_CHANGED } from '@app/database';
import { ALL_ENTITIES } from '../../apps/api/src/entities';
import { IdempotencyRecordEntity } from '../../libs/offers/src/entities/idempotency-record.entity';
import { OfferVariantEntity } from '../../libs/offers/src/entities/offer-variant.entity';
import { OfferEntity } from '../../libs/offers/src/entities/offer.entity';
import { QuoteEntity } from '../../libs/offers/src/entities/quote.entity';
import type { PreparedOffer } from '../../libs/offers/src/prepare-offer';
import { offerInsertStatements, POSTGRES_INSERT_OFFERS, type OfferKeyRecord, type OfferToStore } from '../../libs/offers/src/storage/offer-insert.sql';
import { createPgDatabase } from '../support/app';
import { pgOnly } from '../support/pg-only';

jest.setTimeout(60_000);

const { adminUrl, describePg } = pgOnly('test/integration/pg-thread-store.spec');

const PARTNER = newId();
/** late on 31 January in UTC: already 1 February east of Greenwich, still 31 January in the Americas */
const CREATED = new Date('2027-01-31T23:00:00.123Z');
const EXPIRES = new Date('2027-02-03T23:00:00.456Z');

/** an offer of two quotes in two experiments; `tweak` changes its row */
function prepared(transactionId: string, tweak: Partial<PreparedOffer['offer']> = {}): PreparedOffer {
  const id = newId();
  return {
    offer: {
      id,
      partnerId: PARTNER,
      offerConfigId: 'travel-cover',
      bundleVersion: 3,
      schemaId: 'travel:v1',
      apiKeyId: newId(),
      keyMode: 'live',
      currency: 'AUD',
      partnerTransactionId: transactionId,
      experiments: [
        { key: 'cancel-price', variant: 'b' },
        { key: 'wording', variant: 'short' },
      ],
      expiresAt: EXPIRES,
      createdAt: CREATED,
      ...tweak,
    },
    quotes: [
      {
        id: newId(),
        productCode: 'TRAVEL_CANCEL',
        productName: 'Cancellation',
        premiumMinor: 10000,
        surchargeMinor: 50,
        taxMinor: 1000,
        commissionMinor: 2000,
        priceMinor: 11050,
        policyStart: new Date('2027-02-01T00:00:00.000Z'),
        policyEnd: new Date('2027-02-15T23:59:59.999Z'),
        pdsUrl: 'https://example.com/pds.pdf',
        experiment: { key: 'cancel-price', variant: 'b' },
      },
      {
        id: newId(),
        productCode: 'TRAVEL_MEDICAL',
        productName: 'Médical',
        premiumMinor: 0,
        surchargeMinor: 0,
        taxMinor: 0,
        commissionMinor: 0,
        priceMinor: 0,
        policyStart: new Date('2027-02-01T00:00:00.000Z'),
        policyEnd: null,
        pdsUrl: null,
        experiment: null,
      },
    ],
    requestJson: JSON.stringify({ schema: 'travel:v1', partner: { transaction_id: transactionId } }),
    json: JSON.stringify({ id, partner_transaction_id: transactionId, products: [] }),
  };
}

function keyRecord(key: string): OfferKeyRecord {
  return {
    id: newId(),
    partnerId: PARTNER,
    route: 'create_offer',
    key,
    requestHash: 'c'.repeat(64),
    responseStatus: 201,
    createdAt: CREATED,
    expiresAt: EXPIRES,
  };
}

describePg('Create Offer’s storage on PostgreSQL (PgTransactions, POSTGRES_INSERT_OFFERS)', () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  let tx: PgTransactions;

  const stored = async (transactionIds: string[]): Promise<string[]> =>
    (
      await ds.query<Array<{ t: string }>>('SELECT partner_transaction_id AS t FROM offers WHERE partner_transaction_id = ANY($1) ORDER BY t', [transactionIds])
    ).map((r) => r.t);
  /** every row of the offers, their quotes and conversion rows */
  const rowsOf = async (offers: PreparedOffer[]): Promise<number> => {
    const ids = offers.map((p) => p.offer.id);
    const [r] = await ds.query<Array<{ n: number }>>(
      `SELECT (SELECT COUNT(*) FROM offers WHERE id = ANY($1))::int + (SELECT COUNT(*) FROM quotes WHERE offer_id = ANY($1))::int
            + (SELECT COUNT(*) FROM offer_variants WHERE offer_id = ANY($1))::int AS n`,
      [ids],
    );
    return r.n;
  };

  beforeAll(async () => {
    db = await createPgDatabase(adminUrl as string);
    const options = buildDataSourceOptions({ databaseUrl: db.url, sqlitePath: '', sqliteSynchronous: 'FULL' }, ALL_ENTITIES) as PostgresConnectionOptions;
    ds = new DataSource({ ...options, migrationsRun: true });
    await ds.initialize();
    // one connection: every run below reuses the one a failure left behind
    tx = new PgTransactions({ url: db.url, max: 1, connectionTimeoutMillis: 2000, namedStatements: true });
  });
  afterAll(async () => {
    await tx?.close().catch(() => undefined);
    await ds?.destroy();
    await db?.drop();
  });

  it('is one fixed statement whatever the number of offers, with a row count to check only when there are keys', () => {
    const without = offerInsertStatements('postgres', [{ prepared: prepared('S-1') }, { prepared: prepared('S-2') }]);
    expect(without).toEqual([{ sql: POSTGRES_INSERT_OFFERS, params: expect.any(Array) }]);
    // one JSON document per table: offers, quotes, conversion rows, key records
    expect(without[0].params).toHaveLength(4);
    const withKeys = offerInsertStatements('postgres', [
      { prepared: prepared('S-3'), key: keyRecord('s-3') },
      { prepared: prepared('S-4') },
      { prepared: prepared('S-5'), key: keyRecord('s-5') },
    ]);
    expect(withKeys).toEqual([{ sql: POSTGRES_INSERT_OFFERS, params: expect.any(Array), mustChange: true, rows: 2 }]);
  });

  it('stores each offer, its quotes, its conversion rows and its key record exactly, timestamps as their UTC wall-clock time', async () => {
    const a = prepared('A-1');
    const b = prepared('A-2', { experiments: [], partnerTransactionId: null, keyMode: 'test' });
    const record = keyRecord('key-a');
    await tx.run(offerInsertStatements('postgres', [{ prepared: a, key: record }, { prepared: b }]));

    for (const p of [a, b]) {
      expect(await ds.getRepository(OfferEntity).findOneByOrFail({ id: p.offer.id })).toEqual({
        ...p.offer,
        // the lookup keys (@app/privacy): these requests carry no e-mail nor customer id
        emailKey: null,
        customerKey: null,
        request: JSON.parse(p.requestJson),
        response: JSON.parse(p.json),
        status: 'OFFERED',
        bookingId: null,
        updatedAt: CREATED,
      });
      const quotes = await ds.getRepository(QuoteEntity).find({ where: { offerId: p.offer.id }, order: { productCode: 'ASC' } });
      expect(quotes).toEqual(p.quotes.map((q) => ({ ...q, offerId: p.offer.id, partnerId: PARTNER, currency: 'AUD', status: 'OFFERED', createdAt: CREATED })));
      const variants = await ds.getRepository(OfferVariantEntity).find({ where: { offerId: p.offer.id }, order: { ordinal: 'ASC' } });
      const experiments = p.offer.experiments.length > 0 ? p.offer.experiments : [{ key: null, variant: null }];
      expect(variants).toEqual(
        experiments.map((e, ordinal) => ({
          id: expect.any(String),
          offerId: p.offer.id,
          partnerId: PARTNER,
          offerConfigId: 'travel-cover',
          experimentKey: e.key,
          variant: e.variant,
          ordinal,
          currency: 'AUD',
          status: 'OFFERED',
          premiumMinor: 0,
          cancellations: 0,
          refundedMinor: 0,
          refundedPremiumMinor: 0,
          createdAt: CREATED,
        })),
      );
    }
    // the texts as sent, and the wall-clock times in UTC, whatever the time zone of the process
    const [raw] = await ds.query<Array<Record<string, string>>>(
      `SELECT request, response, to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS created, to_char(expires_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS expires FROM offers WHERE id = $1`,
      [a.offer.id],
    );
    expect(raw).toEqual({ request: a.requestJson, response: a.json, created: '2027-01-31T23:00:00.123', expires: '2027-02-03T23:00:00.456' });
    const [policy] = await ds.query<Array<{ e: string }>>(`SELECT to_char(policy_end, 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS e FROM quotes WHERE id = $1`, [
      a.quotes[0].id,
    ]);
    expect(policy.e).toBe('2027-02-15T23:59:59.999');

    // the key's record: done, with the offer's response text
    expect(await ds.getRepository(IdempotencyRecordEntity).findOneByOrFail({ key: 'key-a' })).toEqual({
      ...record,
      state: 'done',
      responseBody: JSON.parse(a.json),
      offerId: a.offer.id,
    });
    expect((await ds.query<Array<{ response_body: string }>>(`SELECT response_body FROM idempotency_records WHERE key = 'key-a'`))[0].response_body).toBe(
      a.json,
    );
    expect(await ds.query('SELECT COUNT(*)::int AS n FROM idempotency_records')).toEqual([{ n: 1 }]);
  });

  it('a key committed by another request fails the whole run as ROW_NOT_CHANGED: nothing of any of its offers is stored', async () => {
    await tx.run(offerInsertStatements('postgres', [{ prepared: prepared('K-0'), key: keyRecord('key-taken') }]));
    const offers = [prepared('K-1'), prepared('K-2'), prepared('K-3')];
    const items: OfferToStore[] = [
      { prepared: offers[0], key: keyRecord('key-new') },
      { prepared: offers[1], key: keyRecord('key-taken') },
      { prepared: offers[2] },
    ];
    await expect(tx.run(offerInsertStatements('postgres', items))).rejects.toMatchObject({ code: ROW_NOT_CHANGED });
    expect(await rowsOf(offers)).toBe(0);
    expect(await ds.query(`SELECT key FROM idempotency_records WHERE key IN ('key-new', 'key-taken') ORDER BY key`)).toEqual([{ key: 'key-taken' }]);
    // two offers of one run with the same key: the same
    const twins = [prepared('K-4'), prepared('K-5')];
    await expect(
      tx.run(
        offerInsertStatements(
          'postgres',
          twins.map((p) => ({ prepared: p, key: keyRecord('key-twin') })),
        ),
      ),
    ).rejects.toMatchObject({ code: ROW_NOT_CHANGED });
    expect(await rowsOf(twins)).toBe(0);
    // the connection serves again
    await tx.run(offerInsertStatements('postgres', [{ prepared: offers[0], key: keyRecord('key-new') }]));
    expect(await stored(['K-1', 'K-2', 'K-3'])).toEqual(['K-1']);
  });

  it('a refused row fails the whole run with its SQLSTATE, nothing of it stored; the connection serves again', async () => {
    const first = prepared('R-0');
    await tx.run(offerInsertStatements('postgres', [{ prepared: first }]));
    const good = prepared('R-1');
    const cases: Array<[string, PreparedOffer]> = [
      ['23505', prepared('R-DUP', { id: first.offer.id })],
      ['22001', prepared('R-LONG', { currency: 'AUDX' })],
      ['23502', prepared('R-NULL', { offerConfigId: null as unknown as string })],
    ];
    for (const [code, bad] of cases) {
      // alone (one statement, its own transaction) and with a key (between BEGIN and COMMIT)
      await expect(tx.run(offerInsertStatements('postgres', [{ prepared: good }, { prepared: bad }]))).rejects.toMatchObject({ code });
      await expect(tx.run(offerInsertStatements('postgres', [{ prepared: good, key: keyRecord(`key-${code}`) }, { prepared: bad }]))).rejects.toMatchObject({
        code,
      });
      expect(await rowsOf([good])).toBe(0);
    }
    expect(await ds.query(`SELECT key FROM idempotency_records WHERE key LIKE 'key-2%'`)).toEqual([]);
    // the offer that held the id keeps its own rows only
    expect(await rowsOf([first])).toBe(1 + 2 + 2);
    await tx.run(offerInsertStatements('postgres', [{ prepared: good }]));
    expect(await stored(['R-0', 'R-1'])).toEqual(['R-0', 'R-1']);
  });

  it('the statements of a run commit together: a later one refused, the earlier ones are rolled back too', async () => {
    const [a, b] = [prepared('M-1'), prepared('M-2', { currency: 'TOOLONG' })];
    await expect(
      tx.run([...offerInsertStatements('postgres', [{ prepared: a }]), ...offerInsertStatements('postgres', [{ prepared: b }])]),
    ).rejects.toMatchObject({ code: '22001' });
    expect(await rowsOf([a, b])).toBe(0);
    const c = prepared('M-3');
    await tx.run([...offerInsertStatements('postgres', [{ prepared: a }]), ...offerInsertStatements('postgres', [{ prepared: c }])]);
    expect(await stored(['M-1', 'M-2', 'M-3'])).toEqual(['M-1', 'M-3']);
  });

  it('one round trip without a key (the statement is its own transaction); between BEGIN and COMMIT with one; between BEGIN and ROLLBACK when rehearsed', async () => {
    const query = jest.spyOn(Client.prototype, 'query');
    const sent = (): unknown[] => query.mock.calls.map(([q]) => (typeof q === 'string' ? q : (q as { text: string }).text));
    try {
      query.mockClear();
      await tx.run(offerInsertStatements('postgres', [{ prepared: prepared('B-1') }, { prepared: prepared('B-2') }]));
      expect(sent()).toEqual([POSTGRES_INSERT_OFFERS]);

      query.mockClear();
      await expect(tx.run(offerInsertStatements('postgres', [{ prepared: prepared('B-3', { currency: 'AUDX' }) }]))).rejects.toMatchObject({ code: '22001' });
      expect(sent()).toEqual([POSTGRES_INSERT_OFFERS]);

      query.mockClear();
      await tx.run(offerInsertStatements('postgres', [{ prepared: prepared('B-4'), key: keyRecord('key-b4') }]));
      expect(sent()).toEqual(['BEGIN', POSTGRES_INSERT_OFFERS, 'COMMIT']);

      query.mockClear();
      await expect(tx.run(offerInsertStatements('postgres', [{ prepared: prepared('B-5'), key: keyRecord('key-b4') }]))).rejects.toMatchObject({
        code: ROW_NOT_CHANGED,
      });
      expect(sent()).toEqual(['BEGIN', POSTGRES_INSERT_OFFERS, 'ROLLBACK']);

      query.mockClear();
      await tx.run(offerInsertStatements('postgres', [{ prepared: prepared('B-6'), key: keyRecord('key-b6') }, { prepared: prepared('B-7') }]), {
        rollBack: true,
      });
      expect(sent()).toEqual(['BEGIN', POSTGRES_INSERT_OFFERS, 'ROLLBACK']);
    } finally {
      query.mockRestore();
    }
    expect(await stored(['B-1', 'B-2', 'B-3', 'B-4', 'B-5', 'B-6', 'B-7'])).toEqual(['B-1', 'B-2', 'B-4']);
    expect(await ds.query(`SELECT key FROM idempotency_records WHERE key LIKE 'key-b%' ORDER BY key`)).toEqual([{ key: 'key-b4' }]);
  });

  it('statements are named (prepared once per connection) by default, unnamed with PG_NAMED_STATEMENTS=false', async () => {
    await ds.query('CREATE TABLE seen_statements (pool text, name text, statement text)');
    // run inside the pool's own session: what that session holds prepared
    const capture = (pool: string) => ({
      sql: `INSERT INTO seen_statements (pool, name, statement) SELECT '${pool}', name, statement FROM pg_prepared_statements`,
      params: [],
    });
    for (const t of ['N-1', 'N-2']) await tx.run(offerInsertStatements('postgres', [{ prepared: prepared(t) }]));
    await tx.run([capture('named')]);
    const unnamed = new PgTransactions({ url: db.url, max: 1, connectionTimeoutMillis: 2000, namedStatements: false });
    try {
      await unnamed.run(offerInsertStatements('postgres', [{ prepared: prepared('N-3') }]));
      await unnamed.run(offerInsertStatements('postgres', [{ prepared: prepared('N-4'), key: keyRecord('key-n4') }]));
      await unnamed.run([capture('unnamed')]);
    } finally {
      await unnamed.close();
    }
    expect(await stored(['N-1', 'N-2', 'N-3', 'N-4'])).toEqual(['N-1', 'N-2', 'N-3', 'N-4']);
    const seen = await ds.query<Array<{ pool: string; name: string }>>('SELECT pool, name FROM seen_statements WHERE statement = $1', [POSTGRES_INSERT_OFFERS]);
    expect(seen).toEqual([{ pool: 'named', name: expect.stringMatching(/^hot_[0-9a-f]{40}$/) }]);
  });

  it('a database that cannot be reached: the run fails with a network error, after at most the connection timeout', async () => {
    const nowhere = new PgTransactions({ url: 'postgres://postgres@127.0.0.1:1/none', max: 1, connectionTimeoutMillis: 500, namedStatements: true });
    try {
      const started = Date.now();
      await expect(nowhere.run(offerInsertStatements('postgres', [{ prepared: prepared('U-1') }]))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await nowhere.close();
    }
    expect(await stored(['U-1'])).toEqual([]);
  });
});
