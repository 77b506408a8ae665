import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthenticatedKey } from '@app/partners';
import { OffersService } from '@app/offers';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { Rehearsal } from '../common/rehearsal';
import { CreateOfferRequestDto, OfferResponseDto, StoredOfferResponseDto } from './dto/offer.dto';
import { PartnerApiAuth, PartnerAuth } from './guards';
import { parseOfferQuery } from './offer-query';
import { PartnerThrottlerGuard } from './rate-limit/partner-throttler';
import { RateLimitClass } from './rate-limit/route-class.decorator';

/** The partner's offers (docs/api.md: "Create Offer", "Get Offer"). Mounted under every API prefix by PartnerApiModule. */
@ApiTags('partner: offers')
@PartnerApiAuth()
@Controller('partners/:partner_code')
export class OffersController {
  constructor(private readonly offers: OffersService) {}

  @Post('offers')
  @HttpCode(200)
  @UseGuards(PartnerThrottlerGuard)
  @RateLimitClass('create')
  @ApiOperation({ summary: 'Create Offer: personalised products with prices, documents and content' })
  @ApiBody({ type: CreateOfferRequestDto })
  @ApiQuery({ name: 'include_content', required: false, type: Boolean, description: 'default true' })
  @ApiQuery({
    name: 'extra_fields',
    required: false,
    description: 'comma list: tax, commission, surcharge, benefits, experiment, or configured extra-field names',
  })
  @ApiQuery({ name: 'exclude_offer_ids', required: false, description: 'offer_config_ids to skip: comma list and/or repeated' })
  @ApiQuery({ name: 'active_only', required: false, type: Boolean, description: 'test keys: ignore draft configs' })
  @ApiHeader({ name: 'x-idempotency-key', required: false, description: 'replays the first response (200, Idempotent-Replayed: true) for 48 h' })
  @ApiOkResponse({ type: OfferResponseDto })
  @ApiNotFoundResponse({
    description: '`offer_not_found`, `offer_not_found_no_match_context`, `offer_not_found_access_denied`, `partner_not_found`',
    type: ErrorEnvelopeDto,
  })
  @ApiUnprocessableEntityResponse({
    description:
      '`offer_validation_error` (errors by JSON path), `offer_validation_schema_required`, `offer_validation_schema_not_found`, `offer_expression_error`, `offer_quote_generation_failed`, `idempotency_key_reused`',
    type: ErrorEnvelopeDto,
  })
  @ApiResponse({ status: 423, description: '`idempotency_in_progress`', type: ErrorEnvelopeDto })
  async create(
    @PartnerAuth() auth: AuthenticatedKey,
    @Body() body: Record<string, unknown>,
    @Query() query: Record<string, unknown>,
    @Headers('x-idempotency-key') idempotencyKey: string | undefined,
    @Rehearsal() rehearsal: boolean,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OfferResponseDto> {
    const result = await this.offers.create({
      caller: { keyId: auth.keyId, partnerId: auth.partnerId, partnerCode: auth.partnerCode, mode: auth.mode },
      body,
      query: parseOfferQuery(query),
      idempotencyKey: idempotencyKey?.trim() || undefined,
      rehearsal,
    });
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    // the JSON text stored with the offer, sent as it is (not serialised a second time)
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    return result.json as unknown as OfferResponseDto;
  }

  @Get('offers/:offer_id')
  @UseGuards(PartnerThrottlerGuard)
  @ApiOperation({ summary: 'Read an offer as created, with its status and booking id' })
  @ApiOkResponse({ type: StoredOfferResponseDto })
  async get(@PartnerAuth() auth: AuthenticatedKey, @Param('offer_id') offerId: string): Promise<StoredOfferResponseDto> {
    return (await this.offers.get(auth.partnerId, offerId)) as unknown as StoredOfferResponseDto;
  }
}
