import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { PartnersService } from '@app/partners';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { Actor, AdminRoute, RequestId } from './admin-route.decorator';
import { CreatePartnerDto, PartnerListResponseDto, PartnerResponseDto, toPartnerResponse, UpdatePartnerDto } from './dto/partner.dto';

@ApiTags('admin: partners')
@AdminRoute()
@Controller('admin/partners')
export class PartnersController {
  constructor(private readonly partners: PartnersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a partner' })
  @ApiCreatedResponse({ type: PartnerResponseDto })
  @ApiConflictResponse({ description: '`partner_exists`', type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({ description: '`validation_error`', type: ErrorEnvelopeDto })
  async create(@Body() body: CreatePartnerDto, @Actor() actor: string, @RequestId() requestId: string): Promise<PartnerResponseDto> {
    const p = await this.partners.create(
      { code: body.code, name: body.name, status: body.status, defaultSchema: body.default_schema, rateLimits: body.rate_limits },
      { actor, requestId },
    );
    return toPartnerResponse(p);
  }

  @Get()
  @ApiOperation({ summary: 'List partners' })
  @ApiOkResponse({ type: PartnerListResponseDto })
  async list(): Promise<PartnerListResponseDto> {
    return { items: (await this.partners.list()).map(toPartnerResponse) };
  }

  @Get(':code')
  @ApiOperation({ summary: 'Get one partner' })
  @ApiOkResponse({ type: PartnerResponseDto })
  @ApiNotFoundResponse({ description: '`partner_not_found`', type: ErrorEnvelopeDto })
  async get(@Param('code') code: string): Promise<PartnerResponseDto> {
    return toPartnerResponse(await this.partners.get(code));
  }

  @Patch(':code')
  @ApiOperation({ summary: 'Change name, status or rate limits (suspension takes effect on the next request)' })
  @ApiOkResponse({ type: PartnerResponseDto })
  @ApiNotFoundResponse({ description: '`partner_not_found`', type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({ description: '`validation_error`', type: ErrorEnvelopeDto })
  async update(
    @Param('code') code: string,
    @Body() body: UpdatePartnerDto,
    @Actor() actor: string,
    @RequestId() requestId: string,
  ): Promise<PartnerResponseDto> {
    const p = await this.partners.update(code, { name: body.name, status: body.status, rateLimits: body.rate_limits }, { actor, requestId });
    return toPartnerResponse(p);
  }
}
