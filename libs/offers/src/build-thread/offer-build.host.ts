import type { ActiveConfig } from '@app/bundles';
import { CompiledSchemas } from '../compiled-schemas';
import { prepareOffer } from '../prepare-offer';
import { sendError, type FromBuildThread, type ToBuildThread } from './offer-build.protocol';

/** configurations kept per partner: the one in force and a few older ones still being answered */
const KEEP_PER_PARTNER = 4;

/**
 * What runs inside an offer build thread: the configurations it was sent, compiled once each,
 * and the offers it is asked to build. Plain code, so it is tested without a thread.
 */
export class OfferBuildHost {
  private readonly configs = new Map<string, ActiveConfig>();
  private readonly keysByPartner = new Map<string, string[]>();

  constructor(private readonly compiled: CompiledSchemas) {}

  get configCount(): number {
    return this.configs.size;
  }

  handle(m: ToBuildThread): FromBuildThread | null {
    if (m.t === 'config') {
      this.keep(m.key, m.active);
      try {
        this.compiled.warm(m.active);
      } catch {
        // a configuration that fails to compile fails its requests, with their own error
      }
      return m.ack !== undefined ? { t: 'ack', ack: m.ack } : null;
    }
    const active = this.configs.get(m.key);
    if (!active) return { t: 'missing', id: m.id };
    try {
      const { requestJson: _sent, ...prepared } = prepareOffer(this.compiled, active, { body: JSON.parse(m.request), caller: m.caller, query: m.query, now: m.now }, m.request);
      return { t: 'built', id: m.id, prepared };
    } catch (e) {
      return { t: 'failed', id: m.id, error: sendError(e) };
    }
  }

  private keep(key: string, active: ActiveConfig): void {
    const keys = (this.keysByPartner.get(active.partnerId) ?? []).filter((k) => k !== key);
    keys.push(key);
    while (keys.length > KEEP_PER_PARTNER) this.configs.delete(keys.shift() as string);
    this.keysByPartner.set(active.partnerId, keys);
    this.configs.set(key, active);
  }
}
