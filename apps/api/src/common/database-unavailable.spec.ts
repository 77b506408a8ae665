import { Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { isDatabaseUnavailable } from './database-unavailable';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['node 20 AggregateError (both address families refused)', Object.assign(new AggregateError([withCode('refused', 'ECONNREFUSED')], ''), {})],
    ['pg: terminated', new Error('Connection terminated unexpectedly')],
    ['pg pool: checkout timeout', new Error('timeout exceeded when trying to connect')],
    [
      'pg: admin shutdown (57P01) inside QueryFailedError',
      new QueryFailedError('SELECT 1', [], withCode('terminating connection due to administrator command', '57P01')),
    ],
    ['pg: connection failure (08006)', withCode('connection failure', '08006')],
    ['pg: too many connections', withCode('sorry, too many clients already', '53300')],
    ['sqlite: busy after busy_timeout', withCode('database is locked', 'SQLITE_BUSY')],
    ['sqlite: locked', withCode('database table is locked', 'SQLITE_LOCKED')],
    ['sqlite: I/O error', withCode('disk I/O error', 'SQLITE_IOERR_WRITE')],
    ['a cause chain', new Error('load failed', { cause: withCode('reset', 'ECONNRESET') })],
  ])('%s → unavailable', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('duplicate key value violates unique constraint', '23505'))],
    ['a sqlite constraint', withCode('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_UNIQUE')],
    ['a syntax error', withCode('syntax error at or near', '42601')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ])('%s → not', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});

describe('AllExceptionsFilter: the database unavailable → 503', () => {
  afterEach(() => jest.restoreAllMocks());

  function run(filter: AllExceptionsFilter, exception: unknown) {
    const headers: Record<string, string> = {};
    const res = {
      headersSent: false,
      statusCode: 0,
      body: undefined as unknown,
      setHeader: (k: string, v: string) => (headers[k] = v),
      status(code: number) {
        this.statusCode = code;
        return this;
      },
      json(b: unknown) {
        this.body = b;
        return this;
      },
    };
    const req = { method: 'POST', path: '/x/partners/P/offers/', headers: {} };
    filter.catch(exception, { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as never);
    return { status: res.statusCode, body: res.body as Record<string, unknown>, headers };
  }

  it('answers 503 service_unavailable with Retry-After, no internals, and warns at most once per 10 s', () => {
    const filter = new AllExceptionsFilter();
    const warned: unknown[] = [];
    const errors: unknown[] = [];
    // what the filter logs, through Nest's Logger (and not printed)
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((...a: unknown[]) => void warned.push(a));
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...a: unknown[]) => void errors.push(a));
    for (const err of [
      new QueryFailedError('SELECT 1', [], withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')),
      withCode('database is locked', 'SQLITE_BUSY'),
      new Error('Connection terminated unexpectedly'),
    ]) {
      const r = run(filter, err);
      expect(r.status).toBe(503);
      expect(r.body).toEqual({ type: 'server_error', code: 'service_unavailable', message: expect.any(String), error_id: expect.any(String) });
      expect(Number(r.headers['Retry-After'])).toBeGreaterThan(0);
      expect(JSON.stringify(r.body)).not.toMatch(/5432|SQLITE|terminated/);
    }
    expect(warned).toHaveLength(1);
    expect(errors).toHaveLength(0);
  });

  it('a body-parser abort (ECONNABORTED from the client) is not mistaken for the database', () => {
    const filter = new AllExceptionsFilter();
    const r = run(filter, Object.assign(new Error('request aborted'), { type: 'request.aborted', status: 400, code: 'ECONNABORTED' }));
    expect(r.status).toBe(400);
  });
});
