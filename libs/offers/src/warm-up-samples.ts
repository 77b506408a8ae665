import { Injectable } from '@nestjs/common';
import { sample } from 'openapi-sampler';
import { ActiveConfigService } from '@app/bundles';
import { PartnersService } from '@app/partners';
import type { KeyMode } from '@app/rules';
import { OffersRepository } from './offers.repository';

/** A Create Offer request a warm-up rehearses, with the partner and key mode it stands for. */
export interface WarmUpSample {
  partnerId: string;
  partnerCode: string;
  mode: KeyMode;
  /** the body as JSON text */
  json: string;
}

/** recent offers read per partner to find a request for each of its offer configs */
const RECENT_OFFERS = 50;

/**
 * The requests a starting instance rehearses: for every active partner, one per offer config.
 * Each is the partner's latest stored request answered by that config; for an offer schema none
 * of whose configs has stored offers, a sample of that schema (its `examples` when it has some,
 * else one made up from its types by openapi-sampler, which the schema may refuse: that still
 * exercises its validation). Loading each partner's configuration here also compiles it in this thread and in
 * every build thread (ActiveConfigService.onLoad).
 */
@Injectable()
export class WarmUpSamples {
  constructor(
    private readonly partners: PartnersService,
    private readonly configs: ActiveConfigService,
    private readonly repo: OffersRepository,
  ) {}

  async find(): Promise<WarmUpSample[]> {
    const out: WarmUpSample[] = [];
    for (const partner of await this.partners.list()) {
      if (partner.status !== 'active' || partner.currentVersion === 0) continue;
      const active = await this.configs.get(partner.id);
      const of = (json: string, mode: KeyMode): WarmUpSample => ({ partnerId: partner.id, partnerCode: partner.code, mode, json });
      const covered = new Set<string>();
      const coveredSchemas = new Set<string>();
      for (const recent of await this.repo.recentRequests(partner.id, RECENT_OFFERS)) {
        const config = active.configs.find((c) => c.id === recent.offerConfigId);
        if (covered.has(recent.offerConfigId) || !config) continue;
        covered.add(config.id);
        coveredSchemas.add(config.schema);
        out.push(of(JSON.stringify(recent.request), recent.keyMode === 'test' ? 'test' : 'live'));
      }
      for (const schema of active.schemas) {
        const configs = active.configs.filter((c) => c.schema === schema.id);
        if (configs.length === 0 || coveredSchemas.has(schema.id)) continue;
        const body = sample(schema.json_schema, { skipReadOnly: true, enablePatterns: true, quiet: true });
        if (typeof body !== 'object' || body === null || Array.isArray(body)) continue;
        (body as Record<string, unknown>).schema = schema.id;
        const modes = configs[0].access?.key_modes;
        out.push(of(JSON.stringify(body), modes && !modes.includes('live') ? 'test' : 'live'));
      }
    }
    return out;
  }
}
