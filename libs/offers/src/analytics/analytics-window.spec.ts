import { DomainError } from '@app/core';
import { analyticsWindow } from './analytics.service';

const now = new Date('2026-11-25T12:00:00Z');

describe('analyticsWindow', () => {
  it('defaults to the 30 days before now', () => {
    expect(analyticsWindow({}, now)).toEqual({ from: new Date('2026-10-26T12:00:00Z'), to: now });
  });

  it('reads dates as whole UTC days, `to` inclusive', () => {
    expect(analyticsWindow({ from: '2026-11-01', to: '2026-11-30' }, now)).toEqual({
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
    });
  });

  it('reads date-times with a zone exactly', () => {
    expect(analyticsWindow({ from: '2026-11-01T10:00:00+02:00', to: '2026-11-02T00:00:00.5Z' }, now)).toEqual({
      from: new Date('2026-11-01T08:00:00Z'),
      to: new Date('2026-11-02T00:00:00.500Z'),
    });
  });

  it('defaults `from` to 30 days before `to`', () => {
    expect(analyticsWindow({ to: '2026-01-31' }, now).from).toEqual(new Date('2026-01-02T00:00:00Z'));
  });

  it.each([
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-02-30' }, 'to'],
    [{ from: '2026-01-01T00:00:00' }, 'from'],
    [{ from: '2026-13-01' }, 'from'],
    [{ from: '2026-02-01', to: '2026-01-01' }, 'from'],
    [{ from: '2026-12-01' }, 'from'],
  ])('refuses %j (422 on %s)', (input, path) => {
    let err: unknown;
    try {
      analyticsWindow(input, now);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe('invalid');
    expect(Object.keys((err as DomainError).errors ?? {})).toContain(path);
  });
});
