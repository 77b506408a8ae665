import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');

/** Runs apps/api/src/main.ts as `npm start` would (from source, transpile-only) with `env`. */
function boot(env: Record<string, string>) {
  return spawnSync(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', join(root, 'apps/api/src/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(root, 'tsconfig.json'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('boot-time configuration check', () => {
  it('a bad value stops the process with a message naming the variable', () => {
    const r = boot({ PORT: 'eighty', LOG_LEVEL: 'silent' });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('PORT');
    expect(r.stderr).toContain('eighty');
  });
});
