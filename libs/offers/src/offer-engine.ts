import { isCurrencyCode, localeFor, minorToNumber, newId, toCelInput, type OfferConfig } from '@app/core';
import type { ActiveConfig } from '@app/bundles';
import { renderContent } from '@app/content';
import { applyOverrides, assignVariants, unitEvaluator } from '@app/experiments';
import { quoteProduct, toProductResponse, toQuoteVars, type PricedQuote } from '@app/quotes';
import { resolveProductRules, selectConfig, type CelVars, type SelectionTraceEntry } from '@app/rules';
import type { CompiledSchema } from './compiled-schemas';
import {
  OfferExpressionError,
  OfferSelectionNotFoundError,
  OfferValidationError,
  QuoteGenerationFailedError,
  SchemaNotFoundError,
  SchemaRequiredError,
} from './offers.errors';
import type { OfferCaller, OfferQuery, OfferResponse } from './offer-engine.types';

export interface ProductTrace {
  code: string;
  ok: boolean;
  error?: { code: string; message: string };
  /** the pricing inputs as evaluated (exact decimals as text), before clamping and rounding */
  inputs?: unknown;
  /** the total price, as in the response (`price.total_amount`) */
  price?: number;
  /** every amount of the quote, rounded to the currency, as JSON numbers */
  amounts?: { premium: number; surcharge: number; tax: number; total: number; total_without_tax: number; commission: number };
  experiment?: { key: string; variant: string };
}

export interface OfferTrace {
  schema: string;
  configs: SelectionTraceEntry[];
  experiments: Array<{ key: string; variant: string; unit: string }>;
  products: ProductTrace[];
  content_language: string | null;
}

export interface BuiltQuote {
  id: string;
  quote: PricedQuote;
  experiment: { key: string; variant: string } | null;
}

export interface BuiltOffer {
  response: OfferResponse;
  config: OfferConfig;
  schemaId: string;
  quotes: BuiltQuote[];
  experiments: Array<{ key: string; variant: string }>;
  expiresAt: Date;
  partnerTransactionId: string | null;
  trace: OfferTrace;
}

/** the longest partner.transaction_id kept (the column's length) */
export const MAX_PARTNER_TRANSACTION_ID_LENGTH = 200;

const TTL_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function ttlToMs(ttl: string | undefined): number {
  const m = /^([1-9][0-9]*)(s|m|h|d)$/.exec(ttl ?? '72h');
  return m ? Number(m[1]) * TTL_UNITS[m[2]] : 72 * 3_600_000;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolves the body's schema (step 0 of §3.1): its own `schema`, else the partner default. */
export function resolveSchemaId(active: ActiveConfig, body: unknown): string {
  if (!isRecord(body)) throw new OfferValidationError({ '': ['must be a JSON object'] });
  const given = body.schema;
  if (given !== undefined && typeof given !== 'string') throw new OfferValidationError({ '/schema': ['must be string'] });
  const id = given ?? active.defaultSchema ?? undefined;
  if (id === undefined || id === '') throw new SchemaRequiredError();
  if (!active.schemas.some((s) => s.id === id)) throw new SchemaNotFoundError(id);
  return id;
}

/**
 * The Create Offer pipeline of spec §3.1, steps 1–7 (persistence is the caller's): pure apart
 * from the clock and id generation, so the admin preview runs exactly the same code.
 */
export function buildOffer(args: {
  active: ActiveConfig;
  compiled: CompiledSchema;
  schemaId: string;
  body: unknown;
  caller: OfferCaller;
  query: OfferQuery;
  now: Date;
  offerId?: string;
  /** the body is the caller's to change: Ajv writes defaults into it instead of into a copy */
  bodyOwned?: boolean;
  /** filled as the pipeline goes, so a preview can show how far a failing request got */
  trace?: OfferTrace;
}): BuiltOffer {
  const { active, compiled, schemaId, caller, query, now } = args;
  // the per-product trace (amounts as numbers) is only worked out for a preview that asks for it
  const tracing = args.trace !== undefined;
  const trace: OfferTrace = args.trace ?? newTrace(schemaId);
  const checked = compiled.validate(args.body, { inPlace: args.bodyOwned === true });
  if (!checked.valid) throw new OfferValidationError(checked.errors);
  const body = checked.value as Record<string, unknown>;
  const customer = isRecord(body.customer) ? body.customer : {};
  const currency = customer.currency;
  if (typeof currency !== 'string' || !isCurrencyCode(currency)) {
    throw new OfferValidationError({ '/customer/currency': [currency === undefined ? 'is required' : 'must be an ISO 4217 currency code'] });
  }
  const language = typeof customer.language === 'string' ? customer.language : undefined;
  const country = typeof customer.country === 'string' ? customer.country : undefined;
  const locale = localeFor(language, country);
  const vars = { ...toCelInput(body), now } as unknown as CelVars;

  // steps 1-4: candidates, exclusions, when, access, priority
  const selection = selectConfig(
    active.configs,
    {
      schemaId,
      keyMode: caller.mode,
      keyId: caller.keyId,
      activeOnly: query.activeOnly,
      excludeOfferIds: query.excludeOfferIds,
      vars,
    },
    compiled.evaluate,
  );
  trace.configs = selection.trace;
  if (!selection.ok) {
    if (selection.code === 'offer_expression_error') {
      throw new OfferExpressionError(selection.configId, selection.expression, selection.detail);
    }
    throw new OfferSelectionNotFoundError(selection.code, selection.message);
  }
  const config = selection.config;
  const offerId = args.offerId ?? newId();

  // step 5: experiments, overrides before pricing
  const assignments = assignVariants(config.experiments, unitEvaluator(compiled.evaluate, vars), offerId);
  const { products, experimentByCode } = applyOverrides(config.products, assignments);
  trace.experiments = assignments.map((a) => ({ key: a.key, variant: a.variant, unit: a.unit }));

  // step 6: quote every product; a failure leaves the product out and is reported
  const errors: Record<string, { code: string; message: string }> = {};
  const priced: BuiltQuote[] = [];
  const productTrace: ProductTrace[] = trace.products;
  for (const product of products) {
    const r = quoteProduct(product, { vars, currency, locale, evaluate: compiled.evaluate });
    const experiment = experimentByCode.get(product.code) ?? null;
    if (r.ok) {
      priced.push({ id: newId(), quote: r.quote, experiment });
      if (!tracing) continue;
      const q = r.quote;
      const amount = (m: number) => minorToNumber(m, currency);
      productTrace.push({
        code: product.code,
        ok: true,
        inputs: q.inputs,
        price: amount(q.priceMinor),
        amounts: {
          premium: amount(q.premiumMinor),
          surcharge: amount(q.surchargeMinor),
          tax: amount(q.taxMinor),
          total: amount(q.priceMinor),
          total_without_tax: amount(q.priceWithoutTaxMinor),
          commission: amount(q.commissionMinor),
        },
        ...(experiment ? { experiment } : {}),
      });
    } else {
      errors[product.code] = { code: r.code, message: r.message };
      if (tracing) productTrace.push({ code: product.code, ok: false, error: errors[product.code] });
    }
  }

  // step 7: content (a product whose placeholders fail is dropped like a pricing failure)
  let content: unknown;
  let contentLanguage: string | null = null;
  if (query.includeContent && config.content) {
    const rendered = renderContent(
      config.content,
      language,
      priced.map((p) => ({ code: p.quote.code, quoteVars: toQuoteVars(p.quote) })),
      vars,
      // offer-level placeholders (no `quote`) were compiled in the plain environment when the
      // config was loaded, product placeholders in the one with `quote`: evaluate each in its own,
      // or the first request after a write would compile the offer-level ones again
      (expr, v) => (v.quote === undefined ? compiled.evaluate(expr, v) : compiled.evaluateWithQuote(expr, v)),
    );
    if (!rendered.ok) {
      throw new OfferExpressionError(config.id, rendered.expression, `${rendered.path}: ${rendered.reason}`);
    }
    contentLanguage = rendered.language;
    trace.content_language = contentLanguage;
    for (const [code, message] of rendered.failedProducts) {
      errors[code] = { code: 'offer_quote_pricing_error', message };
      const t = productTrace.find((p) => p.code === code);
      if (t) Object.assign(t, { ok: false, error: errors[code] });
    }
    const failed = rendered.failedProducts;
    if (failed.size > 0) priced.splice(0, priced.length, ...priced.filter((p) => !failed.has(p.quote.code)));
    const c = rendered.content as { products: Array<{ code: string }> };
    c.products = c.products.filter((p) => !failed.has(p.code));
    content = c;
  }

  if (priced.length === 0) throw new QuoteGenerationFailedError(errors);

  const quoteIdByCode = new Map(priced.map((p) => [p.quote.code, p.id]));
  const productRules = resolveProductRules(config.product_rules ?? [], quoteIdByCode);
  const experiments = assignments.map((a) => ({ key: a.key, variant: a.variant }));
  // whole seconds: the stored expiry is exactly the `expires_at` the partner is shown
  const expiresAt = new Date(Math.floor((now.getTime() + ttlToMs(config.offer_ttl)) / 1000) * 1000);
  const partnerBlock = isRecord(body.partner) ? body.partner : {};
  const partnerTransactionId = typeof partnerBlock.transaction_id === 'string' ? partnerBlock.transaction_id : null;
  if (partnerTransactionId !== null && partnerTransactionId.length > MAX_PARTNER_TRANSACTION_ID_LENGTH) {
    throw new OfferValidationError({ '/partner/transaction_id': [`must be at most ${MAX_PARTNER_TRANSACTION_ID_LENGTH} characters`] });
  }

  const response: OfferResponse = {
    id: offerId,
    offer_config_id: config.id,
    offer_schema: schemaId,
    currency,
    expires_at: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    partner_transaction_id: partnerTransactionId,
    products: priced.map((p) =>
      toProductResponse(p.quote, { id: p.id, extraFields: query.extraFields, ...(p.experiment ? { experiment: p.experiment } : {}) }),
    ),
  } as unknown as OfferResponse;
  if (productRules.length > 0) response.product_rules = productRules;
  if (content !== undefined) response.content = content;
  if (experiments.length > 0) response.metadata = { experiments };
  response.errors = errors;

  return {
    response,
    config,
    schemaId,
    quotes: priced,
    experiments,
    expiresAt,
    partnerTransactionId,
    trace,
  };
}

export function newTrace(schemaId: string): OfferTrace {
  return { schema: schemaId, configs: [], experiments: [], products: [], content_language: null };
}
