import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
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
    return row
      ? { id: row.id, partnerId: row.partnerId, status: row.status, bookingId: row.bookingId, expiresAt: row.expiresAt, response: row.response }
      : null;
  }
}
