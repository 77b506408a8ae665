/**
 * The right to write to one SQLite file, shared by the threads of this process that hold a
 * connection to it (the event loop's TypeORM connection and the offer build threads).
 * SQLite has one writer at a time and would make a second one wait in its busy handler, which
 * sleeps the thread that asks: harmless in a worker thread, a stall of every request on the event
 * loop. So the writers take this lock first: worker threads block on it (they have nothing else to
 * do meanwhile), the event loop waits for it asynchronously.
 *
 * Fairness: the event loop says it is waiting; a thread then lets it go first (for up to
 * YIELD_MS), so a stream of thread commits cannot keep the event loop's transactions out.
 *
 * The state lives in a SharedArrayBuffer, which crosses to worker threads as it is (workerData
 * or postMessage) and is the same memory there. It records which thread holds the lock, so a
 * thread that ends while holding it (terminated mid-transaction) can be released by whoever
 * watches it (releaseHeldBy).
 */
import { threadId } from 'node:worker_threads';

const FREE = 0;
/** slot 0: FREE, or the holder (its thread id + 1); slot 1: event-loop waiters */
const STATE = 0;
const WAITERS = 1;
/** how long a thread defers to a waiting event loop before it competes again */
const YIELD_MS = 20;

export class SqliteWriteLockTimeout extends Error {
  readonly code = 'SQLITE_BUSY';
  constructor(ms: number) {
    super(`the SQLite write lock was not free within ${ms} ms`);
    this.name = 'SqliteWriteLockTimeout';
  }
}

/** the value of the state while a thread holds the lock */
const holder = (thread: number): number => thread + 1;

export class SqliteWriteLock {
  private readonly cells: Int32Array;
  /** this thread, as a holder */
  private readonly me = holder(threadId);

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.cells = new Int32Array(buffer);
  }

  get held(): boolean {
    return Atomics.load(this.cells, STATE) !== FREE;
  }

  /**
   * For worker threads: blocks until the lock is taken, or throws SqliteWriteLockTimeout after
   * `timeoutMs` (a SQLITE_BUSY: the caller's write fails, as it would past busy_timeout).
   */
  acquireSync(timeoutMs: number): void {
    const deadline = Date.now() + timeoutMs;
    // the event loop is waiting: let it take the lock first
    if (Atomics.load(this.cells, WAITERS) > 0) Atomics.wait(this.cells, STATE, FREE, YIELD_MS);
    for (
      let seen = Atomics.compareExchange(this.cells, STATE, FREE, this.me);
      seen !== FREE;
      seen = Atomics.compareExchange(this.cells, STATE, FREE, this.me)
    ) {
      const left = deadline - Date.now();
      if (left <= 0) throw new SqliteWriteLockTimeout(timeoutMs);
      Atomics.wait(this.cells, STATE, seen, left);
    }
  }

  /** For the event loop: resolves once the lock is taken (never blocks the thread). */
  async acquire(): Promise<void> {
    if (Atomics.compareExchange(this.cells, STATE, FREE, this.me) === FREE) return;
    Atomics.add(this.cells, WAITERS, 1);
    try {
      for (
        let seen = Atomics.compareExchange(this.cells, STATE, FREE, this.me);
        seen !== FREE;
        seen = Atomics.compareExchange(this.cells, STATE, FREE, this.me)
      ) {
        const w = Atomics.waitAsync(this.cells, STATE, seen);
        if (w.async) await w.value;
      }
    } finally {
      Atomics.sub(this.cells, WAITERS, 1);
    }
    // a thread deferring to us (acquireSync) goes back to waiting for the release
    Atomics.notify(this.cells, STATE);
  }

  release(): void {
    Atomics.store(this.cells, STATE, FREE);
    Atomics.notify(this.cells, STATE);
  }

  /** Frees the lock if the thread `thread` (a worker's threadId) holds it: for a thread that ended. Says whether it did. */
  releaseHeldBy(thread: number): boolean {
    if (Atomics.compareExchange(this.cells, STATE, holder(thread), FREE) !== holder(thread)) return false;
    Atomics.notify(this.cells, STATE);
    return true;
  }
}
