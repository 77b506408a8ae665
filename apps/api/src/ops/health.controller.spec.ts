import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import type { RedisConnection } from '@app/core';
import { HealthController } from './health.controller';
import { HttpMetrics } from './metrics';
import { ShutdownState } from './shutdown';
import type { WarmUp } from './warm-up';

function controller(o: { db: 'up' | 'down' | 'hang'; redis?: 'up' | 'down'; draining?: boolean; warmingUp?: boolean }) {
  const dataSource = {
    query: () =>
      o.db === 'up' ? Promise.resolve([{ '?column?': 1 }]) : o.db === 'down' ? Promise.reject(new Error('connect ECONNREFUSED')) : new Promise(() => undefined),
  } as unknown as DataSource;
  const redis =
    o.redis === undefined
      ? null
      : ({ available: o.redis === 'up', problem: o.redis === 'up' ? undefined : 'connection reconnecting' } as unknown as RedisConnection);
  const shutdown = new ShutdownState();
  shutdown.draining = o.draining ?? false;
  const warmUp = { done: !(o.warmingUp ?? false) } as WarmUp;
  return new HealthController(dataSource, new HttpMetrics(false), warmUp, redis, shutdown);
}

async function ready(c: HealthController) {
  let status = 0;
  const res = { status: (s: number) => ((status = s), res) } as unknown as Response;
  const body = await c.ready(res);
  return { status, body };
}

describe('GET /health/ready', () => {
  it('ok: database up, no Redis configured', async () => {
    expect(await ready(controller({ db: 'up' }))).toEqual({
      status: 200,
      body: {
        status: 'ok',
        info: { database: { status: 'up' }, warm_up: { status: 'up' } },
        error: {},
        details: { database: { status: 'up' }, warm_up: { status: 'up' } },
      },
    });
  });

  it('ok with Redis up', async () => {
    const r = await ready(controller({ db: 'up', redis: 'up' }));
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ok');
    expect(r.body.info.redis).toEqual({ status: 'up' });
  });

  it('Redis down: still 200 (serving with per-instance fallbacks), status degraded', async () => {
    const r = await ready(controller({ db: 'up', redis: 'down' }));
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('degraded');
    expect(r.body.error.redis).toEqual({ status: 'down', message: 'connection reconnecting' });
  });

  it('database down: 503 error', async () => {
    const r = await ready(controller({ db: 'down', redis: 'up' }));
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('error');
    expect(r.body.error.database).toEqual({ status: 'down', message: 'connect ECONNREFUSED' });
  });

  it('database not answering: 503 after the ping timeout, not a hang', async () => {
    const start = Date.now();
    const r = await ready(controller({ db: 'hang' }));
    expect(r.status).toBe(503);
    expect(Date.now() - start).toBeLessThan(3000);
  });

  it('warming up after start: 503 warming_up, then 200 once the warm-up is over', async () => {
    const r = await ready(controller({ db: 'up', redis: 'up', warmingUp: true }));
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('warming_up');
    expect(r.body.error.warm_up).toEqual({ status: 'down', message: expect.stringContaining('warming up') });
    expect((await ready(controller({ db: 'up', redis: 'up', warmingUp: false }))).status).toBe(200);
  });

  it('database down while warming up: 503 error (the database is the first thing to fix)', async () => {
    const r = await ready(controller({ db: 'down', warmingUp: true }));
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('error');
  });

  it('shutting down: 503 so the load balancer stops sending', async () => {
    const r = await ready(controller({ db: 'up', draining: true }));
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('shutting_down');
  });
});
