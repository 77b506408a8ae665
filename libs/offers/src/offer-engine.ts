import { isCurrencyCode, localeFor, minorToNumber, newId, toCelInput, type OfferConfig, type Product } from '@app/core';
import type { ActiveConfig } from '@app/bundles';
import { renderContent, type ResponseContent } from '@app/content';
import { applyOverrides, assignVariants, unitEvaluator, type ExperimentRef, type OverriddenProducts, type VariantAssignment } from '@app/experiments';
import { quoteProduct, toProductResponse, toQuoteVars, type PricedQuote, type QuoteInput } from '@app/quotes';
import { resolveProductRules, selectConfig, type CelVars, type Evaluate, type ProductRuleResponse, type SelectionTraceEntry } from '@app/rules';
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

/** Resolves the body's schema (step 0 of Create Offer): its own `schema`, else the partner default. */
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
 * The Create Offer pipeline, steps 1–7 (persistence is the caller's): pure apart
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
  const trace = args.trace ?? newTrace(schemaId);
  const request = validateRequest(compiled, args.body, args.bodyOwned === true, now);
  const config = selectOfferConfig(active, compiled, schemaId, caller, query, request.vars, trace);
  const offerId = args.offerId ?? newId();
  const { assignments, products, experimentByCode } = assignExperiments(config, compiled, request.vars, offerId, trace);
  // the per-product trace (amounts as numbers) is only worked out for a preview that asks for it
  const pricing = priceProducts(products, experimentByCode, request, compiled.evaluate, args.trace?.products);
  const content = renderOfferContent(config, query, request, compiled, pricing, trace);
  if (pricing.priced.length === 0) throw new QuoteGenerationFailedError(pricing.errors);

  const productRules = productRulesFor(config, pricing.priced);
  const experiments = assignments.map((a) => ({ key: a.key, variant: a.variant }));
  const expiresAt = offerExpiry(now, config.offer_ttl);
  const partnerTransactionId = partnerTransactionIdOf(request.body);
  const response = assembleResponse({
    offerId,
    config,
    schemaId,
    currency: request.currency,
    expiresAt,
    partnerTransactionId,
    pricing,
    productRules,
    content,
    experiments,
    extraFields: query.extraFields,
  });
  return { response, config, schemaId, quotes: pricing.priced, experiments, expiresAt, partnerTransactionId, trace };
}

/** What the pipeline reads of a valid request body. */
interface OfferRequest {
  /** the validated body, with the schema's defaults */
  body: Record<string, unknown>;
  /** `customer.currency`, an ISO 4217 code */
  currency: string;
  /** `customer.language`: picks the content's language */
  language: string | undefined;
  /** for the `*_formatted` amounts, from the customer's language and country */
  locale: string;
  /** customer, context, partner and now: what every expression of the config is evaluated over */
  vars: CelVars;
}

/** Validates the body against the schema, then its currency; returns what the later steps read of it, or throws OfferValidationError. */
function validateRequest(compiled: CompiledSchema, rawBody: unknown, bodyOwned: boolean, now: Date): OfferRequest {
  const checked = compiled.validate(rawBody, { inPlace: bodyOwned });
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
  return { body, currency, language, locale, vars };
}

/** Steps 1–4 of Create Offer, traced into `trace.configs`: returns the offer config that serves the request, or throws why none does. */
function selectOfferConfig(
  active: ActiveConfig,
  compiled: CompiledSchema,
  schemaId: string,
  caller: OfferCaller,
  query: OfferQuery,
  vars: CelVars,
  trace: OfferTrace,
): OfferConfig {
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
  if (selection.ok) return selection.config;
  if (selection.code === 'offer_expression_error') {
    throw new OfferExpressionError(selection.configId, selection.expression, selection.detail);
  }
  throw new OfferSelectionNotFoundError(selection.code, selection.message);
}

/** The variants drawn for an offer, and its products with their overrides applied. */
interface ExperimentOutcome extends OverriddenProducts {
  assignments: VariantAssignment[];
}

/** Step 5 of Create Offer, traced into `trace.experiments`: returns the variant drawn per experiment and the products with those variants' overrides. */
function assignExperiments(config: OfferConfig, compiled: CompiledSchema, vars: CelVars, offerId: string, trace: OfferTrace): ExperimentOutcome {
  const assignments = assignVariants(config.experiments, unitEvaluator(compiled.evaluate, vars), offerId);
  const { products, experimentByCode } = applyOverrides(config.products, assignments);
  trace.experiments = assignments.map((a) => ({ key: a.key, variant: a.variant, unit: a.unit }));
  return { assignments, products, experimentByCode };
}

/** The products that priced (in the config's order), and why each other one was left out, by product code. */
interface PricedProducts {
  priced: BuiltQuote[];
  errors: Record<string, { code: string; message: string }>;
}

/** Step 6 of Create Offer: returns the quotes of the products that price and why the others fail; traces each into `productTrace` if given. */
function priceProducts(
  products: readonly Product[],
  experimentByCode: ReadonlyMap<string, ExperimentRef>,
  request: OfferRequest,
  evaluate: Evaluate,
  productTrace: ProductTrace[] | undefined,
): PricedProducts {
  const errors: PricedProducts['errors'] = {};
  const priced: BuiltQuote[] = [];
  const input: QuoteInput = { vars: request.vars, currency: request.currency, locale: request.locale, evaluate };
  for (const product of products) {
    const r = quoteProduct(product, input);
    const experiment = experimentByCode.get(product.code) ?? null;
    if (r.ok) {
      priced.push({ id: newId(), quote: r.quote, experiment });
      if (productTrace) productTrace.push(pricedProductTrace(product.code, r.quote, request.currency, experiment));
    } else {
      const error = { code: r.code, message: r.message };
      errors[product.code] = error;
      if (productTrace) productTrace.push({ code: product.code, ok: false, error });
    }
  }
  return { priced, errors };
}

/** Returns the preview's trace of a priced product: its pricing inputs and every amount as a JSON number. */
function pricedProductTrace(code: string, q: PricedQuote, currency: string, experiment: ExperimentRef | null): ProductTrace {
  return {
    code,
    ok: true,
    inputs: q.inputs,
    price: minorToNumber(q.priceMinor, currency),
    amounts: {
      premium: minorToNumber(q.premiumMinor, currency),
      surcharge: minorToNumber(q.surchargeMinor, currency),
      tax: minorToNumber(q.taxMinor, currency),
      total: minorToNumber(q.priceMinor, currency),
      total_without_tax: minorToNumber(q.priceWithoutTaxMinor, currency),
      commission: minorToNumber(q.commissionMinor, currency),
    },
    ...(experiment ? { experiment } : {}),
  };
}

/** Step 7 of Create Offer: returns the offer's content (undefined if not asked for or none); drops from `pricing` products whose content fails. */
function renderOfferContent(
  config: OfferConfig,
  query: OfferQuery,
  request: OfferRequest,
  compiled: CompiledSchema,
  pricing: PricedProducts,
  trace: OfferTrace,
): ResponseContent | undefined {
  if (!query.includeContent || !config.content) return undefined;
  const { priced, errors } = pricing;
  const rendered = renderContent(
    config.content,
    request.language,
    priced.map((p) => ({ code: p.quote.code, quoteVars: toQuoteVars(p.quote) })),
    request.vars,
    // offer-level placeholders (no `quote`) were compiled in the plain environment when the
    // config was loaded, product placeholders in the one with `quote`: evaluate each in its own,
    // or the first request after a write would compile the offer-level ones again
    (expr, v) => (v.quote === undefined ? compiled.evaluate(expr, v) : compiled.evaluateWithQuote(expr, v)),
  );
  if (!rendered.ok) {
    throw new OfferExpressionError(config.id, rendered.expression, `${rendered.path}: ${rendered.reason}`);
  }
  trace.content_language = rendered.language;
  const failed = rendered.failedProducts;
  if (failed.size === 0) return rendered.content;

  // a product whose placeholders fail is dropped like a pricing failure
  for (const [code, message] of failed) {
    const error = { code: 'offer_quote_pricing_error', message };
    errors[code] = error;
    const t = trace.products.find((p) => p.code === code);
    if (t) {
      t.ok = false;
      t.error = error;
    }
  }
  // in place: `priced` is the offer's list of quotes
  let kept = 0;
  for (const p of priced) if (!failed.has(p.quote.code)) priced[kept++] = p;
  priced.length = kept;
  const content = rendered.content;
  content.products = content.products.filter((p) => !failed.has(p.code));
  return content;
}

/** Returns the config's product rules for the products that priced, naming them by quote id. */
function productRulesFor(config: OfferConfig, priced: readonly BuiltQuote[]): ProductRuleResponse[] {
  const quoteIdByCode = new Map(priced.map((p) => [p.quote.code, p.id]));
  return resolveProductRules(config.product_rules ?? [], quoteIdByCode);
}

/** Returns when the offer expires: `now` plus the TTL, in whole seconds so the stored expiry is exactly the `expires_at` shown. */
function offerExpiry(now: Date, ttl: string | undefined): Date {
  return new Date(Math.floor((now.getTime() + ttlToMs(ttl)) / 1000) * 1000);
}

/** Returns the body's `partner.transaction_id` or null; throws OfferValidationError when it is longer than the column. */
function partnerTransactionIdOf(body: Record<string, unknown>): string | null {
  const partner = isRecord(body.partner) ? body.partner : {};
  const id = typeof partner.transaction_id === 'string' ? partner.transaction_id : null;
  if (id !== null && id.length > MAX_PARTNER_TRANSACTION_ID_LENGTH) {
    throw new OfferValidationError({ '/partner/transaction_id': [`must be at most ${MAX_PARTNER_TRANSACTION_ID_LENGTH} characters`] });
  }
  return id;
}

/** What the Create Offer response is made of, as the steps before it worked it out. */
interface ResponseParts {
  offerId: string;
  config: OfferConfig;
  schemaId: string;
  currency: string;
  expiresAt: Date;
  partnerTransactionId: string | null;
  pricing: PricedProducts;
  productRules: ProductRuleResponse[];
  content: ResponseContent | undefined;
  experiments: ExperimentRef[];
  /** the extra fields the query asked for */
  extraFields: Set<string>;
}

/** Returns the Create Offer 200 body, keys in the documented order: product_rules, content, metadata only when given, errors last. */
function assembleResponse(parts: ResponseParts): OfferResponse {
  const { offerId, config, schemaId, currency, expiresAt, partnerTransactionId, pricing, productRules, content, experiments, extraFields } = parts;
  const response: OfferResponse = {
    id: offerId,
    offer_config_id: config.id,
    offer_schema: schemaId,
    currency,
    expires_at: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    partner_transaction_id: partnerTransactionId,
    products: pricing.priced.map((p) => toProductResponse(p.quote, { id: p.id, extraFields, ...(p.experiment ? { experiment: p.experiment } : {}) })),
  } as unknown as OfferResponse;
  if (productRules.length > 0) response.product_rules = productRules;
  if (content !== undefined) response.content = content;
  if (experiments.length > 0) response.metadata = { experiments };
  response.errors = pricing.errors;
  return response;
}

export function newTrace(schemaId: string): OfferTrace {
  return { schema: schemaId, configs: [], experiments: [], products: [], content_language: null };
}
