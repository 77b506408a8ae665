import { DomainError, NotFoundError } from './domain-error';

describe('DomainError', () => {
  it('keeps its fields and name, and captures no stack frames for an expected answer', () => {
    const limit = Error.stackTraceLimit;
    const e = new NotFoundError('offer_not_found', 'Offer not found', { hint: 1 });
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ kind: 'not_found', code: 'offer_not_found', message: 'Offer not found', extra: { hint: 1 }, name: 'NotFoundError' });
    expect(e.stack ?? '').not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(limit);
    // other errors still get their stack
    expect(new Error('fault').stack).toMatch(/\n\s+at /);
  });

  it('an unavailable database keeps its stack for the logs', () => {
    const e = new DomainError('unavailable', 'service_unavailable', 'Database unavailable');
    expect(e.stack).toMatch(/\n\s+at /);
  });
});
