import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class BookingEventActorDto {
  @ApiPropertyOptional({ description: 'the partner API key that made the change (a change through the partner API)' }) api_key_id?: string;
  @ApiPropertyOptional({
    example: 'admin-key:ok_admin_1a2b',
    description: 'the admin key that made the change (a change by an operator), named as in the audit log: `bootstrap` or `admin-key:<prefix>`',
  })
  admin_key_id?: string;
}

/** One stored change of a booking: who, when, and what changed (amounts in major units, as in the booking). */
export class BookingEventDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['booking.created', 'booking.updated', 'booking.cancelled'] }) type!: string;
  @ApiProperty({ example: '2026-11-25T10:00:00+00:00' }) at!: string;
  @ApiProperty({ example: 1, description: "the booking's version after the change: 1 when created, then one more per change" }) version!: number;
  @ApiProperty({ type: BookingEventActorDto, description: 'exactly one of `api_key_id`, `admin_key_id`' }) actor!: BookingEventActorDto;
  @ApiProperty({ nullable: true, type: String, description: 'the x-idempotency-key the change was made with' }) idempotency_key!: string | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    example: { total_price: 18.61, quotes: [{ id: '…', status: 'CONFIRMED', price: 18.61 }] },
    description: 'what changed, as it was before (null for booking.created)',
  })
  before!: Record<string, unknown> | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { total_price: 0, quotes: [{ id: '…', status: 'CANCELLED', price: 18.61 }] },
    description: 'what changed, as it is after',
  })
  after!: Record<string, unknown>;
}
