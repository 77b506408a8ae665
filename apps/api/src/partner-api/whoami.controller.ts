import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedKey } from '@app/partners';
import { KeyInfoResponseDto, toKeyInfoResponse } from './dto/key-info.dto';
import { PartnerApiAuth, PartnerAuth } from './guards/partner-auth.decorator';

/** Mounted under every API prefix by PartnerApiModule (the path here is relative to it). */
@ApiTags('partner: keys')
@PartnerApiAuth()
@Controller('partners/:partner_code')
export class WhoAmIController {
  @Get('key')
  @ApiOperation({ summary: 'Which key am I using: its partner, id and mode (checks a key without side effects)' })
  @ApiOkResponse({ type: KeyInfoResponseDto })
  key(@PartnerAuth() auth: AuthenticatedKey): KeyInfoResponseDto {
    return toKeyInfoResponse(auth);
  }
}
