import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ApiKeyView, CreatedApiKey, KeyMode } from '@app/partners';

const MODES: KeyMode[] = ['live', 'test'];

export class CreateApiKeyDto {
  @ApiProperty({ enum: MODES, description: 'test keys see draft configs and have their own rate limit' })
  @IsIn(MODES)
  mode!: KeyMode;

  @ApiPropertyOptional({ maxLength: 200, example: 'checkout backend' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'also issue a signing secret: the key then authenticates only requests signed with it (`Authorization: Signature …`, XCover-compatible). Needs APP_ENCRYPTION_KEY on the server, else 422 `signing_unavailable`.',
  })
  @IsOptional()
  @IsBoolean()
  signing?: boolean;
}

export class CreatedApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'the key: shown once, never again', example: 'ok_live_3q2-7wEXAMPLEexampleEXAMPLEexampleEXAMPLE0' })
  key!: string;

  @ApiProperty({ description: 'public prefix, to recognise the key in lists', example: 'ok_live_3q2-' })
  prefix!: string;

  @ApiProperty({ enum: MODES })
  mode!: KeyMode;

  @ApiProperty({ example: 'checkout backend' })
  name!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiPropertyOptional({
    description: 'signing keys only: the HMAC secret (`api_secret` of the XCover SDKs). Shown once, never again: stored only encrypted.',
    example: 'ok_secret_9fQ2EXAMPLEexampleEXAMPLEexampleEXAMPLEexa',
  })
  secret?: string;
}

export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: MODES })
  mode!: KeyMode;

  @ApiProperty({ example: 'ok_live_3q2-' })
  prefix!: string;

  @ApiProperty()
  signing!: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revoked_at!: string | null;
}

export class ApiKeyListResponseDto {
  @ApiProperty({ type: ApiKeyResponseDto, isArray: true })
  items!: ApiKeyResponseDto[];
}

export function toCreatedApiKeyResponse(k: CreatedApiKey): CreatedApiKeyResponseDto {
  const res: CreatedApiKeyResponseDto = { id: k.id, key: k.key, prefix: k.prefix, mode: k.mode, name: k.name, created_at: k.createdAt.toISOString() };
  if (k.secret !== undefined) res.secret = k.secret;
  return res;
}

export function toApiKeyResponse(k: ApiKeyView): ApiKeyResponseDto {
  return {
    id: k.id,
    name: k.name,
    mode: k.mode,
    prefix: k.prefix,
    signing: k.signing,
    created_at: k.createdAt.toISOString(),
    revoked_at: k.revokedAt ? k.revokedAt.toISOString() : null,
  };
}
