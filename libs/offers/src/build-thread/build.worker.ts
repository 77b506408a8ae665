/**
 * Entry of an offer build thread (started by BuildPool): builds offers off the event loop and
 * stores them (BuildThreadHandler). Loaded as compiled JavaScript (dist/), or from the TypeScript
 * sources in tests (startWorker).
 */
import { writeFileSync } from 'node:fs';
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { SchemaValidatorCache } from '@app/schemas';
import { CompiledSchemas } from '../compiled-schemas';
import type { FromBuildThread, ToBuildThread } from './protocol';
import { BuildThreadHandler } from './worker-handler';

try {
  // named for top -H and the benchmark's per-thread CPU (Linux)
  writeFileSync('/proc/thread-self/comm', 'offer-build');
} catch {
  // elsewhere threads keep the process's name
}

const port = parentPort;
if (!port) throw new Error('build.worker must run in a worker thread');
const handler = new BuildThreadHandler(new CompiledSchemas(new SchemaValidatorCache()), (replies: FromBuildThread[]) => port.postMessage(replies));
/** messages handled together at most: what queued while the last batch was built and committed joins the next */
const MAX_BATCH = 256;

port.on('message', (first: ToBuildThread[]) => {
  const batch = [...first];
  for (let more = receiveMessageOnPort(port); more; more = batch.length < MAX_BATCH ? receiveMessageOnPort(port) : undefined) {
    batch.push(...(more.message as ToBuildThread[]));
  }
  handler.handleBatch(batch);
});
