import { Controller, Get, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/** Mounted only when OFFERS_TEST_HOOKS=1 (never in production): see testHooksEnabled. */
export function testHooksEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OFFERS_TEST_HOOKS === '1' && env.NODE_ENV !== 'production';
}

/**
 * Test-only routes for process-level tests (graceful shutdown): a request that takes as long as
 * the test wants. Not part of the API, not in the docs, absent unless OFFERS_TEST_HOOKS=1.
 */
@ApiExcludeController()
@Controller('__test')
export class TestHooksController {
  @Get('sleep')
  async sleep(@Query('ms') ms?: string): Promise<{ slept: number }> {
    const wait = Math.min(Math.max(Number(ms) || 0, 0), 30_000);
    await new Promise((r) => setTimeout(r, wait));
    return { slept: wait };
  }
}
