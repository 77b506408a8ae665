import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The analytics counts of offers deleted by retention (offers never bought), per partner, UTC day
 * of the offers' creation, and the grouping analytics uses over `offer_variants` (config,
 * experiment, variant, currency, primary row or not). Written in the transaction that deletes the
 * offers (an upsert that adds to the day's row), read by analytics with the live rows. Purged
 * offers were never confirmed, so only offers and opt-outs are counted: their premium,
 * cancellations and refunds are 0. `experiment_key`/`variant` hold '' for "no experiment"
 * (a NULL in a key would make every row distinct); analytics reads '' back as null.
 */
@Entity('offer_rollups')
export class OfferRollupEntity {
  @PrimaryColumn({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  /** 00:00 UTC of the day the offers were created */
  @PrimaryColumn({ name: 'day', type: Date })
  day!: Date;

  @PrimaryColumn({ name: 'offer_config_id', type: 'varchar', length: 64 })
  offerConfigId!: string;

  /** '' when the offers were in no experiment */
  @PrimaryColumn({ name: 'experiment_key', type: 'varchar', length: 64 })
  experimentKey!: string;

  /** '' when the offers were in no experiment */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  variant!: string;

  @PrimaryColumn({ type: 'varchar', length: 3 })
  currency!: string;

  /** 1: the offers' primary rows (ordinal 0), which count every offer once in per-config totals */
  @PrimaryColumn({ name: 'is_primary', type: 'integer' })
  isPrimary!: number;

  @Column({ type: 'integer' })
  offers!: number;

  @Column({ name: 'opt_outs', type: 'integer' })
  optOuts!: number;
}
