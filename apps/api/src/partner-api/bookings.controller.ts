import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { BookingsService, type ConfirmOfferInput } from '@app/offers';
import type { AuthenticatedKey } from '@app/partners';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { ConfirmBodyPipe } from './confirm-body.pipe';
import { BookingResponseDto, ConfirmOfferDto, OptOutRequestDto } from './dto/confirm.dto';
import { PartnerApiAuth, PartnerAuth } from './guards';
import { PartnerThrottlerGuard } from './rate-limit/partner-throttler';
import { RateLimitClass } from './rate-limit/route-class.decorator';

/** Confirm, opt-out and bookings (docs/api.md: "Confirm Offer", "Opt out", "Bookings"). Mounted under every API prefix by PartnerApiModule. */
@ApiTags('partner: bookings')
@PartnerApiAuth()
@Controller('partners/:partner_code')
export class BookingsController {
  constructor(private readonly bookings: BookingsService) {}

  @Post('offers/:offer_id/confirm')
  @HttpCode(200)
  @UseGuards(PartnerThrottlerGuard)
  @RateLimitClass('confirm')
  @ApiOperation({
    summary: 'Confirm Offer: book the chosen quotes. Exactly one booking per offer, whatever the concurrency.',
  })
  @ApiBody({ type: ConfirmOfferDto })
  @ApiHeader({
    name: 'x-idempotency-key',
    required: false,
    description: 'kept 48 h per partner: a retry with the same body gets the first booking with 409 and Idempotent-Replayed: true',
  })
  @ApiOkResponse({ type: BookingResponseDto, description: 'the booking' })
  @ApiConflictResponse({ type: BookingResponseDto, description: 'idempotent replay (header Idempotent-Replayed: true): the first response; treat as success' })
  @ApiNotFoundResponse({ description: "`offer_not_found`: unknown, or another partner's offer", type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description:
      '`booking_validation_error` (errors by JSON path: quotes empty, repeated or not of this offer, policyholder fields), `product_rules_violation` (with `violations`), `offer_expired` (with `expires_at`), `booking_already_exists` (with `booking_id`), `idempotency_key_reused`',
    type: ErrorEnvelopeDto,
  })
  @ApiResponse({
    status: 423,
    description: '`idempotency_in_progress`: the first request with this key is still running; retry shortly',
    type: ErrorEnvelopeDto,
  })
  async confirm(
    @PartnerAuth() auth: AuthenticatedKey,
    @Param('offer_id') offerId: string,
    @Body(ConfirmBodyPipe) body: ConfirmOfferInput,
    @Headers('x-idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BookingResponseDto> {
    const result = await this.bookings.confirm({
      caller: { keyId: auth.keyId, partnerId: auth.partnerId, partnerCode: auth.partnerCode, mode: auth.mode },
      offerId,
      body,
      idempotencyKey: idempotencyKey?.trim() || undefined,
    });
    res.status(result.status);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Post('offers/:offer_id/opt_out')
  @HttpCode(204)
  @UseGuards(PartnerThrottlerGuard)
  @ApiOperation({
    summary: 'Opt-Out: the customer declined the offer. Repeatable; every opt-out is recorded with its body.',
  })
  @ApiBody({ type: OptOutRequestDto, required: false, description: '`partner_metadata` plus any free fields, stored as received' })
  @ApiNoContentResponse({ description: 'recorded' })
  @ApiNotFoundResponse({ description: "`offer_not_found`: unknown, or another partner's offer", type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description: '`offer_already_confirmed` (with `booking_id`); `validation_error` when the body is not a JSON object',
    type: ErrorEnvelopeDto,
  })
  async optOut(@PartnerAuth() auth: AuthenticatedKey, @Param('offer_id') offerId: string, @Body() body: unknown): Promise<void> {
    await this.bookings.optOut({
      caller: { keyId: auth.keyId, partnerId: auth.partnerId, partnerCode: auth.partnerCode, mode: auth.mode },
      offerId,
      body,
    });
  }

  @Get('bookings/:booking_id')
  @UseGuards(PartnerThrottlerGuard)
  @ApiOperation({
    summary:
      'Read a booking as it is now: its quotes in force or cancelled, refunds, last change. A body sent with the GET (XCover clients send `null`) is ignored.',
  })
  @ApiOkResponse({ type: BookingResponseDto })
  @ApiNotFoundResponse({ description: "`booking_not_found`: unknown, or another partner's booking", type: ErrorEnvelopeDto })
  async get(@PartnerAuth() auth: AuthenticatedKey, @Param('booking_id') bookingId: string): Promise<BookingResponseDto> {
    return await this.bookings.getBooking(auth.partnerId, bookingId);
  }
}
