import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class AnalyticsQueryDto {
  @ApiPropertyOptional({
    example: '2026-11-01',
    description: 'ISO 8601 date (start of that day, UTC) or date-time with a zone; default `to` minus 30 days',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({
    example: '2026-11-30',
    description: 'ISO 8601 date (inclusive: to the end of that day, UTC) or date-time (exclusive); default now',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;
}

export class PremiumConfirmedDto {
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: 1234.56, description: 'decimal amount' }) amount!: number;
  @ApiProperty({ example: 123456, description: 'integer minor units' }) amount_minor!: number;
}

export class ConversionFiguresDto {
  @ApiProperty({ description: 'offers created in the window' }) offers!: number;
  @ApiProperty({ description: 'of those, confirmed (booked)' }) confirmations!: number;
  @ApiProperty({ description: 'of those, opted out and not confirmed since' }) opt_outs!: number;
  @ApiProperty({ example: 0.1234, description: 'confirmations / offers, 4 decimals; 0 without offers' }) conversion_rate!: number;
  @ApiProperty({
    type: [PremiumConfirmedDto],
    description: 'premium (before surcharge and tax) of the confirmed quotes as booked (as confirmed, or as last updated), per currency',
  })
  premium_confirmed!: PremiumConfirmedDto[];
  @ApiProperty({ example: 3, description: 'quotes of those bookings cancelled so far' }) cancellations!: number;
  @ApiProperty({
    type: [PremiumConfirmedDto],
    description:
      'refunds made so far on those bookings (whole prices: premium, surcharge and tax), per currency; a currency appears once something is cancelled in it, even with nothing refunded',
  })
  refunded!: PremiumConfirmedDto[];
  @ApiProperty({
    type: [PremiumConfirmedDto],
    description: "premium kept: premium_confirmed minus the premium's share of the refunds, per currency of premium_confirmed",
  })
  net_premium!: PremiumConfirmedDto[];
}

export class AnalyticsVariantRowDto extends ConversionFiguresDto {
  @ApiProperty({ example: 'retail-warranty' }) offer_config_id!: string;
  @ApiProperty({ nullable: true, type: String, example: 'warranty-price', description: 'null: offers that were in no experiment' })
  experiment_key!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'control' }) variant!: string | null;
}

export class AnalyticsConfigRowDto extends ConversionFiguresDto {
  @ApiProperty({ example: 'retail-warranty' }) offer_config_id!: string;
}

export class AnalyticsDailyRowDto {
  @ApiProperty({ example: '2026-11-01', description: "a UTC day of the offers' creation" }) date!: string;
  @ApiProperty({ example: 'retail-warranty' }) offer_config_id!: string;
  @ApiProperty({ description: 'offers created that day' }) offers!: number;
  @ApiProperty({ description: 'of those, confirmed (booked)' }) confirmations!: number;
  @ApiProperty({ description: 'of those, opted out and not confirmed since' }) opt_outs!: number;
  @ApiProperty({ example: 0.1234, description: 'confirmations / offers, 4 decimals' }) conversion_rate!: number;
}

export class AnalyticsResponseDto {
  @ApiProperty({ example: 'SHOPCO' }) partner!: string;
  @ApiProperty({ example: '2026-11-01T00:00:00+00:00', description: 'offers created at or after' }) from!: string;
  @ApiProperty({ example: '2026-12-01T00:00:00+00:00', description: 'offers created before' }) to!: string;
  @ApiProperty({
    type: [AnalyticsVariantRowDto],
    description: 'per offer config and experiment variant, sorted; an offer in two experiments counts once in each',
  })
  rows!: AnalyticsVariantRowDto[];
  @ApiProperty({ type: [AnalyticsConfigRowDto], description: 'per offer config, every offer once' })
  totals!: AnalyticsConfigRowDto[];
  @ApiProperty({
    type: [AnalyticsDailyRowDto],
    description:
      'per UTC day of creation and offer config, every offer once, sorted by date then config: the days with offers only (rolled-up days included, as in the totals)',
  })
  daily!: AnalyticsDailyRowDto[];
}
