import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '../../..');
const BUILT_MAIN = join(REPO_ROOT, 'dist/apps/api/src/main.js');

declare global {
  /** the app globalSetup started, for globalTeardown (both run in jest's own process) */
  var browserSuiteApp: RunningApp | undefined;
}

/** The built app running in a process of its own, on its own port and SQLite file. */
export interface RunningApp {
  readonly url: string;
  readonly adminKey: string;
  readonly child: ChildProcess;
  readonly dataDir: string;
  output(): string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no free port');
  return address.port;
}

/** Polls `check` until it holds (another process: nothing to subscribe to), or throws after `timeoutMs`. */
async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error(`${what}: the process ended`);
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Starts `node dist/apps/api/src/main.js` on a free 127.0.0.1 port with a fresh SQLite file, an
 * admin key and the demo partner, and resolves once /health/ready answers 200 (migrated, warmed up).
 */
export async function startApp(): Promise<RunningApp> {
  if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run node scripts/build-if-needed.js (npm run test:browser does)`);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'browser-suite-'));
  const adminKey = `browser-suite-admin-${randomBytes(12).toString('hex')}`;
  const child = spawn(process.execPath, [BUILT_MAIN], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      SQLITE_PATH: join(dataDir, 'offers.sqlite'),
      DEMO_KEY_PATH: join(dataDir, 'demo-key.txt'),
      SEED_DEMO: 'true',
      ADMIN_API_KEY: adminKey,
      APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
      WEBHOOKS_ENABLED: 'false',
      RETENTION_ENABLED: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let ended = false;
  child.once('exit', () => (ended = true));
  const url = `http://127.0.0.1:${port}`;
  const app: RunningApp = { url, adminKey, child, dataDir, output: () => output };
  try {
    await pollUntil(
      `${url}/health/ready`,
      async () => {
        try {
          return (await fetch(`${url}/health/ready`)).status === 200;
        } catch {
          return false; // not listening yet
        }
      },
      90_000,
      () => ended,
    );
  } catch (error) {
    await stopApp(app);
    throw new Error(`the app did not become ready: ${(error as Error).message}\n${output.slice(-4000)}`);
  }
  return app;
}

/** SIGTERM (graceful shutdown), SIGKILL if it lingers; then removes its data. */
export async function stopApp(app: RunningApp): Promise<void> {
  const { child } = app;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(app.dataDir, { recursive: true, force: true });
}
