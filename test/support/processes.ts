import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { sleep } from './wait';

const ROOT = join(__dirname, '../..');
const DIST_MAIN = join(ROOT, 'dist/apps/api/src/main.js');

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * How to run the app in a process of its own: the build (`dist/`) when it is newer than every
 * source file (CI builds first), else the sources through ts-node (transpile only, ~10 s to start).
 */
export function appCommand(): string[] {
  if (existsSync(DIST_MAIN)) {
    const built = statSync(DIST_MAIN).mtimeMs;
    if (built > Math.max(newestSource(join(ROOT, 'apps')), newestSource(join(ROOT, 'libs')))) return [DIST_MAIN];
  }
  return ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(ROOT, 'apps/api/src/main.ts')];
}

export interface AppProcess {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  /** everything it wrote to stdout and stderr so far */
  output(): string;
  /** resolves with how it ended */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** kills it (SIGKILL unless told) and waits for it */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the app (main.ts: listen, graceful shutdown) with `env` on top of a clean test
 * environment, and resolves once /health/live answers.
 */
export async function spawnApp(env: Record<string, string>, options: { port?: number; startTimeoutMs?: number } = {}): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, appCommand(), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const proc: AppProcess = {
    port,
    url,
    child,
    output: () => out,
    exited,
    stop: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let ended = false;
  void exited.then(() => (ended = true));
  while (Date.now() < deadline && !ended) {
    try {
      const res = await fetch(`${url}/health/live`);
      if (res.ok) return proc;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await proc.stop();
  throw new Error(`the app did not start on port ${port}:\n${out.slice(-4000)}`);
}

/** true when a redis-server binary is on the PATH */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface ThrowawayRedis {
  readonly port: number;
  readonly url: string;
  /** SIGKILL: gone, connections refused */
  kill(): Promise<void>;
  /** starts again on the same port (empty: no persistence) */
  start(): Promise<void>;
  /** SIGSTOP: frozen, connections hang */
  pause(): void;
  /** SIGCONT */
  resume(): void;
  /** a client of its own, for assertions */
  client(): Redis;
}

/** A redis-server of the test's own, on a spare port, without persistence. */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const clients: Redis[] = [];
  const start = async () => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    child = c;
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        await sleep(50);
      }
    }
    probe.disconnect();
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGCONT');
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: async () => {
      for (const cl of clients.splice(0)) cl.disconnect();
      await kill();
    },
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    client: () => {
      const cl = new Redis({ port, host: '127.0.0.1' });
      cl.on('error', () => undefined);
      clients.push(cl);
      return cl;
    },
  };
}
