/**
 * Timestamps mean the same on both engines whatever the process's time zone: on PostgreSQL the
 * `timestamp without time zone` columns hold UTC (written and read as UTC by the pool, session in
 * UTC — see libs/database data-source-options.ts), as SQLite's text columns do. The app runs here
 * with TZ=Europe/Paris; the stored wall-clock time must still be the UTC one, and reads must give
 * back the same instants. Money columns come back as numbers. PostgreSQL only (integration run).
 */
import { Client } from 'pg';
import request from 'supertest';
import { createPgDatabase, TEST_ADMIN_KEY } from '../support/app';
import { spawnApp, type AppProcess } from '../support/processes';
import { confirm, newKey, newOffer, putScaleBundle } from '../support/scale';
import { pgOnly } from '../support/pg-only';

jest.setTimeout(120_000);

const { adminUrl, describePg } = pgOnly('test/integration/db-timestamps.spec');

/** 2027-01-31T23:00:00.000Z → 2027-01-31T23:00:00Z (the API's format) */
const apiDate = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

describePg('timestamps and money on PostgreSQL, app process in Europe/Paris', () => {
  let db: { url: string; drop(): Promise<void> };
  let app: AppProcess;
  let sql: Client;

  beforeAll(async () => {
    db = await createPgDatabase(adminUrl as string);
    // a process of its own: the time zone of a Jest worker cannot be changed from a test
    app = await spawnApp({ DATABASE_URL: db.url, ADMIN_API_KEY: TEST_ADMIN_KEY, TZ: 'Europe/Paris', LOG_LEVEL: 'warn' });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await app?.stop('SIGTERM');
    await sql?.end();
    await db?.drop();
  });

  it('stored wall-clock times are UTC, reads give back the same instants, money is integers', async () => {
    await putScaleBundle(app.url, 'TZP');
    const key = await newKey(app.url, 'TZP');
    const before = Date.now();
    const offer = await newOffer(app.url, 'TZP', key, { value: 100 });
    const expiresAt = offer.expires_at as string;

    const raw = (
      await sql.query(
        `SELECT to_char(expires_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires_at, to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at FROM offers WHERE id = $1`,
        [offer.id],
      )
    ).rows[0] as { expires_at: string; created_at: string };
    expect(raw.expires_at).toBe(expiresAt);
    // created "now": the stored wall clock is UTC's, not Paris's (an hour or two ahead)
    expect(Math.abs(Date.parse(raw.created_at) - before)).toBeLessThan(60_000);

    // read back through the app: the same instant
    const read = await request(app.url).get(`/x/partners/TZP/offers/${offer.id}/`).set('X-Api-Key', key).expect(200);
    expect(read.body.expires_at).toBe(expiresAt);

    // a booking: its created_at as stored, and its money as integer minor units
    const booked = await confirm(app.url, 'TZP', key, offer).expect(200);
    const stored = (
      await sql.query(`SELECT to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at, total_price_minor FROM bookings WHERE offer_id = $1`, [offer.id])
    ).rows[0] as { created_at: string; total_price_minor: number };
    expect(apiDate(new Date(booked.body.created_at as string).toISOString())).toBe(stored.created_at);
    expect(stored.total_price_minor).toBe(Math.round((booked.body.total_price as number) * 100));
    const again = await request(app.url)
      .get(`/x/partners/TZP/bookings/${booked.body.id as string}/`)
      .set('X-Api-Key', key)
      .expect(200);
    expect(again.body.created_at).toBe(booked.body.created_at);
    expect(again.body.total_price).toBe(booked.body.total_price);
  });
});
