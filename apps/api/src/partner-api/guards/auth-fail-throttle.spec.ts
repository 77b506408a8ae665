import type { Request, Response } from 'express';
import type { AppConfig, SharedCounters } from '@app/core';
import { AuthFailThrottle, AuthRateLimitedError, FailedAuthCounter } from './auth-fail-throttle';

describe('FailedAuthCounter', () => {
  it('lets an IP through until it reaches the limit, then refuses it until the window ends', () => {
    const c = new FailedAuthCounter(3, 60_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(c.retryAfter('1.1.1.1', t0 + i)).toBe(0);
      c.recordFailure('1.1.1.1', t0 + i);
    }
    expect(c.retryAfter('1.1.1.1', t0 + 10)).toBe(60);
    expect(c.retryAfter('1.1.1.1', t0 + 59_500)).toBe(1);
    expect(c.retryAfter('2.2.2.2', t0 + 10)).toBe(0);
    expect(c.retryAfter('1.1.1.1', t0 + 60_000)).toBe(0);
  });

  it('starts a new window after the old one ends', () => {
    const c = new FailedAuthCounter(2, 60_000);
    c.recordFailure('ip', 0);
    c.recordFailure('ip', 70_000);
    expect(c.retryAfter('ip', 70_001)).toBe(0);
    c.recordFailure('ip', 70_002);
    expect(c.retryAfter('ip', 70_003)).toBe(60);
  });

  it('sweeps expired windows so memory stays bounded by recent failures', () => {
    const c = new FailedAuthCounter(5, 60_000);
    for (let i = 0; i < 100; i++) c.recordFailure(`10.0.0.${i}`, 60_000 + i);
    expect(c.trackedClients).toBe(100);
    c.recordFailure('other', 200_000);
    expect(c.trackedClients).toBe(1);
  });
});

describe('AuthFailThrottle with shared counters (several instances)', () => {
  it('blocks an IP whose failures across instances pass the limit, though this instance saw one', async () => {
    const fakeShared = {
      shared: true,
      increment: jest.fn(async () => ({ count: 5, resetInMs: 30_000 })),
    } as unknown as SharedCounters;
    const throttle = new AuthFailThrottle({ authFailLimitPerMin: 5 } as AppConfig, fakeShared);
    const req = { ip: '203.0.113.9', socket: {} } as unknown as Request;
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as Response;
    expect(() => throttle.assertAllowed(req, res)).not.toThrow();
    throttle.fail(req);
    await new Promise((r) => setImmediate(r));
    expect(fakeShared.increment).toHaveBeenCalledWith('authfail:203.0.113.9', 60_000);
    expect(() => throttle.assertAllowed(req, res)).toThrow(AuthRateLimitedError);
    expect(Number(headers['Retry-After'])).toBeGreaterThanOrEqual(29);
    // another IP is not affected
    expect(() => throttle.assertAllowed({ ip: '203.0.113.10', socket: {} } as unknown as Request, res)).not.toThrow();
  });

  it('without Redis it counts per instance only (no shared call)', () => {
    const fakeShared = { shared: false, increment: jest.fn() } as unknown as SharedCounters;
    const throttle = new AuthFailThrottle({ authFailLimitPerMin: 5 } as AppConfig, fakeShared);
    throttle.fail({ ip: '198.51.100.1', socket: {} } as unknown as Request);
    expect(fakeShared.increment).not.toHaveBeenCalled();
  });
});
