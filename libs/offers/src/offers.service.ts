import { Injectable } from '@nestjs/common';
import { Clock, DomainError, type Bundle } from '@app/core';
import { ActiveConfigService, BundleInvalidError, DEFAULT_RATE_LIMITS, validateBundle, type ActiveConfig } from '@app/bundles';
import { PartnersService } from '@app/partners';
import { CompiledSchemas } from './compiled-schemas';
import { buildOffer, newTrace, resolveSchemaId, type OfferTrace } from './offer-engine';
import type { OfferCaller, OfferQuery, OfferResponse } from './offer-engine.types';
import { OfferNotFoundError, SchemaNotFoundError } from './offers.errors';
import { fingerprint, IdempotencyService } from './idempotency.service';
import { OfferBuilder } from './offer-builder';
import { OffersRepository } from './offers.repository';

export interface CreateOfferCommand {
  caller: OfferCaller;
  body: unknown;
  query: OfferQuery;
  idempotencyKey?: string;
  /** a warm-up's rehearsal: built and stored in a transaction that is rolled back (see OfferBuilder.rehearse) */
  rehearsal?: boolean;
}

export interface CreateOfferResult {
  status: number;
  /** the response as JSON text: the exact bytes stored with the offer, to be sent as they are */
  json: string;
  replayed: boolean;
}

export interface PreviewInput {
  request: unknown;
  bundle?: unknown;
  keyMode: 'live' | 'test';
  keyId?: string;
  query: OfferQuery;
}

export interface PreviewResult {
  /** the status Create Offer would answer */
  status: number;
  offer?: OfferResponse;
  error?: Record<string, unknown>;
  trace: OfferTrace;
  bundle_version: number | 'candidate';
}

function activeFromBundle(bundle: Bundle, partnerId: string): ActiveConfig {
  return {
    partnerId,
    partnerCode: bundle.partner.code,
    version: 0,
    defaultSchema: bundle.partner.default_schema ?? null,
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...(bundle.partner.rate_limits ?? {}) },
    schemas: bundle.schemas,
    configs: bundle.offer_configs,
  };
}

export type OfferStatusView = 'OFFERED' | 'OPTED_OUT' | 'CONFIRMED' | 'EXPIRED';

const CREATE_ROUTE = 'create_offer';

/** A response already serialised as it was stored: sent as it is, not serialised again. */
class StoredJson {
  constructor(readonly text: string) {}
}

@Injectable()
export class OffersService {
  constructor(
    private readonly configs: ActiveConfigService,
    private readonly compiled: CompiledSchemas,
    private readonly repo: OffersRepository,
    private readonly clock: Clock,
    private readonly partners: PartnersService,
    private readonly idempotency: IdempotencyService,
    private readonly builder: OfferBuilder,
  ) {
    // compile validators and every expression of a configuration as soon as it is loaded,
    // so no request pays for a compile
    this.configs.onLoad((active) => this.builder.warm(active));
  }

  async create(cmd: CreateOfferCommand): Promise<CreateOfferResult> {
    const active = await this.configs.get(cmd.caller.partnerId);
    if (cmd.rehearsal) {
      const json = await this.builder.rehearse(active, { body: cmd.body, caller: cmd.caller, query: cmd.query, now: this.clock.now() });
      return { status: 200, json, replayed: false };
    }
    if (!cmd.idempotencyKey) {
      // built and stored (off the event loop when there are build threads) and serialised once:
      // the same text is stored and sent
      const json = await this.builder.create(active, { body: cmd.body, caller: cmd.caller, query: cmd.query, now: this.clock.now() });
      return { status: 200, json, replayed: false };
    }
    return this.createIdempotent(active, cmd, cmd.idempotencyKey);
  }

  /**
   * Admin preview: the response that would be created, or the error the partner would
   * get, with the trace of every decision; nothing is stored. With a candidate bundle, that bundle
   * is validated and used instead of the one in force.
   */
  async preview(partnerCode: string, input: PreviewInput): Promise<PreviewResult> {
    let active: ActiveConfig;
    let detached = false;
    if (input.bundle !== undefined) {
      const checked = validateBundle(input.bundle, { expectedPartnerCode: partnerCode });
      if (!checked.ok) throw new BundleInvalidError(checked.problems);
      const existing = await this.partners.find(partnerCode);
      active = activeFromBundle(checked.bundle, existing?.id ?? `preview:${partnerCode}`);
      detached = true;
    } else {
      active = await this.configs.get((await this.partners.get(partnerCode)).id);
    }
    const caller: OfferCaller = { keyId: input.keyId ?? 'preview', partnerId: active.partnerId, partnerCode, mode: input.keyMode };
    const trace = newTrace(
      typeof (input.request as { schema?: unknown })?.schema === 'string' ? String((input.request as { schema: string }).schema) : (active.defaultSchema ?? ''),
    );
    try {
      const schemaId = resolveSchemaId(active, input.request);
      trace.schema = schemaId;
      const compiled = detached ? this.compiled.compileDetached(active, schemaId) : this.compiled.get(active, schemaId);
      if (!compiled) throw new SchemaNotFoundError(schemaId);
      const built = buildOffer({ active, compiled, schemaId, body: input.request, caller, query: input.query, now: this.clock.now(), trace });
      return { status: 200, offer: built.response, trace, bundle_version: detached ? 'candidate' : active.version };
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const status = e.kind === 'not_found' ? 404 : 422;
      return {
        status,
        error: { code: e.code, message: e.message, ...(e.errors ? { errors: e.errors } : {}), ...(e.extra ?? {}) },
        trace,
        bundle_version: detached ? 'candidate' : active.version,
      };
    }
  }

  async get(partnerId: string, offerId: string): Promise<OfferResponse & { status: OfferStatusView; booking_id: string | null }> {
    const offer = await this.repo.findOffer(partnerId, offerId);
    if (!offer) throw new OfferNotFoundError();
    const expired = offer.status === 'OFFERED' && offer.expiresAt.getTime() <= this.clock.now().getTime();
    return {
      ...(offer.response as OfferResponse),
      status: expired ? 'EXPIRED' : offer.status,
      booking_id: offer.bookingId,
    };
  }

  /**
   * Idempotency keys via IdempotencyService.runCommittingKey: the key's record (the response as stored)
   * commits with the offer, in the transaction that stores it (a build thread's on a SQLite file);
   * a replay is 200.
   */
  private async createIdempotent(active: ActiveConfig, cmd: CreateOfferCommand, key: string): Promise<CreateOfferResult> {
    const q = cmd.query;
    const result = await this.idempotency.runCommittingKey<unknown>(
      {
        partnerId: cmd.caller.partnerId,
        route: CREATE_ROUTE,
        key,
        fingerprint: fingerprint(cmd.body, q.includeContent, [...q.extraFields].sort(), [...q.excludeOfferIds].sort(), q.activeOnly),
        replayStatus: 200,
      },
      async (record) => {
        // built like any other create; the fingerprint above was taken before the body could be consumed
        const json = await this.builder.create(active, { body: cmd.body, caller: cmd.caller, query: cmd.query, now: this.clock.now() }, record(200));
        return { status: 200, body: new StoredJson(json) };
      },
    );
    // the first answer is sent as built; a replay as stored
    return { status: result.status, replayed: result.replayed, json: result.body instanceof StoredJson ? result.body.text : JSON.stringify(result.body) };
  }
}
