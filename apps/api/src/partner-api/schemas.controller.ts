import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ActiveConfigService } from '@app/bundles';
import { NotFoundError } from '@app/core';
import type { AuthenticatedKey } from '@app/partners';
import { OfferSchemaDto } from './dto/offer.dto';
import { PartnerApiAuth, PartnerAuth } from './guards';
import { PartnerThrottlerGuard } from './rate-limit/partner-throttler';

/** The partner's offer schemas, read-only, so integrators can see what `context` must hold. */
@ApiTags('partner: schemas')
@PartnerApiAuth()
@Controller('partners/:partner_code')
export class PartnerSchemasController {
  constructor(private readonly configs: ActiveConfigService) {}

  @Get('schemas')
  @UseGuards(PartnerThrottlerGuard)
  @ApiOperation({ summary: "List the partner's offer schemas" })
  @ApiOkResponse({ type: [OfferSchemaDto] })
  async list(@PartnerAuth() auth: AuthenticatedKey): Promise<OfferSchemaDto[]> {
    const active = await this.configs.get(auth.partnerId);
    return active.schemas.map((s) => ({ id: s.id, ...(s.description ? { description: s.description } : {}), json_schema: s.json_schema }));
  }

  @Get('schemas/:schema_id')
  @UseGuards(PartnerThrottlerGuard)
  @ApiOperation({ summary: 'One offer schema' })
  @ApiOkResponse({ type: OfferSchemaDto })
  async one(@PartnerAuth() auth: AuthenticatedKey, @Param('schema_id') id: string): Promise<OfferSchemaDto> {
    const active = await this.configs.get(auth.partnerId);
    const s = active.schemas.find((x) => x.id === id);
    if (!s) throw new NotFoundError('schema_not_found', `Offer schema ${id} does not exist`);
    return { id: s.id, ...(s.description ? { description: s.description } : {}), json_schema: s.json_schema };
  }
}
