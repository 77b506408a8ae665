import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import type { Bundle, BundleSchema, OfferConfig } from '@app/core';
import { AuditService } from '@app/audit';
import { TransactionRunner } from '@app/database';
import { PartnersService, PartnerView } from '@app/partners';
import { ActiveConfigService } from './active-config.service';
import { BundlesRepository } from './bundles.repository';
import { BundleConflictError, BundleInvalidError, BundleVersionNotFoundError, OfferConfigNotFoundError, SchemaNotFoundError } from './bundles.errors';
import { ConfigEvents } from '@app/core';
import { validateBundle } from './validation';

export interface WriteContext {
  actor: string;
  requestId?: string | null;
}

export interface BundleWriteResult {
  partner: string;
  version: number;
  applied_at: string;
}

export interface BundleExport {
  version: number;
  bundle: Bundle;
}

export interface BundleVersionView {
  version: number;
  source: string;
  created_by: string;
  created_at: string;
  current: boolean;
}

/**
 * A partner's configuration is one bundle, written whole and versioned. Granular schema and
 * offer-config routes edit the current bundle and write it back as a new version, so there is one
 * validation and one apply path for every change.
 */
@Injectable()
export class BundlesService {
  constructor(
    private readonly repo: BundlesRepository,
    private readonly partners: PartnersService,
    private readonly audit: AuditService,
    private readonly tx: TransactionRunner,
    private readonly events: ConfigEvents,
    private readonly configs: ActiveConfigService,
  ) {}

  /** Validates all of the bundle, then applies it atomically as a new version, or not at all. */
  async write(code: string, input: unknown, ctx: WriteContext, source = 'bundle.write'): Promise<BundleWriteResult> {
    const result = validateBundle(input, { expectedPartnerCode: code });
    if (!result.ok) throw new BundleInvalidError(result.problems);
    const bundle = result.bundle;
    let partnerId = '';
    let version = 0;
    let appliedAt: Date;
    try {
      appliedAt = await this.tx.run(async (manager) => {
        const up = await this.partners.upsertFromBundle(bundle.partner, manager);
        partnerId = up.id;
        const previous = await this.repo.latestVersionNumber(partnerId, manager);
        const before = previous > 0 ? await this.repo.findVersion(partnerId, previous) : null;
        version = previous + 1;
        const at = await this.repo.insertVersion(manager, partnerId, version, bundle, source, ctx.actor);
        await this.partners.setCurrentVersion(partnerId, version, manager);
        await this.audit.record(
          {
            actor: ctx.actor,
            action: source,
            partnerCode: code,
            targetType: 'bundle',
            targetId: `${code}@${version}`,
            before: before ? { version: previous, bundle: before.document } : null,
            after: { version, bundle },
            requestId: ctx.requestId ?? null,
          },
          manager,
        );
        return at;
      });
    } catch (e) {
      if (e instanceof QueryFailedError && /unique|UNIQUE/.test(String(e.message))) throw new BundleConflictError();
      throw e;
    }
    this.events.emitChange(partnerId);
    await this.configs.settled(partnerId);
    return { partner: code, version, applied_at: appliedAt.toISOString() };
  }

  /** The bundle in force, with the partner block as it stands now (PATCH /admin/partners edits it). */
  async export(code: string): Promise<BundleExport> {
    const partner = await this.partners.get(code);
    const bundle = await this.currentBundle(partner);
    return { version: partner.currentVersion, bundle };
  }

  async versions(code: string): Promise<BundleVersionView[]> {
    const partner = await this.partners.get(code);
    const rows = await this.repo.listVersions(partner.id);
    return rows.map((r) => ({
      version: r.version,
      source: r.source,
      created_by: r.createdBy,
      created_at: r.createdAt.toISOString(),
      current: r.version === partner.currentVersion,
    }));
  }

  async getVersion(code: string, version: number): Promise<BundleExport> {
    const partner = await this.partners.get(code);
    const row = await this.repo.findVersion(partner.id, version);
    if (!row) throw new BundleVersionNotFoundError(version);
    return { version, bundle: row.document };
  }

  /** Brings an older version back as a new version (history is never rewritten). */
  async restore(code: string, version: number, ctx: WriteContext): Promise<BundleWriteResult> {
    const { bundle } = await this.getVersion(code, version);
    return this.write(code, bundle, ctx, `bundle.restore:${version}`);
  }

  async listSchemas(code: string): Promise<BundleSchema[]> {
    const partner = await this.partners.get(code);
    return (await this.currentBundle(partner)).schemas;
  }

  async getSchema(code: string, id: string): Promise<BundleSchema> {
    const found = (await this.listSchemas(code)).find((s) => s.id === id);
    if (!found) throw new SchemaNotFoundError(id);
    return found;
  }

  async putSchema(code: string, id: string, schema: Omit<BundleSchema, 'id'>, ctx: WriteContext): Promise<BundleWriteResult> {
    const partner = await this.partners.get(code);
    const bundle = await this.currentBundle(partner);
    const next: BundleSchema = { id, ...schema };
    const i = bundle.schemas.findIndex((s) => s.id === id);
    if (i >= 0) bundle.schemas[i] = next;
    else bundle.schemas.push(next);
    return this.write(code, bundle, ctx, 'schema.put');
  }

  async deleteSchema(code: string, id: string, ctx: WriteContext): Promise<BundleWriteResult> {
    const partner = await this.partners.get(code);
    const bundle = await this.currentBundle(partner);
    if (!bundle.schemas.some((s) => s.id === id)) throw new SchemaNotFoundError(id);
    bundle.schemas = bundle.schemas.filter((s) => s.id !== id);
    return this.write(code, bundle, ctx, 'schema.delete');
  }

  async listOfferConfigs(code: string): Promise<OfferConfig[]> {
    const partner = await this.partners.get(code);
    return (await this.currentBundle(partner)).offer_configs;
  }

  async getOfferConfig(code: string, id: string): Promise<OfferConfig> {
    const found = (await this.listOfferConfigs(code)).find((c) => c.id === id);
    if (!found) throw new OfferConfigNotFoundError(id);
    return found;
  }

  async putOfferConfig(code: string, id: string, config: Omit<OfferConfig, 'id'>, ctx: WriteContext): Promise<BundleWriteResult> {
    const partner = await this.partners.get(code);
    const bundle = await this.currentBundle(partner);
    const next = { ...config, id };
    const i = bundle.offer_configs.findIndex((c) => c.id === id);
    if (i >= 0) bundle.offer_configs[i] = next;
    else bundle.offer_configs.push(next);
    return this.write(code, bundle, ctx, 'offer_config.put');
  }

  async deleteOfferConfig(code: string, id: string, ctx: WriteContext): Promise<BundleWriteResult> {
    const partner = await this.partners.get(code);
    const bundle = await this.currentBundle(partner);
    if (!bundle.offer_configs.some((c) => c.id === id)) throw new OfferConfigNotFoundError(id);
    bundle.offer_configs = bundle.offer_configs.filter((c) => c.id !== id);
    return this.write(code, bundle, ctx, 'offer_config.delete');
  }

  /** The current bundle, or an empty one for a partner created without a bundle. */
  private async currentBundle(partner: PartnerView): Promise<Bundle> {
    const stored = partner.currentVersion > 0 ? await this.repo.findVersion(partner.id, partner.currentVersion) : null;
    const base: Bundle = stored ? structuredClone(stored.document) : { partner: { code: partner.code, name: partner.name }, schemas: [], offer_configs: [] };
    base.partner = {
      code: partner.code,
      name: partner.name,
      status: partner.status,
      ...(partner.defaultSchema ? { default_schema: partner.defaultSchema } : {}),
      ...(partner.rateLimits ? { rate_limits: partner.rateLimits } : {}),
    };
    return base;
  }
}
