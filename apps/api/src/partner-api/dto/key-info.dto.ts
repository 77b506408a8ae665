import { ApiProperty } from '@nestjs/swagger';
import type { AuthenticatedKey, KeyMode } from '@app/partners';

export class KeyInfoResponseDto {
  @ApiProperty({ example: 'DEMO' })
  partner_code!: string;

  @ApiProperty({ format: 'uuid', description: 'id of the key (as listed by the admin API)' })
  key_id!: string;

  @ApiProperty({ enum: ['live', 'test'] })
  mode!: KeyMode;
}

export function toKeyInfoResponse(auth: AuthenticatedKey): KeyInfoResponseDto {
  return { partner_code: auth.partnerCode, key_id: auth.keyId, mode: auth.mode };
}
