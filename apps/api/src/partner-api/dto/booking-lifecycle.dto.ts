import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { BookingResponseDto, InsuredPersonDto, PolicyholderDto } from './confirm.dto';

/*
 * After the sale: cancel, modify, list (bodies validated by the pipes of booking-lifecycle.pipes.ts,
 * errors → 422 booking_validation_error by JSON pointer) and the answers of those routes.
 */

/** Validated when given; absent is fine, `null` is not (it would leave the meaning open). */
const IfGiven = (): PropertyDecorator => ValidateIf((_o: object, v: unknown) => v !== undefined);

const QUOTE_ID_MAX = 64;
const QUOTES_MAX = 50;

/**
 * A policyholder of which only the given fields change: each given field is checked as on Confirm
 * Offer (first_name, last_name and country cannot be null or empty), none is required.
 */
export class PartialPolicyholderDto extends PartialType(PolicyholderDto, { skipNullProperties: false }) {}

export class CancelQuoteRefDto {
  @ApiProperty({ description: 'a quote id of this booking (quotes[].id)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(QUOTE_ID_MAX)
  id!: string;
}

export class CancelBookingDto {
  @ApiPropertyOptional({ default: false, description: 'true: price the cancellation and change nothing; confirm it later with its cancellation_id' })
  @IfGiven()
  @IsBoolean()
  preview?: boolean;

  @ApiPropertyOptional({ type: [CancelQuoteRefDto], description: 'the quotes to cancel, each once; absent: every quote still in force' })
  @IfGiven()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(QUOTES_MAX)
  @ArrayUnique((q: CancelQuoteRefDto) => q?.id, { message: 'quotes must name each quote id once' })
  @ValidateNested({ each: true })
  @Type(() => CancelQuoteRefDto)
  quotes?: CancelQuoteRefDto[];

  @ApiPropertyOptional({ maxLength: 500, example: 'Trip cancelled by the customer' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cancellation_reason?: string;
}

export class UpdateBookingQuoteDto {
  @ApiProperty({ description: 'a quote id of this booking (quotes[].id)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(QUOTE_ID_MAX)
  id!: string;

  @ApiPropertyOptional({ type: [InsuredPersonDto], description: 'the people this policy covers (replaces the list), each checked as on Confirm Offer' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => InsuredPersonDto)
  insured?: InsuredPersonDto[];
}

export class UpdateBookingDto {
  @ApiPropertyOptional({ type: PartialPolicyholderDto, description: 'only the given fields change' })
  @IfGiven()
  @ValidateNested()
  @Type(() => PartialPolicyholderDto)
  policyholder?: PartialPolicyholderDto;

  @ApiPropertyOptional({ type: [UpdateBookingQuoteDto], description: 'per quote, each once: its insured people' })
  @IfGiven()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(QUOTES_MAX)
  @ArrayUnique((q: UpdateBookingQuoteDto) => q?.id, { message: 'quotes must name each quote id once' })
  @ValidateNested({ each: true })
  @Type(() => UpdateBookingQuoteDto)
  quotes?: UpdateBookingQuoteDto[];
}

export class QuoteUpdateFieldsDto {
  @ApiProperty({ description: 'a quote id of this booking (quotes[].id)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(QUOTE_ID_MAX)
  id!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { trip_cost: 2400, return_date: '2026-12-20' },
    description: "context fields of the offer's request to change (shallow-merged into its context, in the order of quotes)",
  })
  @IsObject()
  update_fields!: Record<string, unknown>;
}

export class QuoteForUpdateDto {
  @ApiProperty({ type: [QuoteUpdateFieldsDto], description: 'the quotes to price again: at least one, each once' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(QUOTES_MAX)
  @ArrayUnique((q: QuoteUpdateFieldsDto) => q?.id, { message: 'quotes must name each quote id once' })
  @ValidateNested({ each: true })
  @Type(() => QuoteUpdateFieldsDto)
  quotes!: QuoteUpdateFieldsDto[];

  @ApiPropertyOptional({ type: PartialPolicyholderDto, description: 'only the given fields change' })
  @IfGiven()
  @ValidateNested()
  @Type(() => PartialPolicyholderDto)
  policyholder?: PartialPolicyholderDto;
}

/** The body of confirm_cancellation / confirm_update (documentation only: nothing in it is read). */
export class EmptyBodyDto {}

export class CancellationPreviewResponseDto extends OmitType(BookingResponseDto, ['cancellation_id'] as const) {
  @ApiProperty({ example: 'a7Kp2-Xw9Qe-3mZt8-CCL', description: 'confirms this cancellation: POST …/confirm_cancellation/{cancellation_id}' })
  cancellation_id!: string;
  @ApiProperty({ example: '2026-11-26T10:00:00+00:00', description: 'the preview is refused after this (24 h)' })
  confirm_before!: string;
}

export class UpdateQuoteResponseDto extends BookingResponseDto {
  @ApiProperty({ example: 2.5, description: 'new total − old total (negative when cheaper)' }) total_price_diff!: number;
  @ApiProperty({ example: 'A$2.50' }) total_price_diff_formatted!: string;
  @ApiProperty({ example: 'Qe4Rt-8uYw2-Lk0Pz-UPD', description: 'confirms this update: POST …/confirm_update/{update_id}' }) update_id!: string;
  @ApiProperty({ example: '2026-11-26T10:00:00+00:00', description: 'the quote is refused after this (24 h)' }) confirm_before!: string;
}

export class BookingPageDto {
  @ApiProperty({ example: 42, description: 'bookings matching the filters' }) count!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'https://api.example.com/x/partners/DEMO/bookings/?status=CONFIRMED&limit=20&offset=20',
    description: 'the next page: this route and its filters with offset + limit; null on the last page',
  })
  next!: string | null;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'the previous page; null on the first' }) previous!: string | null;
  @ApiProperty({ type: [BookingResponseDto], description: 'newest first' }) results!: BookingResponseDto[];
}
