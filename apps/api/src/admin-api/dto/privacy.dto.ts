import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { buildMessage, IsDefined, IsNotEmpty, IsString, Matches, MaxLength, ValidateBy, ValidateIf } from 'class-validator';
import type { ErasureResult } from '@app/privacy';

/** an e-mail as stored data may hold it: something@something, no spaces */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/** on the second of two fields of which exactly one may be given */
function NotBoth(other: string): PropertyDecorator {
  return ValidateBy({
    name: 'notBoth',
    constraints: [other],
    validator: {
      validate: (_value: unknown, args) => (args?.object as Record<string, unknown> | undefined)?.[other] === undefined,
      defaultMessage: buildMessage(() => `give either $property or ${other}, not both`),
    },
  });
}

export class ErasureRequestDto {
  @ApiProperty({ description: "the partner's code", example: 'DEMO' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  partner!: string;

  @ApiPropertyOptional({
    description:
      "the person's e-mail (compared without regard to case): the create-offer requests' `customer.email` and the bookings' policyholder e-mail. Exactly one of `email` and `customer_id`.",
    example: 'ada@example.com',
    maxLength: 320,
  })
  @ValidateIf((o: ErasureRequestDto) => o.email !== undefined || o.customer_id === undefined)
  @IsDefined({ message: 'give email or customer_id' })
  @IsString()
  @MaxLength(320)
  @Matches(EMAIL_SHAPE, { message: 'email must be an e-mail address' })
  email?: string;

  @ApiPropertyOptional({
    description:
      "the partner's own id of the person: the create-offer requests' `partner.customer_id` (compared exactly). Exactly one of `email` and `customer_id`.",
    example: 'cust-42',
    maxLength: 200,
  })
  @ValidateIf((o: ErasureRequestDto) => o.customer_id !== undefined || o.email === undefined)
  @IsDefined({ message: 'give customer_id or email' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @NotBoth('email')
  customer_id?: string;
}

export class ErasureResponseDto {
  @ApiProperty({ format: 'uuid', description: "the erasure's id: the audit entry's `target_id`" })
  id!: string;

  @ApiProperty({ description: 'offers erased: their request and response, and everything stored about them', example: 3 })
  offers!: number;

  @ApiProperty({ description: 'bookings erased, with their quotes, events, priced changes and webhook deliveries', example: 1 })
  bookings!: number;

  @ApiProperty({ format: 'date-time' })
  completed_at!: string;
}

export function toErasureResponse(r: ErasureResult): ErasureResponseDto {
  return { id: r.id, offers: r.offers, bookings: r.bookings, completed_at: r.completedAt.toISOString() };
}
