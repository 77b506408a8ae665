import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { insertStatements, portableInsertPlan, type SqlStatement } from '@app/database';
import { OfferVariantEntity } from './entities/offer-variant.entity';
import { OfferEntity, StoredExperiment } from './entities/offer.entity';
import { QuoteEntity } from './entities/quote.entity';
import { alsoStatements, offerTables, type OfferInsert, type OfferInsertPlans } from './offer-rows';

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

/** The only file of this lib that touches TypeORM. */
@Injectable()
export class OffersRepository {
  constructor(@InjectRepository(OfferEntity) private readonly offers: Repository<OfferEntity>) {}

  /** The same writes as SQL, for a transaction run elsewhere (TransactionRunner.runStatements): one multi-row INSERT per table. */
  insertOffersStatements(items: readonly OfferInsert[]): SqlStatement[] {
    const connection = this.offers.manager.connection;
    const tables = offerTables(items);
    return [
      ...insertStatements(connection, OfferEntity, tables.offers),
      ...insertStatements(connection, QuoteEntity, tables.quotes),
      ...insertStatements(connection, OfferVariantEntity, tables.variants),
      ...alsoStatements(items),
    ];
  }

  /** The same INSERTs as plain plans for an offer build thread, when they need nothing of TypeORM. */
  insertPlans(): OfferInsertPlans | undefined {
    const connection = this.offers.manager.connection;
    const offers = portableInsertPlan(connection, OfferEntity);
    const quotes = portableInsertPlan(connection, QuoteEntity);
    const variants = portableInsertPlan(connection, OfferVariantEntity);
    return offers && quotes && variants ? { offers, quotes, variants } : undefined;
  }

  /** The partner's latest requests (newest first) with the config and key mode each was answered under. */
  async recentRequests(partnerId: string, limit: number): Promise<Array<{ offerConfigId: string; keyMode: string; request: unknown }>> {
    const rows = await this.offers.find({
      where: { partnerId },
      order: { createdAt: 'DESC' },
      take: limit,
      select: { id: true, offerConfigId: true, keyMode: true, request: true },
    });
    return rows.map((r) => ({ offerConfigId: r.offerConfigId, keyMode: r.keyMode, request: r.request }));
  }

  async findOffer(partnerId: string, id: string): Promise<StoredOffer | null> {
    const row = await this.offers.findOne({
      where: { id, partnerId },
      select: { id: true, partnerId: true, status: true, bookingId: true, expiresAt: true, response: true },
    });
    return row ? { id: row.id, partnerId: row.partnerId, status: row.status, bookingId: row.bookingId, expiresAt: row.expiresAt, response: row.response } : null;
  }
}
