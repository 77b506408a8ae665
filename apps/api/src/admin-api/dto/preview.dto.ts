import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

export class PreviewOfferDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'a Create Offer request body, as the partner would send it' })
  @IsObject()
  request!: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'a candidate bundle to try instead of the one in force' })
  @IsOptional()
  @IsObject()
  bundle?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: ['live', 'test'], default: 'live', description: 'the key mode to simulate (test keys also see draft configs)' })
  @IsOptional()
  @IsIn(['live', 'test'])
  key_mode?: 'live' | 'test';

  @ApiPropertyOptional({ description: 'the key id to simulate (for access.key_ids)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  key_id?: string;
}

export class PreviewResponseDto {
  @ApiProperty({ description: 'the status Create Offer would answer', example: 200 })
  status!: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'the offer that would be created (status 200)' })
  offer?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'the error the partner would get (status 404/422)' })
  error?: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'schema, every config considered (status, exclusion, when, access, selected), experiment variants, every product with its inputs and price or error, content language',
  })
  trace!: Record<string, unknown>;

  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['candidate'] }] })
  bundle_version!: number | 'candidate';
}
