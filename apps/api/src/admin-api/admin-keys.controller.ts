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
import { AdminKeysService } from '@app/partners';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { Actor, AdminRoute, RequestId } from './admin-route.decorator';
import { AdminKeyListResponseDto, CreateAdminKeyDto, CreatedAdminKeyResponseDto, toAdminKeyResponse, toCreatedAdminKeyResponse } from './dto/admin-key.dto';

@ApiTags('admin: admin keys')
@AdminRoute()
@Controller('admin/admin-keys')
export class AdminKeysController {
  constructor(private readonly adminKeys: AdminKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an admin key; the key is in this response only' })
  @ApiCreatedResponse({ type: CreatedAdminKeyResponseDto })
  @ApiUnprocessableEntityResponse({ description: '`validation_error`', type: ErrorEnvelopeDto })
  async create(@Body() body: CreateAdminKeyDto, @Actor() actor: string, @RequestId() requestId: string): Promise<CreatedAdminKeyResponseDto> {
    return toCreatedAdminKeyResponse(await this.adminKeys.create(body.name, { actor, requestId }));
  }

  @Get()
  @ApiOperation({ summary: 'List admin keys (prefixes only; the ADMIN_API_KEY bootstrap key is not listed)' })
  @ApiOkResponse({ type: AdminKeyListResponseDto })
  async list(): Promise<AdminKeyListResponseDto> {
    return { items: (await this.adminKeys.list()).map(toAdminKeyResponse) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an admin key (idempotent)' })
  @ApiNoContentResponse({ description: 'revoked' })
  @ApiNotFoundResponse({ description: '`admin_key_not_found`', type: ErrorEnvelopeDto })
  async revoke(@Param('id') id: string, @Actor() actor: string, @RequestId() requestId: string): Promise<void> {
    await this.adminKeys.revoke(id, { actor, requestId });
  }
}
