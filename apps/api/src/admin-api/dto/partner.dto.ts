import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import type { PartnerRateLimits, PartnerStatus, PartnerView } from '@app/partners';

const STATUSES: PartnerStatus[] = ['active', 'suspended'];
const CODE_PATTERN = /^[A-Z0-9_-]{2,32}$/;

/** optional, but when present it may not be null */
const IsOptionalNotNull = (): PropertyDecorator => ValidateIf((_o, v) => v !== undefined);

export class RateLimitsDto implements PartnerRateLimits {
  @ApiPropertyOptional({ description: 'create offer, requests/s per live key', minimum: 1, example: 50 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  create?: number;

  @ApiPropertyOptional({ description: 'confirm, requests/s per live key', minimum: 1, example: 50 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  confirm?: number;

  @ApiPropertyOptional({ description: 'every other route, requests/s per live key', minimum: 1, example: 20 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  other?: number;

  @ApiPropertyOptional({ description: 'every route, requests/s per test key', minimum: 1, example: 2 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  test?: number;
}

export class CreatePartnerDto {
  @ApiProperty({ pattern: CODE_PATTERN.source, example: 'DEMO' })
  @IsString()
  @Matches(CODE_PATTERN, { message: 'code must match ^[A-Z0-9_-]{2,32}$' })
  code!: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Demo Travel' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ enum: STATUSES, default: 'active' })
  @IsOptionalNotNull()
  @IsIn(STATUSES)
  status?: PartnerStatus;

  @ApiPropertyOptional({ description: 'id of the offer schema used when a request names none', example: 'travel:v1' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  default_schema?: string | null;

  @ApiPropertyOptional({ type: RateLimitsDto, description: 'overrides of the default rate limits (requests per second per API key, by route class)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitsDto)
  rate_limits?: RateLimitsDto | null;
}

export class UpdatePartnerDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ enum: STATUSES, description: 'suspended: every key of the partner gets 403 from the next request' })
  @IsOptionalNotNull()
  @IsIn(STATUSES)
  status?: PartnerStatus;

  @ApiPropertyOptional({ type: RateLimitsDto, nullable: true, description: 'replaces the overrides; null clears them' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitsDto)
  rate_limits?: RateLimitsDto | null;
}

export class PartnerResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'DEMO' })
  code!: string;

  @ApiProperty({ example: 'Demo Travel' })
  name!: string;

  @ApiProperty({ enum: STATUSES })
  status!: PartnerStatus;

  @ApiProperty({ type: String, nullable: true, example: 'travel:v1' })
  default_schema!: string | null;

  @ApiProperty({ type: RateLimitsDto, nullable: true })
  rate_limits!: RateLimitsDto | null;

  @ApiProperty({ description: 'bundle version in force; 0 before the first bundle', example: 0 })
  current_version!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class PartnerListResponseDto {
  @ApiProperty({ type: PartnerResponseDto, isArray: true })
  items!: PartnerResponseDto[];
}

export function toPartnerResponse(p: PartnerView): PartnerResponseDto {
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    status: p.status,
    default_schema: p.defaultSchema,
    rate_limits: p.rateLimits,
    current_version: p.currentVersion,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}
