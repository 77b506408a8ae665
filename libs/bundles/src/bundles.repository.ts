import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Bundle } from '@app/core';
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
  async insertVersion(manager: EntityManager, partnerId: string, version: number, bundle: Bundle, source: string, createdBy: string): Promise<Date> {
    const now = new Date();
    const versionRow: BundleVersionEntity = {
      id: randomUUID(),
      partnerId,
      version,
      document: bundle,
      source,
      createdBy,
      createdAt: now,
    };
    await insertInChunks(manager, BundleVersionEntity, [versionRow]);
    const schemas = bundle.schemas.map((s): OfferSchemaEntity => ({
      id: randomUUID(),
      partnerId,
      version,
      schemaId: s.id,
      description: s.description ?? null,
      jsonSchema: s.json_schema,
      createdAt: now,
    }));
    await insertInChunks(manager, OfferSchemaEntity, schemas);
    const configs = bundle.offer_configs.map((c): OfferConfigEntity => ({
      id: randomUUID(),
      partnerId,
      version,
      configId: c.id,
      schemaId: c.schema,
      status: c.status ?? 'active',
      priority: c.priority ?? 0,
      definition: c,
      createdAt: now,
    }));
    await insertInChunks(manager, OfferConfigEntity, configs);
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

/** rows per INSERT: SQLite binds at most 32 766 values per statement (these tables have 7 to 9 columns) */
const ROWS_PER_INSERT = 1000;

/**
 * Whole rows, as multi-row INSERTs of at most ROWS_PER_INSERT rows (TypeORM's insert query
 * builder). Nothing is read back (`updateEntity(false)`): every column is given, and on SQLite the
 * read-back would select the rows by a thousand ORed conditions. TypeORM's partial-entity type
 * cannot express the JSON columns (`document`, `jsonSchema`, `definition`: JSON of open or
 * recursive shape); the rows are complete entities, so the cast is safe.
 */
async function insertInChunks<E extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<E>, rows: E[]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT) as Array<QueryDeepPartialEntity<E>>;
    await manager.createQueryBuilder().insert().into(target).values(chunk).updateEntity(false).execute();
  }
}
