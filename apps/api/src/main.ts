import 'reflect-metadata';
import { ConfigValidationError, loadDotEnv } from '@app/core';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  loadDotEnv();
  const { app, config } = await createApp();
  await app.listen(config.port, config.host);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigValidationError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
