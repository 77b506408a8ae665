import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  buildMessage,
  IS_EMAIL,
  IsArray,
  IsDefined,
  isEmail,
  IsInt,
  IsISO31661Alpha2,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import type { ConfirmOfferInput, ConfirmQuoteInput, PersonInput, PolicyholderInput } from '@app/offers';

/* Confirm Offer (docs/api.md, "Confirm Offer"). Validated by ConfirmBodyPipe (errors → 422 booking_validation_error by JSON path). */

const E164 = /^\+[1-9][0-9]{1,14}$/;
/** a UTF-16 surrogate without its other half (JSON text can carry one as a \ud800 escape) */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * class-validator's IsEmail (same name and message), false for a string holding a lone surrogate:
 * validator.js measures the address with encodeURI, which throws on one.
 */
function IsEmailAddress(): PropertyDecorator {
  return ValidateBy({
    name: IS_EMAIL,
    validator: {
      validate: (value: unknown) => typeof value === 'string' && !LONE_SURROGATE.test(value) && isEmail(value),
      defaultMessage: buildMessage((each) => `${each}$property must be an email`),
    },
  });
}
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export class InsuredPersonDto implements PersonInput {
  @ApiProperty({ example: 'Ada' }) @IsString() @IsNotEmpty() @MaxLength(100) first_name!: string;
  @ApiProperty({ example: 'Lovelace' }) @IsString() @IsNotEmpty() @MaxLength(100) last_name!: string;
  @ApiPropertyOptional({ example: 'ada@example.com' }) @IsOptional() @IsEmailAddress() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ example: '+442071234567', description: 'E.164' })
  @IsOptional()
  @Matches(E164, { message: 'phone must be an E.164 number (+ and up to 15 digits)' })
  phone?: string;
  @ApiPropertyOptional({ example: '1815-12-10' })
  @IsOptional()
  @Matches(ISO_DATE, { message: 'birth_date must be a date YYYY-MM-DD' })
  birth_date?: string;
  @ApiPropertyOptional({ example: 36 }) @IsOptional() @IsInt() @Min(0) @Max(130) age?: number;
}

export class PolicyholderDto extends InsuredPersonDto implements PolicyholderInput {
  @ApiProperty({ example: 'GB', description: 'ISO 3166-1 alpha-2' })
  @IsDefined()
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code' })
  country!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) company?: string;
  @ApiPropertyOptional({ example: '12 St James Square' }) @IsOptional() @IsString() @MaxLength(200) address1?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) address2?: string;
  @ApiPropertyOptional({ example: 'London' }) @IsOptional() @IsString() @MaxLength(100) city?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) region?: string;
  @ApiPropertyOptional({ example: 'SW1Y 4JH' }) @IsOptional() @IsString() @MaxLength(20) postcode?: string;
}

export class ConfirmQuoteDto implements ConfirmQuoteInput {
  @ApiProperty({ description: 'a quote id of this offer (products[].id)' }) @IsString() @IsNotEmpty() @MaxLength(64) id!: string;

  @ApiPropertyOptional({ type: [InsuredPersonDto], description: 'the people this policy covers' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => InsuredPersonDto)
  insured?: InsuredPersonDto[];
}

export class ConfirmOfferDto implements ConfirmOfferInput {
  @ApiProperty({ type: [ConfirmQuoteDto], description: 'the quotes the customer chose: at least one, each once' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique((q: ConfirmQuoteDto) => q?.id, { message: 'quotes must name each quote id once' })
  @ValidateNested({ each: true })
  @Type(() => ConfirmQuoteDto)
  quotes!: ConfirmQuoteDto[];

  @ApiProperty({ type: PolicyholderDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => PolicyholderDto)
  policyholder!: PolicyholderDto;

  @ApiPropertyOptional({ description: "the partner's own reference; defaults to the offer's partner.transaction_id" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  partner_transaction_id?: string;
}

export class BookingQuoteDto {
  @ApiProperty({ description: 'quote id' }) id!: string;
  @ApiProperty({ example: 'TRAVEL_CANCEL' }) code!: string;
  @ApiProperty({ example: 'Trip cancellation' }) name!: string;
  @ApiProperty({ enum: ['CONFIRMED', 'CANCELLED'] }) status!: string;
  @ApiProperty({ example: '8EB89-4A3H7-INS-01' }) policy_number!: string;
  @ApiProperty({ example: '2026-12-01T00:00:00+00:00' }) policy_start_date!: string;
  @ApiProperty({ example: '2026-12-15T23:59:59+00:00', nullable: true, type: String }) policy_end_date!: string | null;
  @ApiProperty({ example: 18.61 }) price!: number;
  @ApiProperty({ example: 'A$18.61' }) price_formatted!: string;
  @ApiProperty({ example: 1.69 }) tax!: number;
  @ApiProperty({ example: 'A$1.69' }) tax_formatted!: string;
  @ApiProperty({ nullable: true, type: String }) pds_url!: string | null;
  @ApiProperty({ type: [InsuredPersonDto] }) insured!: InsuredPersonDto[];
  @ApiProperty({ example: '2026-11-25T10:00:00+00:00', description: 'when the quote was confirmed: its cooling-off period counts from here' })
  confirmed_at!: string;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'when the quote was cancelled; null while in force' })
  cancelled_at!: string | null;
  @ApiPropertyOptional({ example: 18.61, description: 'once cancelled, or in a cancellation preview: the amount refunded (or that would be)' })
  refund_value?: number;
  @ApiPropertyOptional({ example: 'A$18.61' }) refund_value_formatted?: string;
  @ApiPropertyOptional({ example: 0, description: 'once cancelled, or in a cancellation preview: price − refund' })
  adjustment_fee?: number;
  @ApiPropertyOptional({ example: 'A$0.00' }) adjustment_fee_formatted?: string;
  @ApiPropertyOptional({
    example: '2026-12-09T10:00:00+00:00',
    description: 'once cancelled, or in a cancellation preview: the end of the cooling-off period (full refund until then)',
  })
  policy_coolingoff_date?: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '2026-11-27T08:30:00+00:00',
    description: 'once cancelled: when; null in a cancellation preview',
  })
  policy_cancellation_date?: string | null;
  @ApiPropertyOptional({ example: 2.5, description: 'in a quote for update: new price − old price (negative when cheaper)' })
  price_diff?: number;
  @ApiPropertyOptional({ example: 'A$2.50' }) price_diff_formatted?: string;
}

export class BookingResponseDto {
  @ApiProperty({ example: '8EB89-4A3H7-INS' }) id!: string;
  @ApiProperty({ enum: ['CONFIRMED', 'CANCELLED'], description: 'CONFIRMED while any quote is in force, CANCELLED once every quote is cancelled' })
  status!: string;
  @ApiProperty() offer_id!: string;
  @ApiProperty({ example: 'travel-cover' }) offer_config_id!: string;
  @ApiProperty({ example: 'AUD' }) currency!: string;
  @ApiProperty({ example: 18.61, description: 'sum of the prices of the quotes still in force' }) total_price!: number;
  @ApiProperty({ example: 'A$18.61' }) total_price_formatted!: string;
  @ApiProperty({ example: 1.69 }) total_tax!: number;
  @ApiProperty({ example: 'A$1.69' }) total_tax_formatted!: string;
  @ApiProperty({ nullable: true, type: String }) partner_transaction_id!: string | null;
  @ApiProperty({ example: 0, description: 'sum of every refund made so far' }) total_refund!: number;
  @ApiProperty({ example: 'A$0.00' }) total_refund_formatted!: string;
  @ApiProperty({ example: '2026-11-25T10:00:00+00:00' }) created_at!: string;
  @ApiProperty({ example: '2026-11-25T10:00:00+00:00', description: 'the last change (the confirmation, until the booking is changed)' })
  updated_at!: string;
  @ApiProperty({ type: PolicyholderDto }) policyholder!: PolicyholderDto;
  @ApiProperty({ type: [BookingQuoteDto] }) quotes!: BookingQuoteDto[];
  @ApiPropertyOptional({ nullable: true, type: String, example: null, description: 'in the answer of a cancellation: null once applied' })
  cancellation_id?: string | null;
}

export class OptOutRequestDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'anything the partner wants kept with the opt-out' })
  partner_metadata?: Record<string, unknown>;
}
