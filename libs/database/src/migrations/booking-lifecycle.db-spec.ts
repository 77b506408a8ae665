/**
 * The migration that adds the booking lifecycle, run on a database holding a booking confirmed
 * before it (SQLite in `npm test`, PostgreSQL in `npm run test:integration`): the booking keeps
 * every value, is at version 1, was last changed when confirmed, and gets its booking.created event.
 * A database-level suite (*.db-spec.ts: the `db` project of jest.config.js, in both runs).
 */
import { DataSource } from 'typeorm';
import { emptyDatabase, type EmptyDatabase } from '../../../../test/support/databases';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './index';

/** the migrations before the booking lifecycle's, per engine */
const BEFORE = { sqlite: SQLITE_MIGRATIONS.slice(0, 2), postgres: POSTGRES_MIGRATIONS.slice(0, 2) };

describe('migration BookingLifecycle on a database with bookings', () => {
  let db: EmptyDatabase | undefined;

  afterAll(async () => {
    await db?.drop();
  });

  it('backfills updated_at, version and the booking.created event of an existing booking', async () => {
    db = await emptyDatabase('offers-migration');
    const options = db.options();
    const engine = db.engine;
    const p = (sql: string) => (engine === 'postgres' ? sql : sql.replace(/\$\d+/g, '?'));

    const before = new DataSource({ ...options, migrations: BEFORE[engine], migrationsRun: true });
    await before.initialize();
    const response = JSON.stringify({ id: 'AAAAA-BBBBB-INS', status: 'CONFIRMED', total_price: 12.5 });
    await before.query(
      p(`INSERT INTO bookings (id, offer_id, partner_id, api_key_id, offer_config_id, status, currency, total_price_minor, total_tax_minor,
                              total_premium_minor, partner_transaction_id, policyholder, response, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`),
      [
        'AAAAA-BBBBB-INS',
        '00000000-0000-4000-8000-0000000000aa',
        '00000000-0000-4000-8000-0000000000bb',
        '00000000-0000-4000-8000-0000000000cc',
        'cfg',
        'CONFIRMED',
        'EUR',
        1250,
        100,
        1150,
        null,
        '{"first_name":"Ada"}',
        response,
        '2026-11-01 10:00:00',
      ],
    );
    await before.destroy();

    const after = new DataSource({ ...options, migrationsRun: true });
    await after.initialize();
    try {
      const [booking] = await after.query(p('SELECT version, total_refund_minor, updated_at, created_at, context, cancelled_at FROM bookings WHERE id = $1'), [
        'AAAAA-BBBBB-INS',
      ]);
      expect(Number(booking.version)).toBe(1);
      expect(Number(booking.total_refund_minor)).toBe(0);
      expect(String(booking.updated_at)).toBe(String(booking.created_at));
      expect([booking.context, booking.cancelled_at]).toEqual([null, null]);
      const events = await after.query(p('SELECT id, version, type, at, actor, before, after FROM booking_events WHERE booking_id = $1'), ['AAAAA-BBBBB-INS']);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'booking.created', before: null });
      expect(events[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(Number(events[0].version)).toBe(1);
      expect(String(events[0].at)).toBe(String(booking.created_at));
      expect(JSON.parse(events[0].actor)).toEqual({ api_key_id: '00000000-0000-4000-8000-0000000000cc' });
      expect(JSON.parse(events[0].after)).toEqual(JSON.parse(response));
      const [item] = await after.query(p('SELECT count(*) AS n FROM booking_changes'));
      expect(Number(item.n)).toBe(0);
    } finally {
      await after.destroy();
    }
  });
});
