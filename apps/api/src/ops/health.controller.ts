import { Controller, Get, Header, Inject, Optional, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import type { Response } from 'express';
import { REDIS, type RedisConnection } from '@app/core';
import { HttpMetrics } from './metrics';
import { ShutdownState } from './shutdown';
import { WarmUp } from './warm-up';

interface Check {
  status: 'up' | 'down';
  message?: string;
}

export interface ReadinessBody {
  /** ok; degraded (200: Redis configured but unreachable); warming_up (503: just started); error (503: database down); shutting_down (503) */
  status: 'ok' | 'degraded' | 'warming_up' | 'error' | 'shutting_down';
  info: Record<string, Check>;
  error: Record<string, Check>;
  details: Record<string, Check>;
}

const DATABASE_PING_TIMEOUT_MS = 1500;

@ApiTags('ops')
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(HttpMetrics) private readonly metrics: HttpMetrics,
    private readonly warmUp: WarmUp,
    @Optional() @Inject(REDIS) private readonly redis: RedisConnection | null,
    @Optional() private readonly shutdown?: ShutdownState,
  ) {}

  @Get('health/live')
  @ApiOkResponse({ description: 'The process is up', schema: { example: { status: 'ok' } } })
  live(): { status: string } {
    return { status: 'ok' };
  }

  /**
   * Readiness for a load balancer. The database is required: without it → 503. Redis is not: an
   * instance that cannot reach it still serves correctly (rate limits and cache per instance), and
   * Redis is shared, so answering 503 for it would drain every instance at once on one Redis blip
   * — it answers 200 with `status: "degraded"` and `redis: down`, for monitoring to alert on.
   * A started instance answers 503 `warming_up` until its warm-up is over (ops/warm-up.ts), so it is
   * sent traffic only once it serves at speed.
   */
  @Get('health/ready')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({
    description:
      'Ready: the database answers. `status` is `degraded` when Redis is configured but unreachable (still served, with per-instance limits and cache)',
    schema: {
      example: {
        status: 'ok',
        info: { database: { status: 'up' }, redis: { status: 'up' }, warm_up: { status: 'up' } },
        error: {},
        details: { database: { status: 'up' }, redis: { status: 'up' }, warm_up: { status: 'up' } },
      },
    },
  })
  @ApiServiceUnavailableResponse({
    description: 'Not ready: still warming up after start (`warming_up`), the database does not answer, or the instance is shutting down',
  })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessBody> {
    const details: Record<string, Check> = { database: await this.pingDatabase() };
    if (this.redis) details.redis = this.redis.available ? { status: 'up' } : { status: 'down', message: this.redis.problem };
    details.warm_up = this.warmUp.done ? { status: 'up' } : { status: 'down', message: 'warming up: rehearsing Create Offer before taking traffic' };
    const info: Record<string, Check> = {};
    const error: Record<string, Check> = {};
    for (const [name, check] of Object.entries(details)) (check.status === 'up' ? info : error)[name] = check;
    let status: ReadinessBody['status'] = 'ok';
    if (details.redis?.status === 'down') status = 'degraded';
    if (!this.warmUp.done) status = 'warming_up';
    if (details.database.status === 'down') status = 'error';
    if (this.shutdown?.draining) status = 'shutting_down';
    res.status(status === 'ok' || status === 'degraded' ? 200 : 503);
    return { status, info, error, details };
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Cache-Control', 'no-store')
  async prometheus(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }

  private async pingDatabase(): Promise<Check> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${DATABASE_PING_TIMEOUT_MS} ms`)), DATABASE_PING_TIMEOUT_MS);
        }),
      ]);
      return { status: 'up' };
    } catch (e) {
      return { status: 'down', message: e instanceof Error ? e.message : String(e) };
    } finally {
      clearTimeout(timer);
    }
  }
}
