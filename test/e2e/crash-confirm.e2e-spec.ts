/**
 * A process killed (SIGKILL) in the middle of a confirm, then restarted: the partner's retry with
 * the same idempotency key ends with exactly one booking, and the id it was (or would have been)
 * told. The app runs as a process of its own on PostgreSQL, through a TCP proxy
 * that recognises the COMMIT of the booking's transaction:
 * - killed after PostgreSQL committed, before the answer reached the app → the retry replays the
 *   stored response (409, Idempotent-Replayed) with the committed booking's id;
 * - killed before the COMMIT reached PostgreSQL → nothing of the booking is stored; the key is
 *   held "in progress" (423) until the claim counts as abandoned (30 s: aged here by SQL), then
 *   the retry books, once.
 * Runs in the integration run only (needs TEST_PG_ADMIN_URL).
 */
import { Client } from 'pg';
import request from 'supertest';
import { createPgDatabase, TEST_ADMIN_KEY } from '../support/app';
import { spawnApp, type AppProcess } from '../support/processes';
import { confirm, newKey, newOffer, putScaleBundle, waitFor } from '../support/scale';
import type { Tap } from '../support/tcp-proxy';
import { TcpProxy } from '../support/tcp-proxy';
import { pgOnly } from '../support/pg-only';

jest.setTimeout(180_000);

const { adminUrl, describePg } = pgOnly('crash-confirm.e2e-spec');

/**
 * Acts on the COMMIT that ends a transaction which inserted a booking (simple-query COMMIT after
 * an `INSERT INTO bookings` on the same connection), once; `onHit` is told.
 */
function atBookingCommit(action: 'forward-then-hold-replies' | 'hold', onHit: () => void): Tap {
  let done = false;
  return (chunk, sent) => {
    if (done) return 'forward';
    const text = chunk.toString('latin1');
    if (!text.includes('COMMIT')) return 'forward';
    const before = sent.slice(0, sent.length - text.length);
    if (before.lastIndexOf('INSERT INTO bookings') <= before.lastIndexOf('COMMIT')) return 'forward';
    done = true;
    onHit();
    return action;
  };
}

describePg('process killed mid-confirm (e2e, PostgreSQL, spawned processes)', () => {
  let db: { url: string; drop(): Promise<void> };
  let proxy: TcpProxy;
  let sql: Client;
  let viaProxy: string;
  const procs: AppProcess[] = [];
  let key: string;

  const start = async (): Promise<AppProcess> => {
    const p = await spawnApp({ DATABASE_URL: viaProxy, ADMIN_API_KEY: TEST_ADMIN_KEY, LOG_LEVEL: 'warn' });
    procs.push(p);
    return p;
  };
  const one = async <T>(q: string, params: unknown[]): Promise<T> => (await sql.query(q, params)).rows[0] as T;

  beforeAll(async () => {
    db = await createPgDatabase(adminUrl as string);
    const direct = new URL(db.url);
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    await proxy.open();
    const u = new URL(db.url);
    u.hostname = '127.0.0.1';
    u.port = String(proxy.port);
    viaProxy = u.toString();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    for (const p of procs) await p.stop();
    await proxy?.close();
    await sql?.end();
    await db?.drop();
  });

  it('killed after the COMMIT, before answering: the retry replays the committed booking (one booking, same id)', async () => {
    const first = await start();
    await putScaleBundle(first.url, 'CRASH');
    key = await newKey(first.url, 'CRASH');
    const offer = await newOffer(first.url, 'CRASH', key);

    let hit!: () => void;
    const committed = new Promise<void>((r) => (hit = r));
    proxy.setTap(atBookingCommit('forward-then-hold-replies', () => hit()));
    const inFlight = confirm(first.url, 'CRASH', key, offer, 'crash-key-1').then(
      (r) => r.status,
      () => 'no answer',
    );
    await committed;
    // PostgreSQL has the COMMIT; wait until it is visible, then kill before the app hears back
    await waitFor(
      'the commit',
      async () => (await one<{ n: string }>('SELECT COUNT(*) AS n FROM bookings WHERE offer_id = $1', [offer.id])).n === '1',
      5000,
      10,
    );
    await first.stop('SIGKILL');
    expect(await inFlight).toBe('no answer');
    proxy.setTap(undefined);

    const stored = await one<{ id: string }>('SELECT id FROM bookings WHERE offer_id = $1', [offer.id]);
    expect(await one('SELECT status, booking_id FROM offers WHERE id = $1', [offer.id])).toEqual({ status: 'CONFIRMED', booking_id: stored.id });
    expect(await one('SELECT state FROM idempotency_records WHERE key = $1', ['crash-key-1'])).toEqual({ state: 'done' });

    const second = await start();
    const retry = await confirm(second.url, 'CRASH', key, offer, 'crash-key-1');
    expect(retry.status).toBe(409);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.id).toBe(stored.id);
    expect(retry.body.status).toBe('CONFIRMED');
    // without the key: already booked, same id
    const again = await confirm(second.url, 'CRASH', key, offer);
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ code: 'booking_already_exists', booking_id: stored.id });
    expect((await one<{ n: string }>('SELECT COUNT(*) AS n FROM bookings WHERE offer_id = $1', [offer.id])).n).toBe('1');
    await second.stop('SIGKILL');
  });

  it('killed before the COMMIT: nothing stored; the retry is 423 while the claim is fresh, then books once', async () => {
    const first = await start();
    const offer = await newOffer(first.url, 'CRASH', key);

    let hit!: () => void;
    const committing = new Promise<void>((r) => (hit = r));
    proxy.setTap(atBookingCommit('hold', () => hit()));
    const inFlight = confirm(first.url, 'CRASH', key, offer, 'crash-key-2').then(
      (r) => r.status,
      () => 'no answer',
    );
    await committing;
    await first.stop('SIGKILL');
    expect(await inFlight).toBe('no answer');
    proxy.setTap(undefined);

    // the connection died with the process: PostgreSQL rolled the transaction back
    await waitFor(
      'the rollback',
      async () =>
        (await one<{ n: string }>("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'", []))
          .n === '0',
      5000,
      50,
    );
    expect((await one<{ n: string }>('SELECT COUNT(*) AS n FROM bookings WHERE offer_id = $1', [offer.id])).n).toBe('0');
    expect(await one('SELECT status, booking_id FROM offers WHERE id = $1', [offer.id])).toEqual({ status: 'OFFERED', booking_id: null });
    expect(await one('SELECT state FROM idempotency_records WHERE key = $1', ['crash-key-2'])).toEqual({ state: 'in_progress' });

    const second = await start();
    const early = await confirm(second.url, 'CRASH', key, offer, 'crash-key-2');
    expect(early.status).toBe(423);
    expect(early.body.code).toBe('idempotency_in_progress');

    // 30 s later the dead process's claim counts as abandoned (aged here instead of waiting)
    await sql.query(`UPDATE idempotency_records SET created_at = created_at - interval '31 seconds' WHERE key = $1`, ['crash-key-2']);
    const retry = await confirm(second.url, 'CRASH', key, offer, 'crash-key-2');
    expect(retry.status).toBe(200);
    const stored = await one<{ id: string }>('SELECT id FROM bookings WHERE offer_id = $1', [offer.id]);
    expect(retry.body.id).toBe(stored.id);
    const replay = await confirm(second.url, 'CRASH', key, offer, 'crash-key-2');
    expect(replay.status).toBe(409);
    expect(replay.body.id).toBe(stored.id);
    expect((await one<{ n: string }>('SELECT COUNT(*) AS n FROM bookings WHERE offer_id = $1', [offer.id])).n).toBe('1');
    await request(second.url).get(`/x/partners/CRASH/bookings/${stored.id}/`).set('X-Api-Key', key).expect(200);
  });
});
