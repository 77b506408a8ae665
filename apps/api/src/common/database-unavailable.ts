/**
 * Tells "the database cannot be reached or is refusing work for now" (→ 503 service_unavailable
 * with Retry-After: retry later, nothing was written) from every other failure (→ 500).
 * Looks through TypeORM's QueryFailedError (`driverError`), `cause` chains and AggregateError.
 */

/** socket-level failures, from node or node-pg */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01-57P03 (admin or crash shutdown,
 * cannot connect now), 53300 (too many connections), 53400 (configuration limit exceeded).
 */
const PG_STATES = /^(08\d{3}|57P0[123]|53300|53400)$/;

/** SQLite: busy or locked past busy_timeout, I/O errors, database file unusable */
const SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|PROTOCOL|NOLFS)/;

/** node-pg and its pool, and TypeORM, say these in messages only */
const MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Connection (is )?closed/,
  /^Driver not Connected/,
  /^The server does not support SSL connections/,
  /Cannot .* because connection is not yet established|Connection with .* database is not established/i,
];

function* related(err: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (depth > 5 || typeof err !== 'object' || err === null) return;
  const e = err as Record<string, unknown>;
  yield e;
  yield* related(e.driverError, depth + 1);
  yield* related(e.cause, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* related(inner, depth + 1);
}

export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of related(err)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (NETWORK_CODES.has(code) || PG_STATES.test(code) || SQLITE_CODES.test(code))) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (MESSAGES.some((m) => m.test(message))) return true;
  }
  return false;
}
