import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';

/** Set once SIGTERM (or SIGINT) is received: /health/ready answers 503 from then on. */
export class ShutdownState {
  draining = false;
}

export interface GracefulShutdownOptions {
  /** in-flight requests get this long to finish; then their connections are cut (ms) */
  drainTimeoutMs?: number;
  log?: (message: string) => void;
  /** called at the very end with the exit code (process.exit in main.ts) */
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/**
 * Graceful shutdown for a listening app: on SIGTERM/SIGINT it
 * 1. stops accepting connections and marks the instance not ready (ShutdownState);
 * 2. lets in-flight requests finish: idle keep-alive connections are closed at once, busy ones
 *    answer with `Connection: close` and are closed after their response (a request arriving on
 *    a kept-alive connection meanwhile is still served, likewise);
 * 3. past `drainTimeoutMs` (default 25 s, under the usual 30 s of orchestrators) cuts what is left;
 * 4. closes the app: Nest's shutdown hooks close the database pool and the Redis connections;
 * 5. exits 0 (1 when closing failed). A second signal while draining exits at once (1).
 * Returns a function that runs the same sequence (for tests).
 */
export function installGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions = {}): (signal: string) => Promise<void> {
  const drainTimeoutMs = options.drainTimeoutMs ?? 25_000;
  const log = options.log ?? (() => undefined);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const server = app.getHttpServer() as Server;
  const state = app.get(ShutdownState, { strict: false });
  let shutting: Promise<void> | undefined;

  // during the drain every response closes its connection, so clients reconnect elsewhere
  server.on('request', (_req, res) => {
    if (state.draining && !res.headersSent) res.setHeader('Connection', 'close');
  });

  const shutdown = (signal: string): Promise<void> => {
    if (shutting) {
      log(`${signal} received again while draining: exiting now`);
      exit(1);
      return shutting;
    }
    shutting = (async () => {
      state.draining = true;
      log(`${signal} received: no longer accepting connections, finishing in-flight requests`);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // connections that were busy when close() was called: close each as soon as it is idle
      const sweeper = setInterval(() => server.closeIdleConnections(), 100);
      let timedOut = false;
      const deadline = setTimeout(() => {
        timedOut = true;
        server.closeAllConnections();
      }, drainTimeoutMs);
      await closed;
      clearInterval(sweeper);
      clearTimeout(deadline);
      log(timedOut ? `requests still running after ${drainTimeoutMs} ms were cut` : 'in-flight requests finished');
      let code = 0;
      try {
        await app.close();
        log('database pool and Redis connections closed; exiting');
      } catch (e) {
        log(`closing failed: ${e instanceof Error ? e.message : String(e)}`);
        code = 1;
      }
      exit(code);
    })();
    return shutting;
  };

  for (const signal of options.signals ?? (['SIGTERM', 'SIGINT'] as NodeJS.Signals[])) {
    process.on(signal, () => void shutdown(signal));
  }
  return shutdown;
}
