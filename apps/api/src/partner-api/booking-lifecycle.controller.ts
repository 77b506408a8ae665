import { applyDecorators, Body, type Type, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  BookingLifecycleService,
  type BookingChangeResult,
  type CancelBookingInput,
  type OfferCaller,
  type QuoteForUpdateInput,
  type UpdateBookingInput,
} from '@app/offers';
import type { AuthenticatedKey } from '@app/partners';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { bookingPage, BOOKING_LIST_DEFAULT_LIMIT, BOOKING_LIST_MAX_LIMIT, parseBookingListQuery, type ListLocation } from './booking-list-query';
import { CancelBodyPipe, IgnoredBodyPipe, QuoteForUpdateBodyPipe, UpdateBodyPipe } from './booking-lifecycle.pipes';
import { BookingResponseDto } from './dto/confirm.dto';
import {
  BookingPageDto,
  CancelBookingDto,
  CancellationPreviewResponseDto,
  EmptyBodyDto,
  QuoteForUpdateDto,
  UpdateBookingDto,
  UpdateQuoteResponseDto,
} from './dto/booking-lifecycle.dto';
import { PartnerApiAuth, PartnerAuth } from './guards';
import { PartnerThrottlerGuard } from './rate-limit/partner-throttler';
import { RateLimitClass } from './rate-limit/route-class.decorator';

const caller = (auth: AuthenticatedKey): OfferCaller => ({ keyId: auth.keyId, partnerId: auth.partnerId, partnerCode: auth.partnerCode, mode: auth.mode });

/** `x-idempotency-key`, trimmed; empty means none */
export const idempotencyKeyOf = (header: string | undefined): string | undefined => (typeof header === 'string' ? header.trim() || undefined : undefined);

/** The answer of a change: its status (409 for a replay) and, for a replay, `Idempotent-Replayed: true`. */
export function answer<T>(res: Response, result: BookingChangeResult): T {
  res.status(result.status);
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return result.body as T;
}

/** Where a list was asked, for its page links: protocol and host as Express reads them (`trust proxy`), the path as sent. */
function listLocation(req: Request): ListLocation {
  const host = req.host;
  return { origin: host ? `${req.protocol}://${host}` : '', path: req.path };
}

/** The idempotency header, the 409 replay and the 423 of every change of a booking. */
export function IdempotentChange(replayType: Type<unknown>): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'x-idempotency-key',
      required: false,
      description: 'kept 48 h per partner and route: a retry with the same body gets the first answer with 409 and `Idempotent-Replayed: true`',
    }),
    ApiConflictResponse({ type: replayType, description: 'idempotent replay (header `Idempotent-Replayed: true`): the first answer; treat as success' }),
    ApiResponse({
      status: 423,
      description: '`idempotency_in_progress`: the first request with this key is still running; retry shortly',
      type: ErrorEnvelopeDto,
    }),
  );
}

const NOT_FOUND = "`partner_not_found`; `booking_not_found`: unknown, or another partner's booking";

/** The body and answers of a cancellation's confirmation, the partner's route and the operator's alike: 200, 404, 422, idempotency. */
export function CancellationConfirmationAnswers(): MethodDecorator {
  return applyDecorators(
    ApiBody({ type: EmptyBodyDto, required: false, description: '`{}`, `null` or no body: nothing in it is read' }),
    IdempotentChange(BookingResponseDto),
    ApiOkResponse({ type: BookingResponseDto, description: 'the booking after the cancellation' }),
    ApiNotFoundResponse({ description: `${NOT_FOUND}; \`cancellation_not_found\`: unknown, or of another booking`, type: ErrorEnvelopeDto }),
    ApiUnprocessableEntityResponse({
      description:
        '`cancellation_expired` (with `confirm_before`), `cancellation_stale` (the booking changed since the preview), `booking_already_cancelled`, `booking_validation_error` (a body that is not a JSON object), `idempotency_key_reused`',
      type: ErrorEnvelopeDto,
    }),
  );
}

/** The body and answers of a cancellation, the partner's route and the operator's alike: 200 (or its preview), 404, 422, idempotency. */
export function CancellationAnswers(): MethodDecorator {
  return applyDecorators(
    ApiBody({ type: CancelBookingDto, required: false, description: 'every field optional; no body cancels the whole booking' }),
    IdempotentChange(BookingResponseDto),
    ApiOkResponse({
      description: 'the booking after the cancellation; with `preview: true`, the booking as it would be, with `cancellation_id` and `confirm_before`',
      schema: { oneOf: [{ $ref: getSchemaPath(BookingResponseDto) }, { $ref: getSchemaPath(CancellationPreviewResponseDto) }] },
    }),
    ApiNotFoundResponse({ description: NOT_FOUND, type: ErrorEnvelopeDto }),
    ApiUnprocessableEntityResponse({
      description:
        '`booking_validation_error` (errors by JSON path: a field of the body, a quote id repeated or not of this booking), `booking_already_cancelled` (with `quote_ids`), `cancellation_not_allowed` (with `quote_id`), `idempotency_key_reused`',
      type: ErrorEnvelopeDto,
    }),
  );
}

/** Cancel, modify and list a partner's bookings. Mounted under every API prefix by PartnerApiModule. */
@ApiTags('partner: bookings')
@PartnerApiAuth()
@ApiExtraModels(BookingResponseDto, CancellationPreviewResponseDto)
@ApiParam({ name: 'partner_code', description: "the partner's code: the API key's own", example: 'DEMO' })
@Controller('partners/:partner_code/bookings')
export class BookingLifecycleController {
  constructor(private readonly lifecycle: BookingLifecycleService) {}

  @Get()
  @UseGuards(PartnerThrottlerGuard)
  @ApiOperation({
    summary: "List the partner's bookings, newest first, one page at a time",
    description:
      'Filters combine. `next` and `previous` are the URLs of the neighbouring pages: this route with the same filters and `offset` moved by `limit`.',
  })
  @ApiQuery({ name: 'status', required: false, enum: ['CONFIRMED', 'CANCELLED'] })
  @ApiQuery({ name: 'partner_transaction_id', required: false, description: "the partner's own reference (at most 200 characters)" })
  @ApiQuery({
    name: 'created_from',
    required: false,
    description: 'created at or after: ISO 8601 date (start of that day, UTC) or date-time with a zone',
    example: '2026-11-01',
  })
  @ApiQuery({
    name: 'created_to',
    required: false,
    description: 'created before: a date-time with a zone, or a date (to the end of that day, UTC)',
    example: '2026-11-30',
  })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `page size, 1–${BOOKING_LIST_MAX_LIMIT}, default ${BOOKING_LIST_DEFAULT_LIMIT}` })
  @ApiQuery({ name: 'offset', required: false, type: Number, description: 'bookings to skip, default 0' })
  @ApiOkResponse({ type: BookingPageDto })
  @ApiUnprocessableEntityResponse({
    description: '`validation_error`: a parameter out of range or given twice, errors by parameter name',
    type: ErrorEnvelopeDto,
  })
  async list(@PartnerAuth() auth: AuthenticatedKey, @Query() query: Record<string, unknown>, @Req() req: Request): Promise<BookingPageDto> {
    const parsed = parseBookingListQuery(query);
    const page = await this.lifecycle.list(auth.partnerId, parsed.query);
    return bookingPage(page, parsed, listLocation(req));
  }

  @Post(':booking_id/cancel')
  @HttpCode(200)
  @UseGuards(PartnerThrottlerGuard)
  @RateLimitClass('confirm')
  @ApiOperation({
    summary: 'Cancel a booking, or some of its quotes, and refund them',
    description:
      'Without `quotes`, every quote still in force is cancelled. Within the cooling-off period the whole price is refunded; after it, what the product is configured to refund. With `preview: true` nothing changes: the answer prices the cancellation and gives the `cancellation_id` that applies it (confirm_cancellation) within 24 h.',
  })
  @CancellationAnswers()
  async cancel(
    @PartnerAuth() auth: AuthenticatedKey,
    @Param('booking_id') bookingId: string,
    @Body(CancelBodyPipe) body: CancelBookingInput,
    @Headers('x-idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BookingResponseDto | CancellationPreviewResponseDto> {
    const result = await this.lifecycle.cancel({ caller: caller(auth), bookingId, body, idempotencyKey: idempotencyKeyOf(idempotencyKey) });
    return answer(res, result);
  }

  @Post(':booking_id/confirm_cancellation/:cancellation_id')
  @HttpCode(200)
  @UseGuards(PartnerThrottlerGuard)
  @RateLimitClass('confirm')
  @ApiOperation({
    summary: 'Apply a cancellation priced by a preview, exactly as priced',
    description: 'Refused once `confirm_before` has passed, or when the booking changed since the preview: ask for a new preview.',
  })
  @CancellationConfirmationAnswers()
  async confirmCancellation(
    @PartnerAuth() auth: AuthenticatedKey,
    @Param('booking_id') bookingId: string,
    @Param('cancellation_id') cancellationId: string,
    @Body(IgnoredBodyPipe) _body: void,
    @Headers('x-idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BookingResponseDto> {
    const result = await this.lifecycle.confirmCancellation({
      caller: caller(auth),
      bookingId,
      cancellationId,
      idempotencyKey: idempotencyKeyOf(idempotencyKey),
    });
    return answer(res, result);
  }

  @Patch(':booking_id')
  @UseGuards(PartnerThrottlerGuard)
  @ApiOperation({
    summary: 'Change a booking without changing its price: policyholder details, insured people',
    description: 'Only the given fields change; each is checked as on Confirm Offer.',
  })
  @ApiBody({ type: UpdateBookingDto, required: false })
  @IdempotentChange(BookingResponseDto)
  @ApiOkResponse({ type: BookingResponseDto, description: 'the booking after the change' })
  @ApiNotFoundResponse({ description: NOT_FOUND, type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description:
      '`booking_validation_error` (errors by JSON path: a field of the body, a quote id repeated or not of this booking), `booking_already_cancelled`, `idempotency_key_reused`',
    type: ErrorEnvelopeDto,
  })
  async update(
    @PartnerAuth() auth: AuthenticatedKey,
    @Param('booking_id') bookingId: string,
    @Body(UpdateBodyPipe) body: UpdateBookingInput,
    @Headers('x-idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BookingResponseDto> {
    const result = await this.lifecycle.update({ caller: caller(auth), bookingId, body, idempotencyKey: idempotencyKeyOf(idempotencyKey) });
    return answer(res, result);
  }

  @Patch(':booking_id/quote_for_update')
  @UseGuards(PartnerThrottlerGuard)
  @ApiOperation({
    summary: 'Price a change of the trip or order: the booking as it would be, nothing changed yet',
    description:
      "Each listed quote is priced again with its `update_fields` merged into the offer's context, as its product was configured when the offer was made, at today's date. The answer gives the price differences and the `update_id` that applies them (confirm_update) within 24 h.",
  })
  @ApiBody({ type: QuoteForUpdateDto })
  @IdempotentChange(UpdateQuoteResponseDto)
  @ApiOkResponse({
    type: UpdateQuoteResponseDto,
    description: 'the booking as it would be, with `price_diff` per quote, `total_price_diff`, `update_id` and `confirm_before`',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND, type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description:
      "`booking_validation_error` (errors by JSON path: a field of the body, a quote id repeated or not of this booking, the updated request against the offer's schema, a field the product does not let change), `modification_not_allowed` (with `quote_id`), `offer_quote_pricing_error` (with `quote_id`), `booking_already_cancelled`, `idempotency_key_reused`",
    type: ErrorEnvelopeDto,
  })
  async quoteForUpdate(
    @PartnerAuth() auth: AuthenticatedKey,
    @Param('booking_id') bookingId: string,
    @Body(QuoteForUpdateBodyPipe) body: QuoteForUpdateInput,
    @Headers('x-idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UpdateQuoteResponseDto> {
    const result = await this.lifecycle.quoteForUpdate({ caller: caller(auth), bookingId, body, idempotencyKey: idempotencyKeyOf(idempotencyKey) });
    return answer(res, result);
  }

  @Post(':booking_id/confirm_update/:update_id')
  @HttpCode(201)
  @UseGuards(PartnerThrottlerGuard)
  @RateLimitClass('confirm')
  @ApiOperation({
    summary: 'Apply an update priced by quote_for_update, exactly as priced',
    description: 'Refused once `confirm_before` has passed, or when the booking changed since the quote: ask for a new quote.',
  })
  @ApiBody({ type: EmptyBodyDto, required: false, description: '`{}`, `null` or no body: nothing in it is read' })
  @IdempotentChange(BookingResponseDto)
  @ApiCreatedResponse({ type: BookingResponseDto, description: 'the booking after the update' })
  @ApiNotFoundResponse({ description: `${NOT_FOUND}; \`update_not_found\`: unknown, or of another booking`, type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description:
      '`update_expired` (with `confirm_before`), `update_stale` (the booking changed since the quote), `booking_already_cancelled`, `booking_validation_error` (a body that is not a JSON object), `idempotency_key_reused`',
    type: ErrorEnvelopeDto,
  })
  async confirmUpdate(
    @PartnerAuth() auth: AuthenticatedKey,
    @Param('booking_id') bookingId: string,
    @Param('update_id') updateId: string,
    @Body(IgnoredBodyPipe) _body: void,
    @Headers('x-idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BookingResponseDto> {
    const result = await this.lifecycle.confirmUpdate({ caller: caller(auth), bookingId, updateId, idempotencyKey: idempotencyKeyOf(idempotencyKey) });
    return answer(res, result);
  }
}
