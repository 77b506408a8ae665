/**
 * The app's logs: JSON lines (pino) to stdout, and one line per request at level `info`.
 *
 * Three choices keep a request line cheap (measured: at the default level the request log cost
 * Create Offer ~0.07 ms of the event loop per request, 18 % of its throughput; test/bench/README.md):
 * - the lines go to stdout through a buffer written when it holds 4 kB or once a second (and
 *   synchronously at exit), not with one write(2) per line; `LOG_SYNC=true` writes each line as
 *   it is logged;
 * - the request log is a pino-http middleware mounted on Express by configureApp, not nestjs-pino's
 *   own, which would also run every request in an AsyncLocalStorage context (on Node 20, a hook on
 *   every promise of the request). Lines logged during a request carry its id explicitly instead;
 * - the serializers take the raw request and response (no intermediate copy of every header).
 */
import { Writable } from 'node:stream';
import type { RequestHandler } from 'express';
import pino from 'pino';
import { pinoHttp, type Options } from 'pino-http';
import type { AppConfig } from '@app/core';
import { requestIdOf } from './request-id';
import { isRehearsal } from './rehearsal';

/** The log levels at which a line is written per request. */
const REQUEST_LOG_LEVELS: ReadonlyArray<AppConfig['logLevel']> = ['info', 'debug', 'trace'];
/** Bytes buffered before a write, and the longest a line waits, when writes are buffered. */
const BUFFER_BYTES = 4096;
const FLUSH_EVERY_MS = 1000;

type Destination = ReturnType<typeof pino.destination>;
const destinations = new Map<boolean, Destination>();

/**
 * stdout as pino writes it, one per process and mode (every app instance of a process shares it).
 * A buffered one is flushed at exit by pino, even after an uncaught exception; a process killed
 * outright (SIGKILL, out of memory) loses what the last second buffered.
 */
export function logDestination(sync: boolean): Destination {
  let dest = destinations.get(sync);
  if (!dest) {
    dest = sync
      ? pino.destination({ dest: 1, sync: true })
      : pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES, periodicFlush: FLUSH_EVERY_MS });
    destinations.set(sync, dest);
  }
  return dest;
}

/**
 * pino-http's options, for the app's logger (nestjs-pino builds it from them) and the request log.
 * Bodies and headers are never logged: they hold keys and personal data.
 */
export function loggerOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    genReqId: (req) => requestIdOf(req as never),
    wrapSerializers: false,
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // error is for our faults (5xx). A 503 is a state the instance is in (warming up, shutting
    // down, database unreachable: each reported where it is detected), a 4xx the client's mistake,
    // an error with a 2xx-4xx a client that went away
    customLogLevel: (_req, res, err) => (res.statusCode === 503 ? 'warn' : res.statusCode >= 500 ? 'error' : err ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
  };
}

/** The request log: one line per finished request (not health or metrics); none above `info`. */
export function requestLogger(config: AppConfig): RequestHandler | null {
  if (!REQUEST_LOG_LEVELS.includes(config.logLevel)) return null;
  const log = pinoHttp(loggerOptions(config), logDestination(config.logSync));
  // a warm-up's rehearsals run the same code, into a log nobody reads (see common/rehearsal.ts)
  const rehearsalLog = pinoHttp(loggerOptions(config), new Writable({ write: (_chunk, _encoding, done) => done() }));
  return ((req, res, next) => (isRehearsal(req) ? rehearsalLog : log)(req, res, next)) as RequestHandler;
}
