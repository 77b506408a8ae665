/**
 * Webhook delivery across processes, on PostgreSQL (the integration run only): app processes of
 * their own (main.ts) deliver to a receiver on 127.0.0.1.
 * - two processes share 200 pending deliveries: each is attempted exactly once, by one of them,
 *   and both take part (FOR UPDATE SKIP LOCKED);
 * - a process killed (SIGKILL) while an event is pending, or in the middle of its attempt: another
 *   process delivers it, with the same webhook-id, once the dead one's lease has passed (aged here
 *   by SQL instead of waiting 60 s).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import { createPgDatabase, TEST_ADMIN_KEY } from '../support/app';
import { pgOnly } from '../support/pg-only';
import { spawnApp, type AppProcess } from '../support/processes';
import { ADMIN_HEADERS, confirm, newKey, newOffer, putScaleBundle, waitFor } from '../support/scale';

jest.setTimeout(180_000);

const { adminUrl, describePg } = pgOnly('webhook-processes.e2e-spec');

describePg('webhook delivery across processes (e2e, PostgreSQL, spawned processes)', () => {
  let db: { url: string; drop(): Promise<void> };
  let sql: Client;
  let receiver: Server;
  let receiverUrl: string;
  /** webhook-ids received, in order */
  const received: string[] = [];
  /** false: the receiver holds requests without answering */
  let answering = true;
  const held: Array<() => void> = [];
  const procs: AppProcess[] = [];

  const start = async (extra: Record<string, string> = {}): Promise<AppProcess> => {
    const p = await spawnApp({
      DATABASE_URL: db.url,
      ADMIN_API_KEY: TEST_ADMIN_KEY,
      APP_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_POLL_MS: '50',
      WARMUP_MAX_SECONDS: '0',
      LOG_LEVEL: 'warn',
      ...extra,
    });
    procs.push(p);
    return p;
  };
  const count = async (q: string, params: unknown[] = []): Promise<number> => Number((await sql.query(q, params)).rows[0].n);

  beforeAll(async () => {
    db = await createPgDatabase(adminUrl as string);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(String(req.headers['webhook-id']));
        const answer = () => res.writeHead(200).end();
        // a little work per request, so that the two processes' attempts overlap
        if (answering) setTimeout(answer, 5);
        else held.push(() => res.destroy());
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    for (const p of procs) await p.stop();
    for (const release of held) release();
    receiver?.closeAllConnections();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
    await sql?.end();
    await db?.drop();
  });
  beforeEach(() => {
    received.length = 0;
    answering = true;
  });

  it('two processes share 200 pending deliveries: each delivered exactly once, both taking part', async () => {
    const a = await start({ WEBHOOK_CONCURRENCY: '4', WEBHOOKS_ENABLED: 'false' });
    await putScaleBundle(a.url, 'SHARE');
    const hook = await request(a.url)
      .post('/admin/partners/SHARE/webhooks')
      .set(ADMIN_HEADERS)
      .send({ url: receiverUrl, events: ['booking.created'] });
    expect(hook.status).toBe(201);
    const partner = (await sql.query('SELECT partner_id FROM webhook_endpoints WHERE id = $1', [hook.body.id])).rows[0].partner_id as string;
    await a.stop('SIGTERM');
    const one = await start({ WEBHOOK_CONCURRENCY: '4' });
    const two = await start({ WEBHOOK_CONCURRENCY: '4' });
    // 200 events of the outbox, all due, while both processes are looking for work
    await sql.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, partner_id, event_id, event_type, occurred_at, payload, status, attempts, next_attempt_at, created_at)
       SELECT gen_random_uuid()::text, $1, $2, gen_random_uuid()::text, 'booking.created', now(), '{"n":' || i || '}', 'pending', 0, now() - interval '1 second', now()
       FROM generate_series(1, 200) AS i`,
      [hook.body.id, partner],
    );
    await waitFor('every delivery', async () => (await count("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'delivered'")) === 200, 60_000, 200);

    expect(received).toHaveLength(200);
    expect(new Set(received).size).toBe(200);
    expect(await count('SELECT count(*) AS n FROM webhook_deliveries WHERE attempts <> 1')).toBe(0);
    const attemptsOf = async (p: AppProcess) => {
      const text = await (await fetch(`${p.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('webhook_delivery_attempts_total{outcome="delivered"}'));
      return Number(line?.split(' ').pop() ?? 0);
    };
    const [byOne, byTwo] = [await attemptsOf(one), await attemptsOf(two)];
    expect(byOne + byTwo).toBe(200);
    expect(byOne).toBeGreaterThan(0);
    expect(byTwo).toBeGreaterThan(0);
    await one.stop();
    await two.stop();
  });

  it('killed while an event is pending, and killed mid-attempt: another process delivers it, same webhook-id', async () => {
    // an instance that records events but sends nothing, killed with its event pending
    const quiet = await start({ WEBHOOKS_ENABLED: 'false' });
    await putScaleBundle(quiet.url, 'KILL');
    const key = await newKey(quiet.url, 'KILL');
    const hook = await request(quiet.url)
      .post('/admin/partners/KILL/webhooks')
      .set(ADMIN_HEADERS)
      .send({ url: receiverUrl, events: ['booking.created'] });
    expect(hook.status).toBe(201);
    const booked = await confirm(quiet.url, 'KILL', key, await newOffer(quiet.url, 'KILL', key));
    expect(booked.status).toBe(200);
    await quiet.stop('SIGKILL');
    const mine = 'endpoint_id = $1';
    expect(await count(`SELECT count(*) AS n FROM webhook_deliveries WHERE ${mine} AND status = 'pending'`, [hook.body.id])).toBe(1);

    // a sending instance takes it; the receiver holds the request: the attempt is in flight when it is killed
    answering = false;
    const sender = await start();
    await waitFor('the attempt', () => received.length === 1, 20_000, 50);
    await sender.stop('SIGKILL');
    const [claimed] = (
      await sql.query(`SELECT event_id, attempts, lease_until > now() AS leased FROM webhook_deliveries WHERE ${mine} AND status = 'pending'`, [hook.body.id])
    ).rows;
    expect(claimed).toMatchObject({ attempts: 1, leased: true });

    // its lease passes (60 s, aged here): the next instance delivers it
    await sql.query(`UPDATE webhook_deliveries SET lease_until = now() - interval '1 second' WHERE ${mine} AND status = 'pending'`, [hook.body.id]);
    answering = true;
    const next = await start();
    await waitFor(
      'the delivery',
      async () => (await count(`SELECT count(*) AS n FROM webhook_deliveries WHERE ${mine} AND status = 'delivered'`, [hook.body.id])) === 1,
      20_000,
      100,
    );
    expect(received).toEqual([claimed.event_id, claimed.event_id]);
    expect(await count(`SELECT count(*) AS n FROM webhook_deliveries WHERE ${mine} AND attempts = 2`, [hook.body.id])).toBe(1);
    await next.stop();
  });
});
