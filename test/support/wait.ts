/**
 * Waiting in tests. App time comes from the test clock (test-clock.ts), never from sleeping: what
 * is left here is for what no clock of ours governs — another process, a socket, Redis's own
 * expiries, a thread — and it polls for the condition instead of sleeping a fixed time.
 */

/** Real time only: a retry's pause, or a poll's interval. Say at the call why no clock can stand in. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it returns true; resolves with the time it took, or throws after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5000, everyMs = 50): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
