import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigValidationError, loadDotEnv } from '@app/core';
import { createApp } from './bootstrap';
import { installGracefulShutdown } from './ops/shutdown';

async function main(): Promise<void> {
  loadDotEnv();
  const { app, config } = await createApp();
  await app.listen(config.port, config.host);
  const logger = new Logger('Shutdown');
  installGracefulShutdown(app, { log: (m) => logger.log(m) });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigValidationError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
