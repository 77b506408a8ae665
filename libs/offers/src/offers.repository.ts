import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, LessThan, Repository } from 'typeorm';
import { insertRows, partialRow } from '@app/database';
import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import { OfferEntity, StoredExperiment } from './entities/offer.entity';
import { QuoteEntity } from './entities/quote.entity';

export interface NewOffer {
  id: string;
  partnerId: string;
  offerConfigId: string;
  bundleVersion: number;
  schemaId: string;
  apiKeyId: string;
  keyMode: string;
  currency: string;
  partnerTransactionId: string | null;
  experiments: StoredExperiment[];
  request: unknown;
  response: unknown;
  expiresAt: Date;
  createdAt: Date;
}

export interface NewQuote {
  id: string;
  productCode: string;
  productName: string;
  premiumMinor: number;
  surchargeMinor: number;
  taxMinor: number;
  commissionMinor: number;
  priceMinor: number;
  policyStart: Date;
  policyEnd: Date | null;
  pdsUrl: string | null;
  experiment: StoredExperiment | null;
}

export interface StoredOffer {
  id: string;
  partnerId: string;
  status: OfferEntity['status'];
  bookingId: string | null;
  expiresAt: Date;
  response: unknown;
}

export interface IdempotencyRecord {
  requestHash: string;
  state: 'in_progress' | 'done';
  responseStatus: number | null;
  responseBody: unknown;
  expiresAt: Date;
}

/** The only file of this lib that touches TypeORM. */
@Injectable()
export class OffersRepository {
  constructor(
    @InjectRepository(OfferEntity) private readonly offers: Repository<OfferEntity>,
    @InjectRepository(IdempotencyRecordEntity) private readonly idem: Repository<IdempotencyRecordEntity>,
  ) {}

  /** The offer and its quotes, in the caller's transaction. */
  async insertOffer(manager: EntityManager, offer: NewOffer, quotes: NewQuote[]): Promise<void> {
    await insertRows(manager, OfferEntity, { ...offer, status: 'OFFERED', bookingId: null, updatedAt: offer.createdAt });
    await insertRows(
      manager,
      QuoteEntity,
      quotes.map((q) => ({ ...q, offerId: offer.id, partnerId: offer.partnerId, currency: offer.currency, status: 'OFFERED', createdAt: offer.createdAt })),
    );
  }

  async findOffer(partnerId: string, id: string): Promise<StoredOffer | null> {
    const row = await this.offers.findOne({
      where: { id, partnerId },
      select: { id: true, partnerId: true, status: true, bookingId: true, expiresAt: true, response: true },
    });
    return row ? { id: row.id, partnerId: row.partnerId, status: row.status, bookingId: row.bookingId, expiresAt: row.expiresAt, response: row.response } : null;
  }

  async findIdempotency(partnerId: string, route: string, key: string): Promise<IdempotencyRecord | null> {
    const row = await this.idem.findOne({ where: { partnerId, route, key } });
    if (!row) return null;
    return {
      requestHash: row.requestHash,
      state: row.state as IdempotencyRecord['state'],
      responseStatus: row.responseStatus,
      responseBody: row.responseBody,
      expiresAt: row.expiresAt,
    };
  }

  /** Claims (partner, route, key); false when someone holds it already (unique constraint). */
  async claimIdempotency(manager: EntityManager, rec: { id: string; partnerId: string; route: string; key: string; requestHash: string; expiresAt: Date }): Promise<boolean> {
    await manager
      .getRepository(IdempotencyRecordEntity)
      .createQueryBuilder()
      .insert()
      .values(partialRow<IdempotencyRecordEntity>({ ...rec, state: 'in_progress', responseStatus: null, responseBody: null, createdAt: new Date() }))
      .orIgnore()
      .execute();
    // portable "did my insert win": read the row back and compare ids
    const row = await manager.getRepository(IdempotencyRecordEntity).findOne({ where: { partnerId: rec.partnerId, route: rec.route, key: rec.key }, select: { id: true } });
    return row?.id === rec.id;
  }

  async completeIdempotency(manager: EntityManager, partnerId: string, route: string, key: string, status: number, body: unknown): Promise<void> {
    await manager.getRepository(IdempotencyRecordEntity).update({ partnerId, route, key }, partialRow<IdempotencyRecordEntity>({ state: 'done', responseStatus: status, responseBody: body }));
  }

  async deleteIdempotency(manager: EntityManager, partnerId: string, route: string, key: string): Promise<void> {
    await manager.getRepository(IdempotencyRecordEntity).delete({ partnerId, route, key });
  }

  async releaseIdempotency(manager: EntityManager, partnerId: string, route: string, key: string): Promise<void> {
    await manager.getRepository(IdempotencyRecordEntity).delete({ partnerId, route, key, state: 'in_progress' });
  }

  async deleteExpiredIdempotency(manager: EntityManager, now: Date): Promise<number> {
    const r = await manager.getRepository(IdempotencyRecordEntity).delete({ expiresAt: LessThan(now) });
    return r.affected ?? 0;
  }
}
