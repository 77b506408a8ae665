/**
 * Entry of an offer build thread (started by OfferBuilder): builds offers off the event loop.
 * Loaded as compiled JavaScript (dist/), or from the TypeScript sources through ts-node in tests.
 */
import { writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
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
/** answers go back in small groups: the first offers of a large batch need not wait for the last */
const REPLY_EVERY = 4;

port.on('message', (batch: ToBuildThread[]) => {
  let replies: FromBuildThread[] = [];
  for (const m of batch) {
    const reply = host.handle(m);
    if (!reply) continue;
    replies.push(reply);
    if (replies.length >= REPLY_EVERY) {
      port.postMessage(replies);
      replies = [];
    }
  }
  if (replies.length > 0) port.postMessage(replies);
});
