/**
 * The Create Offer response as the panel reads it: the fields it renders or needs, each typed as
 * the API returns it. Everything the panel does not use is left out; unknown extra fields are fine.
 */

export type GroupState = 'show' | 'hide' | 'disable';

export interface Money {
  total_amount: number;
  total_amount_formatted: string;
}

export interface Price extends Money {
  total_amount_without_tax?: number;
  total_amount_without_tax_formatted?: string;
}

export interface ProductFile {
  name: string;
  url: string;
  type?: string;
}

export interface PricedBenefit {
  description: string;
  limit?: number;
  limit_formatted?: string;
  excess?: number;
  excess_formatted?: string;
}

export interface OfferProduct {
  /** the quote id, which Confirm Offer takes */
  id: string;
  type?: string;
  code: string;
  name: string;
  details?: {
    finance?: { price?: Price };
    policy_start_date?: string;
    policy_end_date?: string | null;
    pds_url?: string | null;
    files?: ProductFile[];
    /** present when the offer was created with `extra_fields=benefits` */
    benefits?: PricedBenefit[];
  };
}

export interface ProductRuleEvent {
  on: 'select' | 'deselect';
  /** quote id of the product whose selection triggers the event */
  product_id: string;
  /** slug of the group whose state changes */
  target: string;
  set_state: GroupState;
}

export interface ProductRule {
  slug: string;
  /** quote ids of the group's products */
  product_ids: string[];
  initial_state: GroupState;
  min_select: number;
  max_select: number;
  events?: ProductRuleEvent[];
}

export interface ProductContent {
  code: string;
  title?: string;
  description?: string;
  benefits?: string[];
  inclusions?: string[];
  exclusions?: string[];
  extras?: string[];
  disclaimers?: string[];
}

export interface OfferContent {
  title?: string;
  description?: string;
  terms_url?: string;
  disclaimer?: string;
  products?: ProductContent[];
}

export interface ProductError {
  code: string;
  message: string;
}

export interface Offer {
  id: string;
  offer_config_id?: string;
  currency?: string;
  expires_at?: string;
  products: OfferProduct[];
  product_rules?: ProductRule[];
  content?: OfferContent;
  /** product code → why that product could not be quoted */
  errors?: Record<string, ProductError>;
}

/** `offer-selection` event detail: the quotes as Confirm Offer takes them. */
export interface OfferSelectionDetail {
  offer_id: string;
  quotes: Array<{ id: string }>;
}

/** `offer-decline` event detail. */
export interface OfferDeclineDetail {
  offer_id: string;
}
