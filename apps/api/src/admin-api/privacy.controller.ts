import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { ErasureService } from '@app/privacy';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { Actor, AdminRoute, RequestId } from './admin-route.decorator';
import { ErasureRequestDto, ErasureResponseDto, toErasureResponse } from './dto/privacy.dto';

@ApiTags('admin: privacy')
@AdminRoute()
@Controller('admin/privacy')
export class PrivacyController {
  constructor(private readonly erasures: ErasureService) {}

  @Post('erasures')
  @HttpCode(200)
  @ApiOperation({
    summary: "Erase a person (GDPR Art. 17) from one partner's offers and bookings",
    description: [
      "Finds the partner's offers whose create-offer request has the e-mail (`customer.email`, any case) or the customer id (`partner.customer_id`), the bookings whose policyholder has the e-mail now, the offers of those bookings and the bookings of those offers.",
      'In them and in everything stored about them (requests, responses, opt-outs, bookings, their quotes, events and priced changes, webhook deliveries, idempotency records) names, e-mail, phone, address, IP address, birth date, company, insured persons and the customer id become `"[erased]"` (removed where the request schema\'s format refuses that text), and so does any other text holding one of those values.',
      'Amounts, dates, statuses, product codes, ids and `partner_transaction_id` are kept. One transaction, recorded in the audit log (`privacy.erasure`) with the SHA-256 of the identifier, never the identifier; then the old row versions are discarded from the database files.',
      'Idempotent: a repeat finds nothing left and answers 200 with `offers` and `bookings` 0. Backups, replicas and webhooks already delivered are out of its reach.',
    ].join(' '),
  })
  @ApiOkResponse({ type: ErasureResponseDto })
  @ApiBadRequestResponse({ description: '`malformed_request`: the body is not JSON', type: ErrorEnvelopeDto })
  @ApiNotFoundResponse({ description: '`partner_not_found`', type: ErrorEnvelopeDto })
  @ApiPayloadTooLargeResponse({ description: '`payload_too_large`: the body is over ADMIN_MAX_BODY_BYTES', type: ErrorEnvelopeDto })
  @ApiUnsupportedMediaTypeResponse({ description: '`unsupported_media_type`: the body is not `application/json`', type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description:
      '`validation_error` (errors by field): no partner, neither or both of `email` and `customer_id`, a value of the wrong type or length, an unknown field',
    type: ErrorEnvelopeDto,
  })
  @ApiServiceUnavailableResponse({
    description: '`service_unavailable`: the database does not answer (nothing was erased; Retry-After)',
    type: ErrorEnvelopeDto,
  })
  async erase(@Body() body: ErasureRequestDto, @Actor() actor: string, @RequestId() requestId: string): Promise<ErasureResponseDto> {
    const result = await this.erasures.erase({ partnerCode: body.partner, email: body.email, customerId: body.customer_id }, { actor, requestId });
    return toErasureResponse(result);
  }
}
