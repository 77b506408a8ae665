import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ApiKeysService } from '@app/partners';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { Actor, AdminRoute, RequestId } from './admin-route.decorator';
import { ApiKeyListResponseDto, CreateApiKeyDto, CreatedApiKeyResponseDto, toApiKeyResponse, toCreatedApiKeyResponse } from './dto/api-key.dto';

@ApiTags('admin: API keys')
@AdminRoute()
@Controller('admin/partners/:code/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a partner API key; the key (and, for a signing key, its secret) is in this response only',
    description:
      'With `"signing": true` the response also holds `secret`, the HMAC secret XCover clients sign requests with (`Authorization: Signature …`); such a key is then refused without a valid signature (401 `signature_required`).',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  @ApiNotFoundResponse({ description: '`partner_not_found`', type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description: '`validation_error`, or `signing_unavailable` (signing asked, APP_ENCRYPTION_KEY not set)',
    type: ErrorEnvelopeDto,
  })
  async create(
    @Param('code') code: string,
    @Body() body: CreateApiKeyDto,
    @Actor() actor: string,
    @RequestId() requestId: string,
  ): Promise<CreatedApiKeyResponseDto> {
    const k = await this.apiKeys.create(code, { mode: body.mode, name: body.name, signing: body.signing }, { actor, requestId });
    return toCreatedApiKeyResponse(k);
  }

  @Get()
  @ApiOperation({ summary: "List the partner's keys (prefixes only; revoked keys included)" })
  @ApiOkResponse({ type: ApiKeyListResponseDto })
  @ApiNotFoundResponse({ description: '`partner_not_found`', type: ErrorEnvelopeDto })
  async list(@Param('code') code: string): Promise<ApiKeyListResponseDto> {
    return { items: (await this.apiKeys.list(code)).map(toApiKeyResponse) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key: refused from the next request on (idempotent)' })
  @ApiNoContentResponse({ description: 'revoked' })
  @ApiNotFoundResponse({ description: '`partner_not_found` or `api_key_not_found`', type: ErrorEnvelopeDto })
  async revoke(@Param('code') code: string, @Param('id') id: string, @Actor() actor: string, @RequestId() requestId: string): Promise<void> {
    await this.apiKeys.revoke(code, id, { actor, requestId });
  }
}
