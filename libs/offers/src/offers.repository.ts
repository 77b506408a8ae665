import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { readJsonPair } from '@app/database';
import { OfferEntity } from './entities/offer.entity';

export interface StoredOffer {
  id: string;
  partnerId: string;
  status: OfferEntity['status'];
  bookingId: string | null;
  expiresAt: Date;
  response: unknown;
}

/** Reads of stored offers (Create Offer's writes are OfferStore's, see storage/). */
@Injectable()
export class OffersRepository {
  constructor(@InjectRepository(OfferEntity) private readonly offers: Repository<OfferEntity>) {}

  /** The partner's latest requests (newest first) with the config and key mode each was answered under. */
  async recentRequests(partnerId: string, limit: number): Promise<Array<{ offerConfigId: string; keyMode: string; request: unknown }>> {
    // the columns as stored: on SQLite the request may be packed together with the response (readJsonPair)
    const rows = await this.offers
      .createQueryBuilder('o')
      .select('o.offerConfigId', 'offerConfigId')
      .addSelect('o.keyMode', 'keyMode')
      .addSelect('o.request', 'request')
      .addSelect('o.response', 'response')
      .where('o.partnerId = :partnerId', { partnerId })
      .orderBy('o.createdAt', 'DESC')
      .limit(limit)
      .getRawMany<{ offerConfigId: string; keyMode: string; request: unknown; response: unknown }>();
    return rows.map((r) => ({ offerConfigId: r.offerConfigId, keyMode: r.keyMode, request: readJsonPair(r.request, r.response)[0] }));
  }

  async findOffer(partnerId: string, id: string): Promise<StoredOffer | null> {
    const row = await this.offers.findOne({
      where: { id, partnerId },
      select: { id: true, partnerId: true, status: true, bookingId: true, expiresAt: true, response: true },
    });
    return row
      ? { id: row.id, partnerId: row.partnerId, status: row.status, bookingId: row.bookingId, expiresAt: row.expiresAt, response: row.response }
      : null;
  }
}
