import type { ArgumentsHost } from '@nestjs/common';
import { Logger, NotFoundException } from '@nestjs/common';
import { InvalidError, UnavailableError } from '@app/core';
import { AllExceptionsFilter } from './all-exceptions.filter';

function run(exception: unknown) {
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
  const req = { method: 'POST', path: '/x', headers: {} };
  const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
  const filter = new AllExceptionsFilter();
  const logged: unknown[] = [];
  // what the filter logs, through Nest's Logger (and not printed)
  const error = jest.spyOn(Logger.prototype, 'error').mockImplementation((...a: unknown[]) => void logged.push(a));
  try {
    filter.catch(exception, host);
  } finally {
    error.mockRestore();
  }
  return { status: res.statusCode, body: res.body as Record<string, unknown>, headers, logged };
}

describe('AllExceptionsFilter (the one error envelope)', () => {
  it('an unexpected error is a 500 internal_error with an error id, no stack, no message, logged once with the stack', () => {
    const err = new Error('SQLITE_ERROR: no such column secret_column');
    const r = run(err);
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ type: 'server_error', code: 'internal_error', message: 'Internal server error', error_id: expect.any(String) });
    expect(JSON.stringify(r.body)).not.toContain('SQLITE');
    expect(r.logged).toHaveLength(1);
  });

  it('domain errors keep their code, paths and extra fields', () => {
    const r = run(new InvalidError('offer_validation_error', 'Request validation failed', { '/context/trip_cost': ['must be >= 0'] }));
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ type: 'validation_error', code: 'offer_validation_error', errors: { '/context/trip_cost': ['must be >= 0'] } });
    expect(r.logged).toHaveLength(0);
  });

  it('503 carries Retry-After', () => {
    const r = run(new UnavailableError());
    expect(r.status).toBe(503);
    expect(r.headers['Retry-After']).toBe('5');
    expect(r.body.code).toBe('service_unavailable');
  });

  it("body-parser's errors and Nest's 404 are mapped, not 500", () => {
    expect(run(Object.assign(new Error('x'), { type: 'entity.parse.failed', status: 400 })).status).toBe(400);
    expect(run(Object.assign(new Error('x'), { type: 'entity.too.large', status: 413 })).status).toBe(413);
    expect(run(Object.assign(new Error('x'), { type: 'charset.unsupported', status: 415 })).status).toBe(415);
    expect(run(new NotFoundException()).body.code).toBe('not_found');
  });
});
