import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

export class BundleWriteResponseDto {
  @ApiProperty({ example: 'DEMO' })
  partner!: string;

  @ApiProperty({ example: 3, description: 'the new version number' })
  version!: number;

  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' })
  applied_at!: string;
}

export class BundleVersionDto {
  @ApiProperty()
  version!: number;

  @ApiProperty({ example: 'bundle.write', description: 'what produced it: bundle.write, bundle.restore:N, schema.put, ...' })
  source!: string;

  @ApiProperty({ example: 'admin-key:oa_3f9c1d2e' })
  created_by!: string;

  @ApiProperty()
  created_at!: string;

  @ApiProperty({ description: 'true for the version in force' })
  current!: boolean;
}

export class PutSchemaDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema draft-07 of the whole create-offer body' })
  @IsObject()
  json_schema!: Record<string, unknown>;
}

/** One offer schema as the granular routes return it (the bundle's `schemas[]` entry). */
export class BundleSchemaDto {
  @ApiProperty({ example: 'travel:v1' })
  id!: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema draft-07 of the whole create-offer body' })
  json_schema!: Record<string, unknown>;
}
