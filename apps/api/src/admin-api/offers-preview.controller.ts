import { Body, Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { OffersService } from '@app/offers';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { parseOfferQuery } from '../partner-api/offer-query';
import { AdminRoute } from './admin-route.decorator';
import { PreviewOfferDto, PreviewResponseDto } from './dto/preview.dto';

@ApiTags('admin: configuration')
@AdminRoute()
@Controller('admin/partners/:code/offers')
export class OffersPreviewController {
  constructor(private readonly offers: OffersService) {}

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({
    summary: 'The offer a Create Offer request would get, with a trace of every config and product decision; nothing is stored',
  })
  @ApiQuery({ name: 'include_content', required: false, type: Boolean })
  @ApiQuery({ name: 'extra_fields', required: false })
  @ApiQuery({ name: 'exclude_offer_ids', required: false })
  @ApiQuery({ name: 'active_only', required: false, type: Boolean })
  @ApiOkResponse({ type: PreviewResponseDto })
  @ApiUnprocessableEntityResponse({ description: '`bundle_invalid` (candidate bundle), `validation_error`', type: ErrorEnvelopeDto })
  async preview(@Param('code') code: string, @Body() body: PreviewOfferDto, @Query() query: Record<string, unknown>): Promise<PreviewResponseDto> {
    const result = await this.offers.preview(code, {
      request: body.request,
      bundle: body.bundle,
      keyMode: body.key_mode ?? 'live',
      keyId: body.key_id,
      query: parseOfferQuery(query),
    });
    return result as unknown as PreviewResponseDto;
  }
}
