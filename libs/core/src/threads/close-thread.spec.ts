import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { closeThread } from './close-thread';

describe('closeThread', () => {
  it('ends the thread once it says it is done', async () => {
    const worker = new Worker(join(__dirname, 'test-workers', 'answers-close.worker.js'));
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const started = Date.now();
    await closeThread(worker, (closed) => {
      worker.on('message', (m) => m === 'closed' && closed());
      worker.postMessage('close');
    });
    await exited;
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('a thread that never answers is ended after the grace period', async () => {
    const worker = new Worker(join(__dirname, 'test-workers', 'never-answers.worker.js'));
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const started = Date.now();
    await closeThread(worker, () => undefined, 150);
    await exited;
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
