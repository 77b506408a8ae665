import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { BookingResponseDto } from '../../partner-api/dto/confirm.dto';

export const BOOKING_SEARCH_DEFAULT_LIMIT = 20;
export const BOOKING_SEARCH_MAX_LIMIT = 100;

/** `GET /admin/partners/{code}/bookings` */
export class BookingSearchQueryDto {
  @ApiPropertyOptional({
    example: 'ada@example.com',
    description:
      'a booking id or a partner transaction id (each exactly), or a policyholder e-mail (in any case); bookings matching any of them. Absent or blank: the latest bookings',
  })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  q?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: BOOKING_SEARCH_MAX_LIMIT, default: BOOKING_SEARCH_DEFAULT_LIMIT, description: 'the most bookings answered' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(BOOKING_SEARCH_MAX_LIMIT)
  limit?: number;
}

export class BookingSearchResponseDto {
  @ApiProperty({ type: [BookingResponseDto], description: 'newest first, each as the partner API reads it (GET …/bookings/{booking_id})' })
  bookings!: BookingResponseDto[];
}
