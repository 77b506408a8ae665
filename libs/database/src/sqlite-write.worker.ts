/**
 * Entry of the SQLite write thread (started by SqliteWriteWorker): each message's statements in
 * one transaction on a connection of its own (SqliteTransactions), answered in order.
 */
import { writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteTransactions, type SqliteWriteTarget } from './sqlite-transactions';
import type { SqlStatement } from './sql-statement';

/** to the thread: statements to run, or the order to close */
export type ToSqliteWriter = { id: number; statements: readonly SqlStatement[] } | { close: true };
/** from the thread: ready, a write's outcome (id 0: the connection could not be opened), closed */
export type FromSqliteWriter = { ready: true } | { closed: true } | { id: number; ok: true } | { id: number; ok: false; error: { message: string; code?: string } };

try {
  // named for top -H and the benchmark's per-thread CPU (Linux)
  writeFileSync('/proc/thread-self/comm', 'sqlite-writer');
} catch {
  // elsewhere threads keep the process's name
}

const port = parentPort;
if (!port) throw new Error('sqlite-write.worker must run in a worker thread');
const send = (m: FromSqliteWriter): void => port.postMessage(m);
const failure = (e: unknown): { message: string; code?: string } => {
  const code = (e as { code?: unknown } | null)?.code;
  return { message: e instanceof Error ? e.message : String(e), ...(typeof code === 'string' ? { code } : {}) };
};

let store: SqliteTransactions;
try {
  store = new SqliteTransactions(workerData as SqliteWriteTarget);
} catch (e) {
  send({ id: 0, ok: false, error: failure(e) });
  throw e;
}
port.on('message', (m: ToSqliteWriter) => {
  if ('close' in m) {
    store.close();
    send({ closed: true });
    return;
  }
  try {
    store.run(m.statements);
    send({ id: m.id, ok: true });
  } catch (e) {
    send({ id: m.id, ok: false, error: failure(e) });
  }
});
send({ ready: true });
