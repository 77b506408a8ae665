import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { sample } from 'openapi-sampler';
import { ActiveConfigService, type ActiveConfig } from '@app/bundles';
import { APP_CONFIG, Clock, type AppConfig } from '@app/core';
import { ApiKeysService, PartnersService } from '@app/partners';
import type { KeyMode } from '@app/rules';
import { OfferBuilder } from './build-thread/offer-builder';
import type { OfferQuery } from './offer-engine.types';
import { OffersRepository } from './offers.repository';

/** a request the warm-up rehearses: JSON text (a request is consumed by its build) and the key mode it came with */
interface Sample {
  active: ActiveConfig;
  json: string;
  mode: KeyMode;
}

export interface WarmUpSummary {
  /** ms from the start of the warm-up to its end */
  ms: number;
  partners: number;
  samples: number;
  /** offers built (and not stored) */
  builds: number;
  /** builds answered with an error (a sample the schema refuses still exercises validation) */
  refused: number;
  /** the cost per build settled before the time limit */
  settled: boolean;
}

/** recent offers read per partner to find a request for each of its offer configs */
const RECENT_OFFERS = 50;
/** builds in flight at once per round: enough to keep every build thread busy */
const CONCURRENT_BUILDS = 8;
/** builds per round and sample */
const ROUND_BUILDS = 40;
/** fewest rounds, whatever the timings say: the first rounds run code V8 has not optimised yet */
const MIN_ROUNDS = 4;
/** a round within this fraction of the one before is "the same cost" */
const SETTLED_WITHIN = 0.15;
/** extra fields the rehearsed requests ask for, so their code paths are warm too */
const EXTRA_FIELDS = ['tax', 'surcharge', 'commission', 'benefits', 'extra_fields', 'experiment'];

/**
 * Warm before ready: after start, the instance loads and compiles every active partner's
 * configuration (here and in each build thread) and rehearses Create Offer until the cost of a
 * build settles, so the first partner requests after `/health/ready` answers 200 cost what later
 * ones do. The rehearsed requests are each partner's most recent stored requests (one per offer
 * config), else a sample made from each offer schema (its `examples` when it has some). They go
 * through the service, the configuration cache and the build threads like Create Offer, and
 * through the reads every request makes (its API key, an offer): nothing is stored, counted in
 * metrics or analytics, or audited. Bounded by WARMUP_MAX_SECONDS (0 skips it).
 */
@Injectable()
export class OfferWarmUp implements OnModuleDestroy {
  private readonly logger = new Logger('WarmUp');
  private readonly maxMs: number;
  private finished = false;
  private stopped = false;
  private running: Promise<WarmUpSummary | null> | undefined;

  constructor(
    private readonly partners: PartnersService,
    private readonly apiKeys: ApiKeysService,
    private readonly configs: ActiveConfigService,
    private readonly builder: OfferBuilder,
    private readonly repo: OffersRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'warmupMaxSeconds'>,
  ) {
    this.maxMs = config.warmupMaxSeconds * 1000;
    this.finished = this.maxMs === 0;
  }

  /** the warm-up is over (or was skipped): the instance can take traffic */
  get done(): boolean {
    return this.finished;
  }

  /** Starts the warm-up once (later calls return the same run); resolves with its summary, null when skipped. Never rejects. */
  start(): Promise<WarmUpSummary | null> {
    this.running ??= this.maxMs === 0 ? Promise.resolve(null) : this.run();
    return this.running;
  }

  onModuleDestroy(): void {
    this.stopped = true;
  }

  private async run(): Promise<WarmUpSummary | null> {
    const started = performance.now();
    const deadline = started + this.maxMs;
    try {
      const samples = await this.samples();
      const { builds, refused, settled } = await this.rehearse(samples, deadline);
      const summary: WarmUpSummary = {
        ms: Math.round(performance.now() - started),
        partners: new Set(samples.map((s) => s.active.partnerId)).size,
        samples: samples.length,
        builds,
        refused,
        settled,
      };
      const notes = [
        ...(summary.settled ? [] : ['the time limit came before the cost settled']),
        ...(summary.refused > 0 ? [`${summary.refused} builds refused: give each offer schema an \`examples\` request its configs accept`] : []),
      ];
      this.logger.log(
        { warmUp: summary },
        `warm-up done in ${summary.ms} ms: ${summary.builds} offers built (none stored) from ${summary.samples} sample requests of ${summary.partners} partners${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`,
      );
      return summary;
    } catch (err) {
      // an instance that cannot warm up still serves (readiness also checks the database)
      this.logger.warn({ err }, 'warm-up failed; ready without it');
      return null;
    } finally {
      this.finished = true;
    }
  }

  /** one request per offer config of every active partner */
  private async samples(): Promise<Sample[]> {
    const out: Sample[] = [];
    for (const partner of await this.partners.list()) {
      if (partner.status !== 'active' || partner.currentVersion === 0 || this.stopped) continue;
      // loads the configuration and compiles it here and in every build thread (ActiveConfigService.onLoad)
      const active = await this.configs.get(partner.id);
      const covered = new Set<string>();
      for (const recent of await this.repo.recentRequests(partner.id, RECENT_OFFERS)) {
        if (covered.has(recent.offerConfigId) || !active.configs.some((c) => c.id === recent.offerConfigId)) continue;
        covered.add(recent.offerConfigId);
        out.push({ active, json: JSON.stringify(recent.request), mode: recent.keyMode === 'test' ? 'test' : 'live' });
      }
      for (const schema of active.schemas) {
        const uncovered = active.configs.filter((c) => c.schema === schema.id && !covered.has(c.id));
        if (uncovered.length === 0) continue;
        const body = sample(schema.json_schema as Parameters<typeof sample>[0], { skipReadOnly: true, enablePatterns: true, quiet: true });
        if (typeof body !== 'object' || body === null || Array.isArray(body)) continue;
        (body as Record<string, unknown>).schema = schema.id;
        const modes = uncovered[0].access?.key_modes;
        out.push({ active, json: JSON.stringify(body), mode: modes && !modes.includes('live') ? 'test' : 'live' });
      }
    }
    return out;
  }

  /** rounds of builds of every sample, until a round costs what the one before did (or the deadline) */
  private async rehearse(samples: Sample[], deadline: number): Promise<{ builds: number; refused: number; settled: boolean }> {
    let builds = 0;
    let refused = 0;
    let previous = Infinity;
    for (let round = 1; !this.stopped && performance.now() < deadline; round++) {
      const started = performance.now();
      const jobs = samples.flatMap((s) => Array.from({ length: ROUND_BUILDS }, () => s));
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < jobs.length && !this.stopped && performance.now() < deadline) {
          const job = jobs[next++];
          builds++;
          if (!(await this.rehearseOne(job))) refused++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENT_BUILDS }, worker));
      const perBuild = (performance.now() - started) / Math.max(1, jobs.length);
      if (round >= MIN_ROUNDS && Math.abs(perBuild - previous) <= previous * SETTLED_WITHIN) return { builds, refused, settled: true };
      previous = perBuild;
      if (samples.length === 0) return { builds, refused, settled: true };
    }
    return { builds, refused, settled: false };
  }

  /** one Create Offer without storing, and the reads a partner request makes; false when the build was refused */
  private async rehearseOne(s: Sample): Promise<boolean> {
    const caller = { keyId: 'warm-up', partnerId: s.active.partnerId, partnerCode: s.active.partnerCode, mode: s.mode };
    const query: OfferQuery = { includeContent: true, activeOnly: false, extraFields: new Set(EXTRA_FIELDS), excludeOfferIds: [] };
    // a key no partner has (one indexed read), an offer no partner has (another)
    await this.apiKeys.authenticate(`ok_${s.mode}_warm-up-${randomUUID()}`);
    await this.repo.findOffer(s.active.partnerId, randomUUID());
    const active = await this.configs.get(s.active.partnerId);
    try {
      await this.builder.rehearse(active, { body: JSON.parse(s.json) as unknown, caller, query, now: this.clock.now() });
      return true;
    } catch {
      return false;
    }
  }
}
