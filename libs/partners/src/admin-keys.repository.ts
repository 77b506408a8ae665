import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AdminKeyEntity } from './entities/admin-key.entity';

export interface AdminKeyRow {
  id: string;
  name: string;
  prefix: string;
  keyHash: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

@Injectable()
export class AdminKeysRepository {
  constructor(@InjectRepository(AdminKeyEntity) private readonly repo: Repository<AdminKeyEntity>) {}

  private r(manager?: EntityManager): Repository<AdminKeyEntity> {
    return manager ? manager.getRepository(AdminKeyEntity) : this.repo;
  }

  async insert(row: AdminKeyRow, manager: EntityManager): Promise<void> {
    await this.r(manager).insert(row);
  }

  list(): Promise<AdminKeyRow[]> {
    return this.repo.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findById(id: string, manager?: EntityManager): Promise<AdminKeyRow | null> {
    return this.r(manager).findOne({ where: { id } });
  }

  findByHash(keyHash: string): Promise<AdminKeyRow | null> {
    return this.repo.findOne({ where: { keyHash } });
  }

  async markRevoked(id: string, at: Date, manager: EntityManager): Promise<void> {
    await this.r(manager).update({ id }, { revokedAt: at });
  }
}
