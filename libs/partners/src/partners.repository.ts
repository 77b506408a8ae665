import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { PartnerEntity, PartnerRateLimits, PartnerStatus } from './entities/partner.entity';

export interface PartnerRow {
  id: string;
  code: string;
  name: string;
  status: PartnerStatus;
  defaultSchema: string | null;
  rateLimits: PartnerRateLimits | null;
  currentVersion: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export type PartnerChanges = Partial<Pick<PartnerRow, 'name' | 'status' | 'defaultSchema' | 'rateLimits' | 'currentVersion' | 'deletedAt'>>;

/** TypeORM access for partners; pass `manager` to run inside a transaction. */
@Injectable()
export class PartnersRepository {
  constructor(@InjectRepository(PartnerEntity) private readonly repo: Repository<PartnerEntity>) {}

  private r(manager?: EntityManager): Repository<PartnerEntity> {
    return manager ? manager.getRepository(PartnerEntity) : this.repo;
  }

  /** live partners only */
  findByCode(code: string, manager?: EntityManager): Promise<PartnerRow | null> {
    return this.r(manager).findOne({ where: { code, deletedAt: IsNull() } });
  }

  /** including a soft-deleted row: the code stays unique across both */
  findAnyByCode(code: string, manager?: EntityManager): Promise<PartnerRow | null> {
    return this.r(manager).findOne({ where: { code } });
  }

  findById(id: string, manager?: EntityManager): Promise<PartnerRow | null> {
    return this.r(manager).findOne({ where: { id, deletedAt: IsNull() } });
  }

  list(): Promise<PartnerRow[]> {
    return this.repo.find({ where: { deletedAt: IsNull() }, order: { code: 'ASC' } });
  }

  async insert(row: PartnerRow, manager: EntityManager): Promise<void> {
    await this.r(manager).insert(row);
  }

  async update(id: string, changes: PartnerChanges & { updatedAt: Date }, manager: EntityManager): Promise<void> {
    await this.r(manager).update({ id }, changes);
  }
}
