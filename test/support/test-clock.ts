import { Clock } from '@app/core';

/**
 * The app's clock in a test: the real time until the test pins it (`pin`), then moved only by the
 * test (`advance`), so a test reaches "15 days after the confirmation" without sleeping. It holds
 * on build threads too: each build takes its time from the event loop's clock (the `now` of the
 * build message), and the restart delay of a build thread that died is measured on it.
 */
export class TestClock extends Clock {
  private pinned: number | null = null;

  now(): Date {
    return new Date(this.pinned ?? Date.now());
  }

  /** from now on the clock reads `at` until pinned again or advanced */
  pin(at: Date | string | number): void {
    this.pinned = new Date(at).getTime();
  }

  /** moves the clock forward (pinning it at the real time first if it was not pinned) */
  advance(ms: number): void {
    this.pinned = (this.pinned ?? Date.now()) + ms;
  }

  /** back to the real time */
  release(): void {
    this.pinned = null;
  }
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
