/**
 * The partner configuration bundle (JSON Schema: libs/bundles/src/validation/bundle.schema.json). Pure data types:
 * every string typed `Expr` is a CEL expression checked when the bundle is written.
 */
export type Expr = string;

export type ConfigStatus = 'active' | 'draft' | 'inactive';
export type GroupState = 'show' | 'hide' | 'disable';

export interface BundlePartner {
  code: string;
  name: string;
  status?: 'active' | 'suspended';
  default_schema?: string;
  rate_limits?: { create?: number; confirm?: number; other?: number; test?: number };
}

export interface BundleSchema {
  id: string;
  description?: string;
  json_schema: Record<string, unknown>;
}

export interface Pricing {
  premium: Expr;
  tax_rate?: Expr;
  surcharge?: Expr;
  commission_rate?: Expr;
  min_premium?: Expr;
  max_premium?: Expr;
}

export interface Benefit {
  description: string;
  limit?: Expr;
  excess?: Expr;
}

export interface ProductFile {
  name: string;
  url: string;
  type?: string;
}

export interface Product {
  code: string;
  type?: string;
  name: string;
  when?: Expr;
  pricing: Pricing;
  policy?: { start?: Expr; end?: Expr };
  benefits?: Benefit[];
  pds_url?: string;
  files?: ProductFile[];
  extra_fields?: Record<string, Expr>;
  /** refund rules when a booking of this product is cancelled; absent fields: CANCELLATION_DEFAULTS */
  cancellation?: ProductCancellation;
  /** price changes of a booking of this product; absent fields: MODIFICATION_DEFAULTS */
  modification?: ProductModification;
}

/**
 * Expressions of these blocks see the booked quote (`CelEnvironment.forSchema(s, { bookingQuote: true })`).
 * A stored bundle has a block only where the partner wrote one (with the schema's defaults filled
 * into it): read them through `cancellationOf` / `modificationOf`, which default what is absent.
 */
export interface ProductCancellation {
  /** a duration (`90s`, `15m`, `72h`, `14d`): full refund this long after confirmation */
  cooling_off?: string;
  /** bool: whether the booking may be cancelled now */
  allowed?: Expr;
  /** double: the refund after the cooling-off period, clamped to [0, price] */
  refund?: Expr;
}

export interface ProductModification {
  /** bool: whether the booking may be repriced now */
  allowed?: Expr;
  /** context fields a modification may change; absent: any field */
  fields?: string[];
}

export interface ProductRuleEvent {
  on: 'select' | 'deselect';
  product: string;
  target: string;
  set_state: GroupState;
}

export interface ProductRule {
  slug: string;
  products: string[];
  initial_state: GroupState;
  min_select: number;
  max_select: number;
  events?: ProductRuleEvent[];
}

export interface ContentProduct {
  title?: string;
  description?: string;
  benefits?: string[];
  inclusions?: string[];
  exclusions?: string[];
  extras?: string[];
  disclaimers?: string[];
}

export interface ContentLanguage {
  title?: string;
  description?: string;
  terms_url?: string;
  disclaimer?: string;
  products?: Record<string, ContentProduct>;
}

/** `default_language` plus one entry per language tag. */
export type Content = { default_language: string } & { [language: string]: ContentLanguage | string };

export interface VariantOverride {
  name?: string;
  pricing?: Partial<Pricing>;
}

export interface ExperimentVariant {
  name: string;
  weight: number;
  overrides?: Record<string, VariantOverride>;
}

export interface Experiment {
  key: string;
  unit?: Expr;
  variants: ExperimentVariant[];
}

export interface OfferAccess {
  subsidiaries?: string[];
  key_modes?: Array<'live' | 'test'>;
  key_ids?: string[];
  countries?: string[];
}

export interface OfferConfig {
  id: string;
  name: string;
  schema: string;
  status?: ConfigStatus;
  priority?: number;
  when?: Expr;
  access?: OfferAccess;
  offer_ttl?: string;
  products: Product[];
  product_rules?: ProductRule[];
  content?: Content;
  experiments?: Experiment[];
}

export interface Bundle {
  partner: BundlePartner;
  schemas: BundleSchema[];
  offer_configs: OfferConfig[];
}

export * from './product-lifecycle';
