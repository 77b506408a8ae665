'use strict';
/**
 * A thread for write-lock.spec, on the lock's memory: `hold` takes it (if free), says so, keeps it
 * `ms` and releases it; `release` releases it after `ms`; `die` takes it and ends without
 * releasing it. Raw Atomics (slot 0: 0 free, else the holder's thread id + 1), as SqliteWriteLock
 * lays it out.
 */
const { parentPort, workerData, threadId } = require('node:worker_threads');

const cells = new Int32Array(workerData.buffer);
const nap = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
if (workerData.action === 'die') {
  parentPort.postMessage(Atomics.compareExchange(cells, 0, 0, threadId + 1) === 0);
} else if (workerData.action === 'hold') {
  const took = Atomics.compareExchange(cells, 0, 0, threadId + 1) === 0;
  parentPort.postMessage(took);
  nap(workerData.ms);
} else {
  parentPort.postMessage(true);
  nap(workerData.ms);
}
if (workerData.action !== 'die') {
  Atomics.store(cells, 0, 0);
  Atomics.notify(cells, 0);
}
