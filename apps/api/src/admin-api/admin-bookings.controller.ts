import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { BookingLifecycleService, BookingsService, type CancelBookingInput, type OperatorCaller } from '@app/offers';
import { PartnersService } from '@app/partners';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { answer, CancellationAnswers, CancellationConfirmationAnswers, idempotencyKeyOf } from '../partner-api/booking-lifecycle.controller';
import { CancelBodyPipe, IgnoredBodyPipe } from '../partner-api/booking-lifecycle.pipes';
import { BookingResponseDto } from '../partner-api/dto/confirm.dto';
import { CancellationPreviewResponseDto } from '../partner-api/dto/booking-lifecycle.dto';
import { Actor, AdminRoute, RequestId } from './admin-route.decorator';
import { BOOKING_SEARCH_DEFAULT_LIMIT, BookingSearchQueryDto, BookingSearchResponseDto } from './dto/admin-bookings.dto';

const NOT_FOUND = "`partner_not_found`; `booking_not_found`: unknown, or another partner's booking";

/**
 * A partner's bookings for its operators: find them, read them, cancel them. Each answer is the
 * booking as the partner API reads it, and a cancellation is the partner route's own (same body,
 * preview, answers and idempotency), made in the operator's name: its event names the admin key,
 * and the audit log has it.
 */
@ApiTags('admin: bookings')
@AdminRoute()
@ApiExtraModels(BookingResponseDto, CancellationPreviewResponseDto)
@Controller('admin/partners/:code/bookings')
export class AdminBookingsController {
  constructor(
    private readonly partners: PartnersService,
    private readonly bookings: BookingsService,
    private readonly lifecycle: BookingLifecycleService,
  ) {}

  @Get()
  @ApiOperation({
    summary: "Find a partner's bookings by booking id, partner transaction id or policyholder e-mail; without `q`, the latest",
    description: 'Newest first. The e-mail matches whatever its case and surrounding spaces; the ids match exactly.',
  })
  @ApiOkResponse({ type: BookingSearchResponseDto })
  @ApiNotFoundResponse({ description: '`partner_not_found`', type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description: '`validation_error`: `limit` not an integer from 1 to 100, `q` longer than 254 characters, a parameter given twice or unknown',
    type: ErrorEnvelopeDto,
  })
  async search(@Param('code') code: string, @Query() query: BookingSearchQueryDto): Promise<BookingSearchResponseDto> {
    const partner = await this.partners.get(code);
    const bookings = await this.lifecycle.search(partner.id, { text: query.q, limit: query.limit ?? BOOKING_SEARCH_DEFAULT_LIMIT });
    return { bookings };
  }

  @Get(':booking_id')
  @ApiOperation({ summary: 'Read a booking as it is now, as the partner API reads it' })
  @ApiOkResponse({ type: BookingResponseDto })
  @ApiNotFoundResponse({ description: NOT_FOUND, type: ErrorEnvelopeDto })
  async get(@Param('code') code: string, @Param('booking_id') bookingId: string): Promise<BookingResponseDto> {
    const partner = await this.partners.get(code);
    return await this.bookings.getBooking(partner.id, bookingId);
  }

  @Post(':booking_id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a booking, or some of its quotes, in the partner\'s stead: the partner route "Cancel a booking", in the operator\'s name',
    description:
      'Without `quotes`, every quote still in force is cancelled, refunded as the product is configured. With `preview: true` nothing changes: the answer prices the cancellation and gives the `cancellation_id` that applies it (confirm_cancellation) within 24 h. The change is the partner\'s booking.cancelled event (webhooks included), its actor `{ "admin_key_id": … }`, and an audit entry `booking.cancel`.',
  })
  @CancellationAnswers()
  async cancel(
    @Param('code') code: string,
    @Param('booking_id') bookingId: string,
    @Body(CancelBodyPipe) body: CancelBookingInput,
    @Headers('x-idempotency-key') idempotencyKey: string | undefined,
    @Actor() actor: string,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BookingResponseDto | CancellationPreviewResponseDto> {
    const caller = await this.operator(code, actor, requestId);
    const result = await this.lifecycle.cancel({ caller, bookingId, body, idempotencyKey: idempotencyKeyOf(idempotencyKey) });
    return answer(res, result);
  }

  @Post(':booking_id/confirm_cancellation/:cancellation_id')
  @HttpCode(200)
  @ApiOperation({
    summary: "Apply a cancellation priced by a preview, exactly as priced (the partner route, in the operator's name)",
    description:
      'Refused once `confirm_before` has passed, or when the booking changed since the preview: ask for a new preview. A preview made through the partner API can be confirmed here too.',
  })
  @CancellationConfirmationAnswers()
  async confirmCancellation(
    @Param('code') code: string,
    @Param('booking_id') bookingId: string,
    @Param('cancellation_id') cancellationId: string,
    @Body(IgnoredBodyPipe) _body: void,
    @Headers('x-idempotency-key') idempotencyKey: string | undefined,
    @Actor() actor: string,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BookingResponseDto> {
    const caller = await this.operator(code, actor, requestId);
    const result = await this.lifecycle.confirmCancellation({ caller, bookingId, cancellationId, idempotencyKey: idempotencyKeyOf(idempotencyKey) });
    return answer(res, result);
  }

  private async operator(code: string, actor: string, requestId: string): Promise<OperatorCaller> {
    const partner = await this.partners.get(code);
    return { partnerId: partner.id, partnerCode: partner.code, operator: actor, requestId };
  }
}
