import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { AdminKeyView, CreatedAdminKey } from '@app/partners';

export class CreateAdminKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'config pipeline' })
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class CreatedAdminKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'the key: shown once, never again', example: 'ok_admin_Zx81EXAMPLEexampleEXAMPLEexampleEXAMPLEexa' })
  key!: string;

  @ApiProperty({ example: 'ok_admin_Zx81' })
  prefix!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class AdminKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ example: 'ok_admin_Zx81' })
  prefix!: string;

  @ApiProperty({ description: 'actor that created it', example: 'bootstrap' })
  created_by!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revoked_at!: string | null;
}

export class AdminKeyListResponseDto {
  @ApiProperty({ type: AdminKeyResponseDto, isArray: true })
  items!: AdminKeyResponseDto[];
}

export function toCreatedAdminKeyResponse(k: CreatedAdminKey): CreatedAdminKeyResponseDto {
  return { id: k.id, key: k.key, prefix: k.prefix, name: k.name, created_at: k.createdAt.toISOString() };
}

export function toAdminKeyResponse(k: AdminKeyView): AdminKeyResponseDto {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    created_by: k.createdBy,
    created_at: k.createdAt.toISOString(),
    revoked_at: k.revokedAt ? k.revokedAt.toISOString() : null,
  };
}
