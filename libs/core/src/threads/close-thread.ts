import type { Worker } from 'node:worker_threads';

/**
 * Ends a worker thread in order: `ask` tells it to finish what it was sent (and close what it
 * holds) and calls `closed` when it says it is done; the thread is then terminated. It is
 * terminated anyway after `graceMs`, or as soon as it exits by itself. The thread keeps the
 * process alive meanwhile.
 */
export async function closeThread(worker: Worker, ask: (closed: () => void) => void, graceMs = 5000): Promise<void> {
  worker.ref();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, graceMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    worker.once('exit', done);
    ask(done);
  });
  await worker.terminate();
}
