import { FailedAuthCounter } from './auth-fail-throttle';

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
