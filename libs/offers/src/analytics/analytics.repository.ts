import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { engineOf, readDate } from '@app/database';
import { OfferRollupEntity } from '../entities/offer-rollup.entity';
import { OfferVariantEntity } from '../entities/offer-variant.entity';
import { fromRollupKey, rolledUpDays } from './analytics-rollups';

/** Counts of one (config, experiment, variant, currency) group, straight from the database. */
export interface ConversionCounts {
  offerConfigId: string;
  experimentKey: string | null;
  variant: string | null;
  currency: string;
  /** the group's rows are the offers' primary rows (ordinal 0): they count every offer once per config */
  primary: boolean;
  offers: number;
  confirmations: number;
  optOuts: number;
  premiumMinor: number;
  /** quotes of the group's bookings cancelled so far */
  cancellations: number;
  /** refunds so far (minor units of the price: premium, surcharge and tax) */
  refundedMinor: number;
  /** the premium's share of those refunds */
  refundedPremiumMinor: number;
}

/** Counts of one offer config on one UTC day of creation, every offer once. */
export interface DailyCounts {
  /** YYYY-MM-DD (UTC) */
  date: string;
  offerConfigId: string;
  offers: number;
  confirmations: number;
  optOuts: number;
}

interface RawDailyCounts {
  day: unknown;
  offer_config_id: string;
  offers: string | number;
  confirmations?: string | number | null;
  opt_outs: string | number | null;
}

interface RawCounts {
  offer_config_id: string;
  experiment_key: string | null;
  variant: string | null;
  currency: string;
  is_primary: string | number;
  offers: string | number;
  confirmations: string | number | null;
  opt_outs: string | number | null;
  premium_minor: string | number | null;
  cancellations: string | number | null;
  refunded_minor: string | number | null;
  refunded_premium_minor: string | number | null;
}

function num(v: string | number | null | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}

/**
 * Conversion aggregated in SQL, never by loading offers: one GROUP BY over `offer_variants`,
 * answered from the covering index `ix_offer_variants_analytics` (partner and window first).
 * PostgreSQL returns COUNT/SUM as strings, SQLite as numbers.
 */
@Injectable()
export class AnalyticsRepository {
  constructor(
    @InjectRepository(OfferVariantEntity) private readonly rows: Repository<OfferVariantEntity>,
    @InjectRepository(OfferRollupEntity) private readonly rollups: Repository<OfferRollupEntity>,
  ) {}

  async conversion(partnerId: string, from: Date, to: Date): Promise<ConversionCounts[]> {
    const raw = await this.rows
      .createQueryBuilder('v')
      .select('v.offerConfigId', 'offer_config_id')
      .addSelect('v.experimentKey', 'experiment_key')
      .addSelect('v.variant', 'variant')
      .addSelect('v.currency', 'currency')
      .addSelect('CASE WHEN v.ordinal = 0 THEN 1 ELSE 0 END', 'is_primary')
      .addSelect('COUNT(*)', 'offers')
      .addSelect(`SUM(CASE WHEN v.status = 'CONFIRMED' THEN 1 ELSE 0 END)`, 'confirmations')
      .addSelect(`SUM(CASE WHEN v.status = 'OPTED_OUT' THEN 1 ELSE 0 END)`, 'opt_outs')
      .addSelect('SUM(v.premiumMinor)', 'premium_minor')
      .addSelect('SUM(v.cancellations)', 'cancellations')
      .addSelect('SUM(v.refundedMinor)', 'refunded_minor')
      .addSelect('SUM(v.refundedPremiumMinor)', 'refunded_premium_minor')
      .where('v.partnerId = :partnerId', { partnerId })
      .andWhere('v.createdAt >= :from', { from })
      .andWhere('v.createdAt < :to', { to })
      .groupBy('v.offerConfigId')
      .addGroupBy('v.experimentKey')
      .addGroupBy('v.variant')
      .addGroupBy('v.currency')
      .addGroupBy('CASE WHEN v.ordinal = 0 THEN 1 ELSE 0 END')
      .getRawMany<RawCounts>();
    return raw.map((r) => ({
      offerConfigId: r.offer_config_id,
      experimentKey: r.experiment_key ?? null,
      variant: r.variant ?? null,
      currency: r.currency,
      primary: num(r.is_primary) === 1,
      offers: num(r.offers),
      confirmations: num(r.confirmations),
      optOuts: num(r.opt_outs),
      premiumMinor: num(r.premium_minor),
      cancellations: num(r.cancellations),
      refundedMinor: num(r.refunded_minor),
      refundedPremiumMinor: num(r.refunded_premium_minor),
    }));
  }

  /**
   * The counts of the offers retention deleted (offer_rollups), in the same groups as
   * `conversion`, over the days that start inside [from, to) (rolledUpDays), read through the
   * table's primary key (partner, day first). They were never confirmed: only offers and opt-outs.
   */
  async rolledUp(partnerId: string, from: Date, to: Date): Promise<ConversionCounts[]> {
    const days = rolledUpDays(from, to);
    if (days.first.getTime() >= days.end.getTime()) return [];
    const raw = await this.rollups
      .createQueryBuilder('r')
      .select('r.offerConfigId', 'offer_config_id')
      .addSelect('r.experimentKey', 'experiment_key')
      .addSelect('r.variant', 'variant')
      .addSelect('r.currency', 'currency')
      .addSelect('r.isPrimary', 'is_primary')
      .addSelect('SUM(r.offers)', 'offers')
      .addSelect('SUM(r.optOuts)', 'opt_outs')
      .where('r.partnerId = :partnerId', { partnerId })
      .andWhere('r.day >= :first', { first: days.first })
      .andWhere('r.day < :end', { end: days.end })
      .groupBy('r.offerConfigId')
      .addGroupBy('r.experimentKey')
      .addGroupBy('r.variant')
      .addGroupBy('r.currency')
      .addGroupBy('r.isPrimary')
      .getRawMany<Pick<RawCounts, 'offer_config_id' | 'experiment_key' | 'variant' | 'currency' | 'is_primary' | 'offers' | 'opt_outs'>>();
    return raw.map((r) => ({
      offerConfigId: r.offer_config_id,
      experimentKey: fromRollupKey(r.experiment_key),
      variant: fromRollupKey(r.variant),
      currency: r.currency,
      primary: num(r.is_primary) === 1,
      offers: num(r.offers),
      confirmations: 0,
      optOuts: num(r.opt_outs),
      premiumMinor: 0,
      cancellations: 0,
      refundedMinor: 0,
      refundedPremiumMinor: 0,
    }));
  }

  /**
   * Per UTC day of creation and offer config, over [from, to): the offers' primary rows (ordinal
   * 0, every offer once), from the same covering index as `conversion`.
   */
  async dailyConversion(partnerId: string, from: Date, to: Date): Promise<DailyCounts[]> {
    // the created_at text's date on SQLite (UTC text), the UTC date on PostgreSQL (UTC session)
    const day = engineOf(this.rows.manager) === 'postgres' ? `to_char(v.createdAt, 'YYYY-MM-DD')` : 'substr(v.createdAt, 1, 10)';
    const raw = await this.rows
      .createQueryBuilder('v')
      .select(day, 'day')
      .addSelect('v.offerConfigId', 'offer_config_id')
      .addSelect('COUNT(*)', 'offers')
      .addSelect(`SUM(CASE WHEN v.status = 'CONFIRMED' THEN 1 ELSE 0 END)`, 'confirmations')
      .addSelect(`SUM(CASE WHEN v.status = 'OPTED_OUT' THEN 1 ELSE 0 END)`, 'opt_outs')
      .where('v.partnerId = :partnerId', { partnerId })
      .andWhere('v.createdAt >= :from', { from })
      .andWhere('v.createdAt < :to', { to })
      .andWhere('v.ordinal = 0')
      .groupBy(day)
      .addGroupBy('v.offerConfigId')
      .getRawMany<RawDailyCounts>();
    return raw.map((r) => ({
      date: String(r.day),
      offerConfigId: r.offer_config_id,
      offers: num(r.offers),
      confirmations: num(r.confirmations),
      optOuts: num(r.opt_outs),
    }));
  }

  /** `dailyConversion` of the offers retention deleted: the rolled-up days starting inside [from, to), primary rows only. */
  async rolledUpDaily(partnerId: string, from: Date, to: Date): Promise<DailyCounts[]> {
    const days = rolledUpDays(from, to);
    if (days.first.getTime() >= days.end.getTime()) return [];
    const raw = await this.rollups
      .createQueryBuilder('r')
      .select('r.day', 'day')
      .addSelect('r.offerConfigId', 'offer_config_id')
      .addSelect('SUM(r.offers)', 'offers')
      .addSelect('SUM(r.optOuts)', 'opt_outs')
      .where('r.partnerId = :partnerId', { partnerId })
      .andWhere('r.day >= :first', { first: days.first })
      .andWhere('r.day < :end', { end: days.end })
      .andWhere('r.isPrimary = 1')
      .groupBy('r.day')
      .addGroupBy('r.offerConfigId')
      .getRawMany<RawDailyCounts>();
    return raw.map((r) => ({
      date: readDate(r.day).toISOString().slice(0, 10),
      offerConfigId: r.offer_config_id,
      offers: num(r.offers),
      confirmations: 0,
      optOuts: num(r.opt_outs),
    }));
  }
}
