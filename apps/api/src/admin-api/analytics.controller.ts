import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AnalyticsService } from '@app/offers';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { AdminRoute } from './admin-route.decorator';
import { AnalyticsQueryDto, AnalyticsResponseDto } from './dto/analytics.dto';

@ApiTags('admin: analytics')
@AdminRoute()
@Controller('admin/partners/:code/analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get()
  @ApiOperation({
    summary:
      'Conversion per offer config and experiment variant over the offers created in [from, to): offers, confirmations, opt-outs, conversion rate, premium confirmed per currency, and after the sale: cancellations, refunds and net premium per currency; and conversion per UTC day and offer config (`daily`)',
    description:
      'Offers deleted by retention (never bought, OFFER_RETENTION_DAYS after their expiry) still count, through daily roll-ups per UTC day of creation: a rolled-up day counts when its start (00:00 UTC) is inside [from, to), so a window of whole days (`from`/`to` as dates) reports the same figures before and after a purge.',
  })
  @ApiOkResponse({ type: AnalyticsResponseDto })
  @ApiNotFoundResponse({ description: '`partner_not_found`', type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({ description: '`validation_error`: `from`/`to` not ISO 8601, or `from` not before `to`', type: ErrorEnvelopeDto })
  async get(@Param('code') code: string, @Query() query: AnalyticsQueryDto): Promise<AnalyticsResponseDto> {
    return this.analytics.report(code, { from: query.from, to: query.to });
  }
}
