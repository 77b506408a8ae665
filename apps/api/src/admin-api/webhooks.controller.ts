import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import {
  MAX_WEBHOOK_ENDPOINTS_PER_PARTNER,
  WEBHOOK_DELIVERY_LIST_DEFAULT_LIMIT,
  WEBHOOK_DELIVERY_LIST_MAX_LIMIT,
  WEBHOOK_DELIVERY_STATUSES,
  WebhookEndpointsService,
} from '@app/webhooks';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { Actor, AdminRoute, RequestId } from './admin-route.decorator';
import {
  CreatedWebhookResponseDto,
  CreateWebhookDto,
  ListLocation,
  parseWebhookDeliveryListQuery,
  RedeliveredWebhookResponseDto,
  RotatedWebhookSecretResponseDto,
  toCreatedWebhookResponse,
  toRotatedSecretResponse,
  toWebhookResponse,
  toWebhookTestResponse,
  UpdateWebhookDto,
  WebhookDeliveryPageDto,
  webhookDeliveryPage,
  WebhookEndpointResponseDto,
  WebhookTestResponseDto,
} from './dto/webhooks.dto';

const NOT_FOUND = "`partner_not_found`; `webhook_not_found`: unknown, or another partner's endpoint";
const URL_INVALID = '`webhook_url_invalid`: scheme, syntax or address refused (the message says why)';
const KEY_MISSING = '`encryption_key_missing`: APP_ENCRYPTION_KEY is not set on the server (secrets are stored encrypted)';

/** Where a list was asked, for its page links: protocol and host as Express reads them (`trust proxy`), the path as sent. */
function listLocation(req: Request): ListLocation {
  const host = req.host;
  return { origin: host ? `${req.protocol}://${host}` : '', path: req.path };
}

@ApiTags('admin: webhooks')
@AdminRoute()
@ApiParam({ name: 'code', description: "the partner's code", example: 'DEMO' })
@Controller('admin/partners/:code/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhookEndpointsService) {}

  @Post()
  @ApiOperation({
    summary: 'Register a webhook endpoint; its signing secret is in this response only',
    description: `The URL is checked now, its host name resolved (and again before every delivery). At most ${MAX_WEBHOOK_ENDPOINTS_PER_PARTNER} endpoints per partner.`,
  })
  @ApiCreatedResponse({ type: CreatedWebhookResponseDto })
  @ApiNotFoundResponse({ description: '`partner_not_found`', type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description: `\`validation_error\` (errors by field); ${URL_INVALID}; \`webhook_limit_reached\`: the partner has ${MAX_WEBHOOK_ENDPOINTS_PER_PARTNER} endpoints already; ${KEY_MISSING}`,
    type: ErrorEnvelopeDto,
  })
  async create(
    @Param('code') code: string,
    @Body() body: CreateWebhookDto,
    @Actor() actor: string,
    @RequestId() requestId: string,
  ): Promise<CreatedWebhookResponseDto> {
    const created = await this.webhooks.create(
      code,
      { url: body.url, events: body.events, description: body.description, format: body.format },
      { actor, requestId },
    );
    return toCreatedWebhookResponse(created);
  }

  @Get()
  @ApiOperation({ summary: "List the partner's webhook endpoints, oldest first (never their secrets)" })
  @ApiOkResponse({ type: [WebhookEndpointResponseDto] })
  @ApiNotFoundResponse({ description: '`partner_not_found`', type: ErrorEnvelopeDto })
  async list(@Param('code') code: string): Promise<WebhookEndpointResponseDto[]> {
    return (await this.webhooks.list(code)).map(toWebhookResponse);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one webhook endpoint (never its secret)' })
  @ApiOkResponse({ type: WebhookEndpointResponseDto })
  @ApiNotFoundResponse({ description: NOT_FOUND, type: ErrorEnvelopeDto })
  async get(@Param('code') code: string, @Param('id') id: string): Promise<WebhookEndpointResponseDto> {
    return toWebhookResponse(await this.webhooks.get(code, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change the URL, events, description or status of a webhook endpoint',
    description:
      'Absent fields are kept. A new URL is checked as on creation. A disabled endpoint gets no new events and its pending deliveries wait; enabling it clears `disabled_reason`.',
  })
  @ApiOkResponse({ type: WebhookEndpointResponseDto })
  @ApiNotFoundResponse({ description: NOT_FOUND, type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({ description: `\`validation_error\` (errors by field); ${URL_INVALID}`, type: ErrorEnvelopeDto })
  async update(
    @Param('code') code: string,
    @Param('id') id: string,
    @Body() body: UpdateWebhookDto,
    @Actor() actor: string,
    @RequestId() requestId: string,
  ): Promise<WebhookEndpointResponseDto> {
    const updated = await this.webhooks.update(
      code,
      id,
      { url: body.url, events: body.events, description: body.description, status: body.status },
      { actor, requestId },
    );
    return toWebhookResponse(updated);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook endpoint with its deliveries (pending ones are not sent)' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiNotFoundResponse({ description: NOT_FOUND, type: ErrorEnvelopeDto })
  async remove(@Param('code') code: string, @Param('id') id: string, @Actor() actor: string, @RequestId() requestId: string): Promise<void> {
    await this.webhooks.remove(code, id, { actor, requestId });
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace the signing secret; the new one is in this response only',
    description: 'The previous secret keeps signing for 24 h: meanwhile every request carries both signatures, so receivers can switch without losing events.',
  })
  @ApiOkResponse({ type: RotatedWebhookSecretResponseDto })
  @ApiNotFoundResponse({ description: NOT_FOUND, type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({ description: KEY_MISSING, type: ErrorEnvelopeDto })
  async rotateSecret(
    @Param('code') code: string,
    @Param('id') id: string,
    @Actor() actor: string,
    @RequestId() requestId: string,
  ): Promise<RotatedWebhookSecretResponseDto> {
    return toRotatedSecretResponse(await this.webhooks.rotateSecret(code, id, { actor, requestId }));
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: "List a webhook endpoint's deliveries, newest first, one page at a time",
    description: '`next` and `previous` are the URLs of the neighbouring pages: this route with the same filter and `offset` moved by `limit`.',
  })
  @ApiQuery({ name: 'status', required: false, enum: WEBHOOK_DELIVERY_STATUSES })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: Number,
    description: `page size, 1–${WEBHOOK_DELIVERY_LIST_MAX_LIMIT}, default ${WEBHOOK_DELIVERY_LIST_DEFAULT_LIMIT}`,
  })
  @ApiQuery({ name: 'offset', required: false, type: Number, description: 'deliveries to skip, default 0' })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiNotFoundResponse({ description: NOT_FOUND, type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({
    description: '`validation_error`: a parameter out of range or given twice, errors by parameter name',
    type: ErrorEnvelopeDto,
  })
  async deliveries(
    @Param('code') code: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
  ): Promise<WebhookDeliveryPageDto> {
    const parsed = parseWebhookDeliveryListQuery(query);
    const page = await this.webhooks.listDeliveries(code, id, parsed.query);
    return webhookDeliveryPage(page, parsed, listLocation(req));
  }

  @Post(':id/deliveries/:delivery_id/redeliver')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a delivery again now, whatever its status (the same event id)',
    description:
      "The delivery becomes pending, due now; its attempts and last error are kept. A disabled endpoint's deliveries wait until it is enabled again.",
  })
  @ApiAcceptedResponse({ type: RedeliveredWebhookResponseDto })
  @ApiNotFoundResponse({ description: `${NOT_FOUND}; \`webhook_delivery_not_found\`: no such delivery of this endpoint`, type: ErrorEnvelopeDto })
  async redeliver(
    @Param('code') code: string,
    @Param('id') id: string,
    @Param('delivery_id') deliveryId: string,
    @Actor() actor: string,
    @RequestId() requestId: string,
  ): Promise<RedeliveredWebhookResponseDto> {
    return this.webhooks.redeliver(code, id, deliveryId, { actor, requestId });
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a `webhook.test` event to the endpoint',
    description: 'Queued and sent like any event (signed, retried): data `{ "webhook_id", "message": "test event" }`. Follow it in the deliveries list.',
  })
  @ApiAcceptedResponse({ type: WebhookTestResponseDto })
  @ApiNotFoundResponse({ description: NOT_FOUND, type: ErrorEnvelopeDto })
  @ApiUnprocessableEntityResponse({ description: '`webhook_disabled`: enable the endpoint first', type: ErrorEnvelopeDto })
  async test(@Param('code') code: string, @Param('id') id: string, @Actor() actor: string, @RequestId() requestId: string): Promise<WebhookTestResponseDto> {
    return toWebhookTestResponse(await this.webhooks.sendTest(code, id, { actor, requestId }));
  }
}
