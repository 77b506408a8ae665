import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { Bundle } from '@app/core';
import { fastInsert, insertRows } from '@app/database';
import { BundleVersionEntity } from './entities/bundle-version.entity';
import { OfferConfigEntity } from './entities/offer-config.entity';
import { OfferSchemaEntity } from './entities/offer-schema.entity';

export interface VersionSummary {
  version: number;
  source: string;
  createdBy: string;
  createdAt: Date;
}

/** The only file of this lib that touches TypeORM. */
@Injectable()
export class BundlesRepository {
  constructor(
    @InjectRepository(BundleVersionEntity) private readonly versions: Repository<BundleVersionEntity>,
    @InjectRepository(OfferSchemaEntity) private readonly schemas: Repository<OfferSchemaEntity>,
    @InjectRepository(OfferConfigEntity) private readonly configs: Repository<OfferConfigEntity>,
  ) {}

  async latestVersionNumber(partnerId: string, manager: EntityManager): Promise<number> {
    const row = await manager
      .getRepository(BundleVersionEntity)
      .createQueryBuilder('v')
      .select('MAX(v.version)', 'max')
      .where('v.partner_id = :partnerId', { partnerId })
      .getRawOne<{ max: number | string | null }>();
    return row?.max == null ? 0 : Number(row.max);
  }

  /** Writes version `version` of a partner's bundle: the document and its schemas and configs. */
  async insertVersion(
    manager: EntityManager,
    partnerId: string,
    version: number,
    bundle: Bundle,
    source: string,
    createdBy: string,
  ): Promise<Date> {
    const now = new Date();
    await insertRows(manager, BundleVersionEntity, {
      id: randomUUID(),
      partnerId,
      version,
      document: bundle,
      source,
      createdBy,
      createdAt: now,
    });
    await fastInsert(
      manager,
      OfferSchemaEntity,
      bundle.schemas.map((s) => ({
        id: randomUUID(),
        partnerId,
        version,
        schemaId: s.id,
        description: s.description ?? null,
        jsonSchema: s.json_schema,
        createdAt: now,
      })),
    );
    await fastInsert(
      manager,
      OfferConfigEntity,
      bundle.offer_configs.map((c) => ({
        id: randomUUID(),
        partnerId,
        version,
        configId: c.id,
        schemaId: c.schema,
        status: c.status ?? 'active',
        priority: c.priority ?? 0,
        definition: c,
        createdAt: now,
      })),
    );
    return now;
  }

  async findVersion(partnerId: string, version: number): Promise<{ document: Bundle; createdAt: Date } | null> {
    const row = await this.versions.findOne({ where: { partnerId, version } });
    return row ? { document: row.document, createdAt: row.createdAt } : null;
  }

  async listVersions(partnerId: string): Promise<VersionSummary[]> {
    const rows = await this.versions.find({
      where: { partnerId },
      order: { version: 'DESC' },
      select: { version: true, source: true, createdBy: true, createdAt: true },
    });
    return rows.map((r) => ({ version: r.version, source: r.source, createdBy: r.createdBy, createdAt: r.createdAt }));
  }

  async listSchemas(partnerId: string, version: number): Promise<Array<{ id: string; description: string | null; jsonSchema: Record<string, unknown> }>> {
    const rows = await this.schemas.find({ where: { partnerId, version }, order: { schemaId: 'ASC' } });
    return rows.map((r) => ({ id: r.schemaId, description: r.description, jsonSchema: r.jsonSchema }));
  }

  async listConfigs(partnerId: string, version: number): Promise<OfferConfigEntity['definition'][]> {
    const rows = await this.configs.find({ where: { partnerId, version }, order: { configId: 'ASC' } });
    return rows.map((r) => r.definition);
  }
}
