/**
 * The request log (apps/api/src/common/logging.ts): one JSON line per request at level info, with
 * the request id, method, path and status and nothing else of the request; lines buffered on the
 * way to stdout, written within about a second and at exit. The app runs as a process of its own,
 * so what is checked is what reaches its stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApp, type AppProcess } from '../support/processes';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

interface LogLine {
  level: number;
  msg: string;
  req?: Record<string, unknown>;
  res?: Record<string, unknown>;
  responseTime?: number;
}

const lines = (p: AppProcess): LogLine[] =>
  p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
const requestLines = (p: AppProcess): LogLine[] => lines(p).filter((l) => l.req !== undefined);

/** Polls the process's output for a request line for `path` (another process: real time); throws after `ms`. */
async function waitForLine(p: AppProcess, path: string, ms: number): Promise<LogLine> {
  let line: LogLine | undefined;
  await waitFor(`a request line for ${path}`, () => (line = requestLines(p).find((l) => l.req?.url === path)) !== undefined, ms, 20);
  return line as LogLine;
}

describe('request log (e2e, spawned process)', () => {
  let dir: string;
  const apps: AppProcess[] = [];
  const start = async (env: Record<string, string>): Promise<AppProcess> => {
    const p = await spawnApp({ SQLITE_PATH: join(dir, `${apps.length}.sqlite`), ...env });
    apps.push(p);
    return p;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'offers-request-log-'));
  });
  afterAll(async () => {
    for (const p of apps) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('at info: one line per request (id, method, path, status, time; no header, key or query), not for /health/live; written within about a second while the app runs', async () => {
    const p = await start({ LOG_LEVEL: 'info' });
    await fetch(`${p.url}/health/live`);
    const partner = await fetch(`${p.url}/x/partners/NOPE/offers/?include_content=false`, {
      method: 'POST',
      headers: { 'X-Api-Key': 'ok_live_not-a-real-key-but-secret', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(partner.status).toBe(401);
    const ready = await fetch(`${p.url}/health/ready`, { headers: { 'X-Request-Id': 'trace-me-42' } });
    expect(ready.status).toBe(200);

    // buffered, yet written within the periodic flush (1 s) while the app keeps running
    const line = await waitForLine(p, '/health/ready', 5000);
    expect(p.child.exitCode).toBeNull();
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: p.child.pid,
      hostname: expect.any(String),
      req: { id: 'trace-me-42', method: 'GET', url: '/health/ready' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      msg: 'request completed',
    });
    const partnerLine = requestLines(p).find((l) => l.req?.url === '/x/partners/NOPE/offers/');
    expect(partnerLine).toEqual(
      expect.objectContaining({
        level: 30,
        req: { id: partner.headers.get('x-request-id'), method: 'POST', url: '/x/partners/NOPE/offers/' },
        res: { statusCode: 401 },
      }),
    );
    expect(requestLines(p).map((l) => l.req?.url)).toEqual(['/x/partners/NOPE/offers/', '/health/ready']);
    const out = p.output();
    expect(out).not.toContain('not-a-real-key');
    expect(out).not.toMatch(/x-api-key|include_content|headers/i);
  });

  it('at warn: no request line; what is logged is written at exit', async () => {
    const p = await start({ LOG_LEVEL: 'warn' });
    for (let i = 0; i < 5; i++) expect((await fetch(`${p.url}/health/ready`)).status).toBe(200);
    await p.stop('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(requestLines(p)).toEqual([]);
    expect(lines(p).every((l) => l.level >= 40)).toBe(true);
  });

  it('LOG_SYNC=true writes each line as it is logged; at exit the buffered mode has lost nothing either', async () => {
    const sync = await start({ LOG_LEVEL: 'info', LOG_SYNC: 'true' });
    const buffered = await start({ LOG_LEVEL: 'info' });
    for (const p of [sync, buffered]) {
      for (let i = 0; i < 20; i++) await fetch(`${p.url}/health/ready?i=${i}`);
    }
    await waitForLine(sync, '/health/ready', 5000);
    for (const p of [sync, buffered]) {
      await p.stop('SIGTERM');
      expect(await p.exited).toEqual({ code: 0, signal: null });
      expect(requestLines(p).filter((l) => l.req?.url === '/health/ready')).toHaveLength(20);
      // the shutdown's own lines, logged after the last request, are there too
      expect(p.output()).toContain('database pool and Redis connections closed');
    }
  });
});
