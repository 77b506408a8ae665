import type { KeyMode } from '@app/rules';

export interface OfferQuery {
  includeContent: boolean;
  extraFields: Set<string>;
  excludeOfferIds: string[];
  activeOnly: boolean;
}

export interface OfferCaller {
  keyId: string;
  partnerId: string;
  partnerCode: string;
  mode: KeyMode;
}

export interface OfferProductResponse {
  id: string;
  type: string;
  code: string;
  name: string;
  details: Record<string, unknown>;
}

/** The Create Offer 200 body. */
export interface OfferResponse {
  id: string;
  offer_config_id: string;
  offer_schema: string;
  currency: string;
  expires_at: string;
  partner_transaction_id: string | null;
  products: OfferProductResponse[];
  product_rules?: unknown[];
  content?: unknown;
  metadata?: { experiments?: Array<{ key: string; variant: string }> };
  errors: Record<string, { code: string; message: string }>;
}
