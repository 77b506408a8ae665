import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditEntryEntity } from './entities/audit-entry.entity';

export interface AuditRow {
  id: string;
  actor: string;
  action: string;
  partnerCode: string | null;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  createdAt: Date;
}

export interface AuditFilter {
  partnerCode?: string;
  action?: string;
  from?: Date;
  to?: Date;
  cursor?: { createdAt: Date; id: string };
  limit: number;
}

/** The only file of this lib that talks to TypeORM. */
@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEntryEntity) private readonly repo: Repository<AuditEntryEntity>) {}

  async insert(row: AuditRow, manager: EntityManager): Promise<void> {
    // before/after are typed `unknown` (any JSON): TypeORM's partial type cannot express that
    await manager.getRepository(AuditEntryEntity).insert(row as QueryDeepPartialEntity<AuditEntryEntity>);
  }

  async findById(id: string): Promise<AuditRow | null> {
    return this.repo.findOne({ where: { id } });
  }

  /** newest first; ties on created_at are broken by id so the cursor is total */
  async list(filter: AuditFilter): Promise<AuditRow[]> {
    const qb = this.repo.createQueryBuilder('a');
    if (filter.partnerCode !== undefined) qb.andWhere('a.partnerCode = :partnerCode', { partnerCode: filter.partnerCode });
    if (filter.action !== undefined) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.from !== undefined) qb.andWhere('a.createdAt >= :from', { from: filter.from });
    if (filter.to !== undefined) qb.andWhere('a.createdAt < :to', { to: filter.to });
    if (filter.cursor !== undefined) {
      qb.andWhere('(a.createdAt < :cAt OR (a.createdAt = :cAt AND a.id < :cId))', {
        cAt: filter.cursor.createdAt,
        cId: filter.cursor.id,
      });
    }
    return qb.orderBy('a.createdAt', 'DESC').addOrderBy('a.id', 'DESC').limit(filter.limit).getMany();
  }
}
