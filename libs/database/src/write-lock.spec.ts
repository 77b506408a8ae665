import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SqliteWriteLock, SqliteWriteLockTimeout } from './write-lock';

/** A thread that takes, holds or releases the lock's memory (see test-workers/lock-taker.worker.js). */
function thread(
  buffer: SharedArrayBuffer,
  action: 'hold' | 'release' | 'die',
  ms: number,
): { worker: Worker; id: number; started: Promise<boolean>; exited: Promise<void> } {
  const worker = new Worker(join(__dirname, 'test-workers', 'lock-taker.worker.js'), { workerData: { buffer, action, ms } });
  const started = new Promise<boolean>((resolve) => worker.once('message', resolve));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // taken now: a thread that has ended may no longer say its id
  return { worker, id: worker.threadId, started, exited };
}

describe('SqliteWriteLock', () => {
  it('is taken once; a second taker times out with SQLITE_BUSY, and gets it after the release', async () => {
    const lock = new SqliteWriteLock();
    await lock.acquire();
    expect(lock.held).toBe(true);
    const started = Date.now();
    let error: unknown;
    try {
      lock.acquireSync(50);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SqliteWriteLockTimeout);
    expect(error).toMatchObject({ code: 'SQLITE_BUSY' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    lock.release();
    expect(lock.held).toBe(false);
    lock.acquireSync(50);
    expect(lock.held).toBe(true);
    lock.release();
  });

  it('the event loop waits for a thread that holds it without blocking, and takes it at the release', async () => {
    const lock = new SqliteWriteLock();
    const t = thread(lock.buffer, 'hold', 150);
    expect(await t.started).toBe(true);
    expect(lock.held).toBe(true);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const started = Date.now();
    try {
      await lock.acquire();
    } finally {
      clearInterval(ticker);
    }
    // the thread held it ~150 ms; the event loop kept running meanwhile
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(ticks).toBeGreaterThanOrEqual(5);
    expect(lock.held).toBe(true);
    lock.release();
    await t.exited;
  });

  it('a thread blocked in acquireSync takes it when another thread releases it', async () => {
    const lock = new SqliteWriteLock();
    await lock.acquire();
    // stands for the event loop's release, from another thread
    const t = thread(lock.buffer, 'release', 100);
    await t.started;
    const started = Date.now();
    lock.acquireSync(5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(lock.held).toBe(true);
    lock.release();
    await t.exited;
  });

  it('the event loop waiting counts as a waiter, and a thread lets it go first (for a short while)', async () => {
    const lock = new SqliteWriteLock();
    const cells = new Int32Array(lock.buffer);
    const t = thread(lock.buffer, 'hold', 80);
    expect(await t.started).toBe(true);
    const waiting = lock.acquire();
    expect(cells[1]).toBe(1);
    await waiting;
    expect(cells[1]).toBe(0);
    lock.release();
    await t.exited;
    // a waiter that does not come: the thread takes the lock after its deferral, not at once
    cells[1] = 1;
    const started = Date.now();
    lock.acquireSync(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(lock.held).toBe(true);
    cells[1] = 0;
    lock.release();
  });

  it('a thread that ended holding it is released by whoever watches it, and only that thread', async () => {
    const lock = new SqliteWriteLock();
    const t = thread(lock.buffer, 'die', 0);
    expect(await t.started).toBe(true);
    await t.exited;
    expect(lock.held).toBe(true);
    expect(lock.releaseHeldBy(t.id + 1000)).toBe(false);
    expect(lock.held).toBe(true);
    expect(lock.releaseHeldBy(t.id)).toBe(true);
    expect(lock.held).toBe(false);
    await lock.acquire();
    // held by this thread now: not released for another
    expect(lock.releaseHeldBy(t.id)).toBe(false);
    lock.release();
  });
});
