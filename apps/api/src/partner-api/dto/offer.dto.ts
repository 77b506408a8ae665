import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/* Documentation classes for Create Offer (docs/api.md, "Create Offer"). Bodies are validated against the
   partner's own offer schema (Ajv), not by these classes. */

export class OfferCustomerDto {
  @ApiProperty({ example: 'en' }) language!: string;
  @ApiProperty({ example: 'AUD' }) currency!: string;
  @ApiProperty({ example: 'AU' }) country!: string;
  @ApiPropertyOptional() email?: string;
  @ApiPropertyOptional() ip_address?: string;
  @ApiPropertyOptional() region?: string;
  @ApiPropertyOptional() postcode?: string;
}

export class OfferPartnerDto {
  @ApiPropertyOptional() subsidiary?: string;
  @ApiPropertyOptional() transaction_id?: string;
  @ApiPropertyOptional() customer_id?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) metadata?: Record<string, unknown>;
}

export class CreateOfferRequestDto {
  @ApiPropertyOptional({ example: 'travel:v1', description: "offer schema id; the partner's default when omitted" })
  schema?: string;
  @ApiProperty({ type: OfferCustomerDto }) customer!: OfferCustomerDto;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'whatever the offer schema defines' })
  context!: Record<string, unknown>;
  @ApiPropertyOptional({ type: OfferPartnerDto }) partner?: OfferPartnerDto;
}

export class MoneyDto {
  @ApiProperty({ example: 1.69 }) total_amount!: number;
  @ApiProperty({ example: 'A$1.69' }) total_amount_formatted!: string;
}

export class PriceDto extends MoneyDto {
  @ApiProperty({ example: 16.92 }) total_amount_without_tax!: number;
  @ApiProperty({ example: 'A$16.92' }) total_amount_without_tax_formatted!: string;
}

export class FinanceDto {
  @ApiProperty({ type: PriceDto }) price!: PriceDto;
  @ApiPropertyOptional({ type: MoneyDto, description: 'when extra_fields names tax' }) tax?: MoneyDto;
  @ApiPropertyOptional({ type: MoneyDto, description: 'when extra_fields names surcharge' }) surcharge?: MoneyDto;
  @ApiPropertyOptional({ type: MoneyDto, description: 'when extra_fields names commission' }) commission?: MoneyDto;
}

export class FileDto {
  @ApiProperty() name!: string;
  @ApiProperty() url!: string;
  @ApiPropertyOptional() type?: string;
}

export class BenefitDto {
  @ApiProperty() description!: string;
  @ApiPropertyOptional() limit?: number;
  @ApiPropertyOptional() limit_formatted?: string;
  @ApiPropertyOptional() excess?: number;
  @ApiPropertyOptional() excess_formatted?: string;
}

export class ExperimentRefDto {
  @ApiProperty({ example: 'price-test' }) key!: string;
  @ApiProperty({ example: 'b' }) variant!: string;
}

export class ProductDetailsDto {
  @ApiProperty({ type: FinanceDto }) finance!: FinanceDto;
  @ApiProperty({ example: '2026-12-01T00:00:00+00:00' }) policy_start_date!: string;
  @ApiProperty({ example: '2026-12-15T23:59:59+00:00', nullable: true }) policy_end_date!: string | null;
  @ApiProperty({ nullable: true }) pds_url!: string | null;
  @ApiProperty({ type: [FileDto] }) files!: FileDto[];
  @ApiPropertyOptional({ type: [BenefitDto], description: 'when extra_fields names benefits' }) benefits?: BenefitDto[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'configured extra fields named in extra_fields' })
  extra_fields?: Record<string, unknown>;
  @ApiPropertyOptional({ type: ExperimentRefDto, description: 'when extra_fields names experiment' }) experiment?: ExperimentRefDto;
}

export class OfferProductDto {
  @ApiProperty({ description: 'quote id (uuid)' }) id!: string;
  @ApiProperty({ example: 'xcover-product' }) type!: string;
  @ApiProperty({ example: 'TRAVEL_BASIC' }) code!: string;
  @ApiProperty({ example: 'Travel Basic' }) name!: string;
  @ApiProperty({ type: ProductDetailsDto }) details!: ProductDetailsDto;
}

export class ProductRuleEventDto {
  @ApiProperty({ enum: ['select', 'deselect'] }) on!: string;
  @ApiProperty() product_id!: string;
  @ApiProperty() target!: string;
  @ApiProperty({ enum: ['show', 'hide', 'disable'] }) set_state!: string;
}

export class ProductRuleDto {
  @ApiProperty() slug!: string;
  @ApiProperty({ type: [String] }) product_ids!: string[];
  @ApiProperty({ enum: ['show', 'hide', 'disable'] }) initial_state!: string;
  @ApiProperty() min_select!: number;
  @ApiProperty() max_select!: number;
  @ApiProperty({ type: [ProductRuleEventDto] }) events!: ProductRuleEventDto[];
}

export class ContentProductDto {
  @ApiProperty() code!: string;
  @ApiPropertyOptional() title?: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ type: [String] }) benefits!: string[];
  @ApiProperty({ type: [String] }) inclusions!: string[];
  @ApiProperty({ type: [String] }) exclusions!: string[];
  @ApiProperty({ type: [String] }) extras!: string[];
  @ApiProperty({ type: [String] }) disclaimers!: string[];
}

export class OfferContentDto {
  @ApiPropertyOptional() title?: string;
  @ApiPropertyOptional() description?: string;
  @ApiPropertyOptional() terms_url?: string;
  @ApiPropertyOptional() disclaimer?: string;
  @ApiProperty({ type: [ContentProductDto] }) products!: ContentProductDto[];
}

export class OfferMetadataDto {
  @ApiPropertyOptional({ type: [ExperimentRefDto] }) experiments?: ExperimentRefDto[];
}

export class ProductErrorDto {
  @ApiProperty({ example: 'offer_quote_pricing_error' }) code!: string;
  @ApiProperty() message!: string;
}

export class OfferResponseDto {
  @ApiProperty({ description: 'offer id (uuid)' }) id!: string;
  @ApiProperty({ example: 'travel-au-basic' }) offer_config_id!: string;
  @ApiProperty({ example: 'travel:v1' }) offer_schema!: string;
  @ApiProperty({ example: 'AUD' }) currency!: string;
  @ApiProperty({ example: '2026-11-28T10:00:00Z' }) expires_at!: string;
  @ApiProperty({ nullable: true, type: String }) partner_transaction_id!: string | null;
  @ApiProperty({ type: [OfferProductDto] }) products!: OfferProductDto[];
  @ApiPropertyOptional({ type: [ProductRuleDto], description: 'only when configured' }) product_rules?: ProductRuleDto[];
  @ApiPropertyOptional({ type: OfferContentDto, description: 'only when include_content is true' }) content?: OfferContentDto;
  @ApiPropertyOptional({ type: OfferMetadataDto, description: 'only when non-empty' }) metadata?: OfferMetadataDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ProductErrorDto' },
    description: '{} on full success, else product code → error',
  })
  errors!: Record<string, ProductErrorDto>;
}

export class StoredOfferResponseDto extends OfferResponseDto {
  @ApiProperty({ enum: ['OFFERED', 'OPTED_OUT', 'CONFIRMED', 'EXPIRED'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) booking_id!: string | null;
}

export class OfferSchemaDto {
  @ApiProperty({ example: 'travel:v1' }) id!: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema draft-07 of the create-offer body' })
  json_schema!: Record<string, unknown>;
}
