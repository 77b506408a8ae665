import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT } from '@app/audit';
import type { AuditEntryView, AuditListQuery, AuditPage } from '@app/audit';

export class AuditQueryDto {
  @ApiPropertyOptional({ example: 'DEMO' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  partner_code?: string;

  @ApiPropertyOptional({ example: 'api_key.revoke' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'entries at or after this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'entries before this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: AUDIT_MAX_LIMIT, default: AUDIT_DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(AUDIT_MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'cursor: the `next_before` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  before?: string;
}

export class AuditEntryResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'admin-key:ok_admin_Zx81' })
  actor!: string;

  @ApiProperty({ example: 'partner.update' })
  action!: string;

  @ApiProperty({ type: String, nullable: true, example: 'DEMO' })
  partner_code!: string | null;

  @ApiProperty({ example: 'partner' })
  target_type!: string;

  @ApiProperty({ type: String, nullable: true })
  target_id!: string | null;

  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'state before the change (never key material)' })
  before!: unknown;

  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'state after the change (never key material)' })
  after!: unknown;

  @ApiProperty({ type: String, nullable: true })
  request_id!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class AuditPageResponseDto {
  @ApiProperty({ type: AuditEntryResponseDto, isArray: true, description: 'newest first' })
  items!: AuditEntryResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'pass as `before` for the next (older) page; null on the last page' })
  next_before!: string | null;
}

export function toAuditListQuery(q: AuditQueryDto): AuditListQuery {
  return {
    partnerCode: q.partner_code,
    action: q.action,
    from: q.from !== undefined ? new Date(q.from) : undefined,
    to: q.to !== undefined ? new Date(q.to) : undefined,
    limit: q.limit,
    before: q.before,
  };
}

export function toAuditEntryResponse(e: AuditEntryView): AuditEntryResponseDto {
  return {
    id: e.id,
    actor: e.actor,
    action: e.action,
    partner_code: e.partnerCode,
    target_type: e.targetType,
    target_id: e.targetId,
    before: e.before,
    after: e.after,
    request_id: e.requestId,
    created_at: e.createdAt.toISOString(),
  };
}

export function toAuditPageResponse(p: AuditPage): AuditPageResponseDto {
  return { items: p.items.map(toAuditEntryResponse), next_before: p.nextBefore };
}
