export type { ExpressionVars as CelVars, Evaluate } from '@app/core';

/** Create Offer response: `content.products[]` */
export interface ResponseContentProduct {
  code: string;
  title?: string;
  description?: string;
  benefits: string[];
  inclusions: string[];
  exclusions: string[];
  extras: string[];
  disclaimers: string[];
}

/** Create Offer response: `content` (strings the language does not define are left out) */
export interface ResponseContent {
  title?: string;
  description?: string;
  terms_url?: string;
  disclaimer?: string;
  products: ResponseContentProduct[];
}

export interface ContentProductInput {
  code: string;
  /** the product's `quote` variable (toQuoteVars of @app/quotes) */
  quoteVars: Record<string, unknown>;
}

export type RenderContentResult =
  | {
      ok: true;
      /** the language entry used, as written in the config; null when none applied */
      language: string | null;
      content: ResponseContent;
      /** product code → why its content failed: the caller drops the product like a pricing error */
      failedProducts: Map<string, string>;
    }
  | {
      ok: false;
      code: 'offer_content_error';
      /** `<path>: placeholder {{ <expression> }} failed: <reason>` */
      message: string;
      /** where the failing placeholder is, e.g. `content.en.title` */
      path: string;
      expression: string;
      reason: string;
    };

export type TemplateSegment = { kind: 'text'; text: string } | { kind: 'expr'; expr: string };
