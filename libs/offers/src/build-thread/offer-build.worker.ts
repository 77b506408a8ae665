/**
 * Entry of an offer build thread (started by OfferBuilder): builds offers off the event loop.
 * Loaded as compiled JavaScript (dist/), or from the TypeScript sources through ts-node in tests.
 */
import { writeFileSync } from 'node:fs';
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { SchemaValidatorCache } from '@app/schemas';
import { CompiledSchemas } from '../compiled-schemas';
import { OfferBuildHost } from './offer-build.host';
import type { FromBuildThread, ToBuildThread } from './offer-build.protocol';

try {
  // named for top -H and the benchmark's per-thread CPU (Linux)
  writeFileSync('/proc/thread-self/comm', 'offer-build');
} catch {
  // elsewhere threads keep the process's name
}

const port = parentPort;
if (!port) throw new Error('offer-build.worker must run in a worker thread');
const host = new OfferBuildHost(new CompiledSchemas(new SchemaValidatorCache()));
/** messages handled together at most: what queued while the last batch was built and committed joins the next */
const MAX_BATCH = 256;

port.on('message', (first: ToBuildThread[]) => {
  const batch = [...first];
  for (let more = receiveMessageOnPort(port); more; more = batch.length < MAX_BATCH ? receiveMessageOnPort(port) : undefined) {
    batch.push(...(more.message as ToBuildThread[]));
  }
  host.handleBatch(batch, (replies: FromBuildThread[]) => port.postMessage(replies));
});
