import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The repository root (the nearest tsconfig.json above `from`), for a thread started from the TypeScript sources. */
function sourceRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'tsconfig.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no tsconfig.json above ${from}`);
    dir = up;
  }
  return dir;
}

/**
 * A worker thread running the module `name` of the folder `dir` (a worker's own `__dirname`): its
 * compiled JavaScript when it is there (`dist/`, as the app runs), else its TypeScript source,
 * loaded through ts-node with the repository's path aliases (the test run, which has no build).
 */
export function startWorker(dir: string, name: string, options: WorkerOptions = {}): Worker {
  const js = join(dir, `${name}.js`);
  if (existsSync(js)) return new Worker(js, options);
  return new Worker(join(dir, `${name}.ts`), {
    ...options,
    execArgv: [
      ...(options.execArgv ?? []),
      '--require',
      require.resolve('ts-node/register/transpile-only'),
      '--require',
      require.resolve('tsconfig-paths/register'),
    ],
    env: { ...process.env, TS_NODE_PROJECT: join(sourceRoot(dir), 'tsconfig.json') },
  });
}
