'use strict';
/**
 * Preloaded (`node -r`) into the app only by `npm run bench -- --profile`.
 *
 * `node --cpu-prof` writes its profile when the process exits normally, not when a signal kills
 * it. Nest's shutdown hooks close the app on SIGTERM and then re-raise the signal with
 * `process.kill(process.pid, signal)`, which would lose the profile. This listener lets the first
 * SIGTERM through to Nest (graceful close) and turns the re-raised one into `process.exit(0)`,
 * with a 15 s safety net in case the graceful close hangs.
 */
let received = 0;
process.on('SIGTERM', () => {
  received += 1;
  if (received >= 2) process.exit(0);
  setTimeout(() => process.exit(0), 15000).unref();
});
