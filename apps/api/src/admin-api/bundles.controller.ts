import { Body, Controller, Delete, Get, HttpCode, Param, PipeTransform, Post, Put, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { InvalidError, type Bundle, type BundleSchema, type OfferConfig } from '@app/core';
import { BundlesService } from '@app/bundles';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { AdminRoute, Actor, RequestId } from './admin-route.decorator';
import { BundleSchemaDto, BundleVersionDto, BundleWriteResponseDto, PutSchemaDto } from './dto/bundle.dto';

/** Both components are added by setupSwagger (bootstrap.ts) from the bundle JSON Schema. */
const BUNDLE_REF = { $ref: '#/components/schemas/Bundle' };
const OFFER_CONFIG_REF = { $ref: '#/components/schemas/Bundle_offer_config' };

/**
 * A version number in the path: 1 to 999999999 (fits every engine's integer column), else 422
 * in the same shape as body validation (ParseIntPipe answered 400 `malformed_request`). The
 * global ValidationPipe (transform) has already turned the segment into a number, NaN if it was none.
 */
class VersionPipe implements PipeTransform<unknown, number> {
  transform(value: unknown): number {
    if (!/^[1-9][0-9]{0,8}$/.test(String(value))) {
      throw new InvalidError('validation_error', 'Request validation failed', { version: ['must be a positive integer'] });
    }
    return Number(value);
  }
}
const invalid = ApiUnprocessableEntityResponse({
  description: '`bundle_invalid`: every problem with its path, e.g. `offer_configs[0].products[1].pricing.premium`; nothing applied',
  type: ErrorEnvelopeDto,
});
const notFound = ApiNotFoundResponse({ description: 'partner, version, schema or config not found', type: ErrorEnvelopeDto });

@ApiTags('admin: configuration')
@ApiSecurity('admin-key')
@ApiExtraModels(BundleWriteResponseDto)
@AdminRoute()
@Controller('admin/partners/:code')
export class BundlesController {
  constructor(private readonly bundles: BundlesService) {}

  @Put('bundle')
  @HttpCode(200)
  @ApiOperation({ summary: 'Write the whole configuration as a new version (creates the partner if needed)' })
  @ApiBody({ schema: BUNDLE_REF })
  @ApiOkResponse({ type: BundleWriteResponseDto })
  @invalid
  putBundle(
    @Param('code') code: string,
    @Body() body: Record<string, unknown>,
    @Actor() actor: string,
    @RequestId() requestId: string,
  ): Promise<BundleWriteResponseDto> {
    return this.bundles.write(code, body, { actor, requestId });
  }

  @Get('bundle')
  @ApiOperation({ summary: 'Export the bundle in force (header X-Bundle-Version names its version)' })
  @ApiOkResponse({ schema: BUNDLE_REF })
  @notFound
  async getBundle(@Param('code') code: string, @Res({ passthrough: true }) res: Response): Promise<Bundle> {
    const { version, bundle } = await this.bundles.export(code);
    res.setHeader('X-Bundle-Version', String(version));
    return bundle;
  }

  @Get('bundle/versions')
  @ApiOperation({ summary: 'List bundle versions, newest first' })
  @ApiOkResponse({ type: BundleVersionDto, isArray: true })
  @notFound
  versions(@Param('code') code: string): Promise<BundleVersionDto[]> {
    return this.bundles.versions(code);
  }

  @Get('bundle/versions/:version')
  @ApiOperation({ summary: 'Export one bundle version' })
  @ApiOkResponse({ schema: BUNDLE_REF })
  @notFound
  async getVersion(@Param('code') code: string, @Param('version', VersionPipe) version: number, @Res({ passthrough: true }) res: Response): Promise<Bundle> {
    const v = await this.bundles.getVersion(code, version);
    res.setHeader('X-Bundle-Version', String(v.version));
    return v.bundle;
  }

  @Post('bundle/versions/:version/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Roll back: write an older version again as the newest version' })
  @ApiOkResponse({ type: BundleWriteResponseDto })
  @notFound
  @invalid
  restore(
    @Param('code') code: string,
    @Param('version', VersionPipe) version: number,
    @Actor() actor: string,
    @RequestId() requestId: string,
  ): Promise<BundleWriteResponseDto> {
    return this.bundles.restore(code, version, { actor, requestId });
  }

  @Get('schemas')
  @ApiOperation({ summary: "List the partner's offer schemas in force" })
  @ApiOkResponse({ type: BundleSchemaDto, isArray: true })
  @notFound
  listSchemas(@Param('code') code: string): Promise<BundleSchema[]> {
    return this.bundles.listSchemas(code);
  }

  @Get('schemas/:id')
  @ApiOperation({ summary: 'One offer schema in force' })
  @ApiOkResponse({ type: BundleSchemaDto })
  @notFound
  getSchema(@Param('code') code: string, @Param('id') id: string): Promise<BundleSchema> {
    return this.bundles.getSchema(code, id);
  }

  @Put('schemas/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or replace one offer schema (writes a new bundle version)' })
  @ApiOkResponse({ type: BundleWriteResponseDto })
  @notFound
  @invalid
  putSchema(
    @Param('code') code: string,
    @Param('id') id: string,
    @Body() body: PutSchemaDto,
    @Actor() actor: string,
    @RequestId() requestId: string,
  ): Promise<BundleWriteResponseDto> {
    return this.bundles.putSchema(code, id, { description: body.description, json_schema: body.json_schema }, { actor, requestId });
  }

  @Delete('schemas/:id')
  @ApiOperation({ summary: 'Delete one offer schema (refused while a config uses it)' })
  @ApiOkResponse({ type: BundleWriteResponseDto })
  @notFound
  @invalid
  deleteSchema(@Param('code') code: string, @Param('id') id: string, @Actor() actor: string, @RequestId() requestId: string): Promise<BundleWriteResponseDto> {
    return this.bundles.deleteSchema(code, id, { actor, requestId });
  }

  @Get('offer-configs')
  @ApiOperation({ summary: "List the partner's offer configs in force" })
  @ApiOkResponse({ schema: { type: 'array', items: OFFER_CONFIG_REF } })
  @notFound
  listConfigs(@Param('code') code: string): Promise<OfferConfig[]> {
    return this.bundles.listOfferConfigs(code);
  }

  @Get('offer-configs/:id')
  @ApiOperation({ summary: 'One offer config in force (with defaults filled in)' })
  @ApiOkResponse({ schema: OFFER_CONFIG_REF })
  @notFound
  getConfig(@Param('code') code: string, @Param('id') id: string): Promise<OfferConfig> {
    return this.bundles.getOfferConfig(code, id);
  }

  @Put('offer-configs/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or replace one offer config (writes a new bundle version)' })
  @ApiBody({ schema: OFFER_CONFIG_REF })
  @ApiOkResponse({ type: BundleWriteResponseDto })
  @notFound
  @invalid
  putConfig(
    @Param('code') code: string,
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Actor() actor: string,
    @RequestId() requestId: string,
  ): Promise<BundleWriteResponseDto> {
    return this.bundles.putOfferConfig(code, id, body as unknown as Omit<OfferConfig, 'id'>, { actor, requestId });
  }

  @Delete('offer-configs/:id')
  @ApiOperation({ summary: 'Delete one offer config (writes a new bundle version)' })
  @ApiOkResponse({ type: BundleWriteResponseDto })
  @notFound
  @invalid
  deleteConfig(@Param('code') code: string, @Param('id') id: string, @Actor() actor: string, @RequestId() requestId: string): Promise<BundleWriteResponseDto> {
    return this.bundles.deleteOfferConfig(code, id, { actor, requestId });
  }
}
