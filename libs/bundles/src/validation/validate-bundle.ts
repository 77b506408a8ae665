/**
 * Whole-bundle validation: structure (bundle.schema.json), offer schemas, every CEL expression
 * type-checked against its config's schema, every reference resolved. Pure (no storage); reports
 * every problem with its path, never just the first.
 */
import { CelEnvironment, type Bundle, type CelExpectedType } from '@app/core';
import { extractPlaceholders, templateSyntaxErrors } from '@app/content';
import { escapePointerToken, findOfferSchemaProblems } from '@app/schemas';
import { childPath, pointerToPath } from './bundle-paths';
import { checkBundleStructure, isUnder } from './bundle-structure';

export type BundleProblems = Record<string, string[]>;
export type BundleValidationResult = { ok: true; bundle: Bundle } | { ok: false; problems: BundleProblems };

export interface BundleValidationContext {
  /** the partner code of the route; the bundle's `partner.code` must equal it */
  expectedPartnerCode?: string;
}

type Json = Record<string, unknown>;
type ExprCheck = (value: unknown, at: Loc, expected: CelExpectedType) => void;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A position in the bundle: JSON pointer (to match structural errors) and readable path. */
class Loc {
  constructor(
    readonly pointer: string,
    readonly path: string,
  ) {}

  at(key: string | number): Loc {
    return new Loc(`${this.pointer}/${escapePointerToken(String(key))}`, childPath(this.path, key));
  }
}

const ROOT = new Loc('', '');
const PRICING_FIELDS = ['premium', 'tax_rate', 'surcharge', 'commission_rate', 'min_premium', 'max_premium'] as const;
const CONTENT_LANGUAGE_STRINGS = ['title', 'description', 'terms_url', 'disclaimer'] as const;
const CONTENT_PRODUCT_STRINGS = ['title', 'description'] as const;
const CONTENT_PRODUCT_LISTS = ['benefits', 'inclusions', 'exclusions', 'extras', 'disclaimers'] as const;

class BundleChecker {
  /** keyed by paths taken from the bundle's own names (`constructor`, `__proto__`…): no prototype to collide with */
  readonly problems: BundleProblems = Object.create(null) as BundleProblems;
  private readonly broken: Set<string>;

  constructor(
    private readonly bundle: Json,
    structural: Array<{ pointer: string; path: string; message: string }>,
    private readonly ctx: BundleValidationContext,
  ) {
    this.broken = new Set(structural.map((p) => p.pointer));
    for (const p of structural) this.add(p.path, p.message);
  }

  add(path: string, message: string): void {
    const key = path || 'bundle';
    const list = (this.problems[key] ??= []);
    if (!list.includes(message)) list.push(message);
  }

  /** The value at `loc` when it is structurally sound (else undefined: deeper checks skip it). */
  private sound(loc: Loc, value: unknown): boolean {
    return value !== undefined && !isUnder(loc.pointer, this.broken);
  }

  run(): void {
    const partner = this.bundle.partner;
    const partnerLoc = ROOT.at('partner');
    if (isObject(partner) && this.sound(partnerLoc, partner)) {
      const expected = this.ctx.expectedPartnerCode;
      if (expected !== undefined && typeof partner.code === 'string' && partner.code !== expected) {
        this.add(partnerLoc.at('code').path, `must be "${expected}", the partner being written (got "${partner.code}")`);
      }
    }

    const schemas = this.checkSchemas();
    if (isObject(partner) && typeof partner.default_schema === 'string' && !schemas.has(partner.default_schema)) {
      this.add(partnerLoc.at('default_schema').path, `names no schema of this bundle ("${partner.default_schema}")`);
    }

    const configsLoc = ROOT.at('offer_configs');
    const configIds = new Map<string, number>();
    asArray(this.bundle.offer_configs).forEach((config, i) => {
      const loc = configsLoc.at(i);
      if (!isObject(config) || !this.sound(loc, config)) return;
      if (typeof config.id === 'string') {
        const first = configIds.get(config.id);
        if (first !== undefined) this.add(loc.at('id').path, `duplicate offer config id "${config.id}" (also offer_configs[${first}])`);
        else configIds.set(config.id, i);
      }
      this.checkConfig(config, loc, schemas);
    });
  }

  /** schema id → its JSON Schema (when it is an object) */
  private checkSchemas(): Map<string, Json | undefined> {
    const out = new Map<string, Json | undefined>();
    const firstIndex = new Map<string, number>();
    const schemasLoc = ROOT.at('schemas');
    asArray(this.bundle.schemas).forEach((entry, i) => {
      const loc = schemasLoc.at(i);
      if (!isObject(entry)) return;
      const id = typeof entry.id === 'string' ? entry.id : undefined;
      if (id !== undefined) {
        const first = firstIndex.get(id);
        if (first !== undefined) this.add(loc.at('id').path, `duplicate schema id "${id}" (also schemas[${first}])`);
        else firstIndex.set(id, i);
      }
      const jsonLoc = loc.at('json_schema');
      const json = entry.json_schema;
      if (isObject(json) && this.sound(jsonLoc, json)) {
        for (const problem of findOfferSchemaProblems(json)) {
          this.add(pointerToPath(jsonLoc.path, problem.pointer, json), problem.message);
        }
      }
      if (id !== undefined && !out.has(id)) out.set(id, isObject(json) ? json : undefined);
    });
    return out;
  }

  private checkConfig(config: Json, loc: Loc, schemas: Map<string, Json | undefined>): void {
    const schemaId = typeof config.schema === 'string' ? config.schema : undefined;
    let env: CelEnvironment | undefined;
    let quoteEnv: CelEnvironment | undefined;
    let bookingEnv: CelEnvironment | undefined;
    if (schemaId !== undefined) {
      if (!schemas.has(schemaId)) this.add(loc.at('schema').path, `names no schema of this bundle ("${schemaId}")`);
      const json = schemas.get(schemaId);
      if (json) {
        env = CelEnvironment.forSchema(json);
        quoteEnv = CelEnvironment.forSchema(json, { withQuote: true });
        bookingEnv = CelEnvironment.forSchema(json, { bookingQuote: true });
      }
    }
    // without a schema the expressions cannot be type-checked: the schema problem is reported instead
    const checkIn =
      (celEnv: CelEnvironment | undefined): ExprCheck =>
      (value, at, expected) => {
        if (celEnv && typeof value === 'string' && this.sound(at, value)) this.checkExpression(celEnv, value, at, expected);
      };
    const expr = checkIn(env);

    expr(config.when, loc.at('when'), 'bool');

    const productCodes = this.checkProducts(config, loc.at('products'), expr, checkIn(bookingEnv));
    this.checkProductRules(config.product_rules, loc.at('product_rules'), productCodes);
    this.checkContent(config.content, loc.at('content'), productCodes, env, quoteEnv);
    this.checkExperiments(config.experiments, loc.at('experiments'), productCodes, expr);
  }

  /** `bookingExpr` checks the cancellation and modification rules, which see the booked `quote`. */
  private checkProducts(config: Json, loc: Loc, expr: ExprCheck, bookingExpr: ExprCheck): Set<string> {
    const codes = new Map<string, number>();
    asArray(config.products).forEach((product, i) => {
      const at = loc.at(i);
      if (!isObject(product) || !this.sound(at, product)) return;
      if (typeof product.code === 'string') {
        const first = codes.get(product.code);
        if (first !== undefined) this.add(at.at('code').path, `duplicate product code "${product.code}" (also products[${first}])`);
        else codes.set(product.code, i);
      }
      expr(product.when, at.at('when'), 'bool');
      if (isObject(product.pricing)) {
        for (const field of PRICING_FIELDS) expr(product.pricing[field], at.at('pricing').at(field), 'number');
      }
      if (isObject(product.policy)) {
        expr(product.policy.start, at.at('policy').at('start'), 'timestamp');
        expr(product.policy.end, at.at('policy').at('end'), 'timestamp');
      }
      asArray(product.benefits).forEach((benefit, b) => {
        if (!isObject(benefit)) return;
        expr(benefit.limit, at.at('benefits').at(b).at('limit'), 'number');
        expr(benefit.excess, at.at('benefits').at(b).at('excess'), 'number');
      });
      if (isObject(product.extra_fields)) {
        for (const [name, value] of Object.entries(product.extra_fields)) expr(value, at.at('extra_fields').at(name), 'any');
      }
      if (isObject(product.cancellation)) {
        bookingExpr(product.cancellation.allowed, at.at('cancellation').at('allowed'), 'bool');
        bookingExpr(product.cancellation.refund, at.at('cancellation').at('refund'), 'number');
      }
      if (isObject(product.modification)) {
        bookingExpr(product.modification.allowed, at.at('modification').at('allowed'), 'bool');
      }
    });
    return new Set(codes.keys());
  }

  private checkProductRules(rules: unknown, loc: Loc, productCodes: Set<string>): void {
    const slugs = new Map<string, number>();
    asArray(rules).forEach((rule, i) => {
      if (!isObject(rule) || typeof rule.slug !== 'string') return;
      const first = slugs.get(rule.slug);
      if (first !== undefined) this.add(loc.at(i).at('slug').path, `duplicate product rule slug "${rule.slug}" (also product_rules[${first}])`);
      else slugs.set(rule.slug, i);
    });
    asArray(rules).forEach((rule, i) => {
      const at = loc.at(i);
      if (!isObject(rule) || !this.sound(at, rule)) return;
      const products = asArray(rule.products);
      products.forEach((code, p) => {
        if (typeof code === 'string' && !productCodes.has(code)) {
          this.add(at.at('products').at(p).path, `names no product of this offer config ("${code}")`);
        }
      });
      const seen = new Set<unknown>();
      products.forEach((code, p) => {
        if (seen.has(code)) this.add(at.at('products').at(p).path, `product "${String(code)}" is listed twice`);
        seen.add(code);
      });
      const min = rule.min_select;
      const max = rule.max_select;
      if (typeof min === 'number' && typeof max === 'number') {
        if (max < min) this.add(at.at('max_select').path, `must be at least min_select (${min})`);
        if (products.length > 0 && max > products.length) {
          this.add(at.at('max_select').path, `is ${max} but the group has only ${products.length} product${products.length === 1 ? '' : 's'}`);
        }
        if (products.length > 0 && min > products.length) {
          this.add(at.at('min_select').path, `is ${min} but the group has only ${products.length} product${products.length === 1 ? '' : 's'}`);
        }
      }
      asArray(rule.events).forEach((event, e) => {
        if (!isObject(event)) return;
        const eventLoc = at.at('events').at(e);
        if (typeof event.product === 'string' && !productCodes.has(event.product)) {
          this.add(eventLoc.at('product').path, `names no product of this offer config ("${event.product}")`);
        }
        if (typeof event.target === 'string' && !slugs.has(event.target)) {
          this.add(eventLoc.at('target').path, `names no product rule of this offer config ("${event.target}")`);
        }
      });
    });
  }

  private checkContent(content: unknown, loc: Loc, productCodes: Set<string>, env: CelEnvironment | undefined, quoteEnv: CelEnvironment | undefined): void {
    if (!isObject(content) || !this.sound(loc, content)) return;
    const defaultLanguage = content.default_language;
    if (typeof defaultLanguage === 'string' && !isObject(content[defaultLanguage])) {
      this.add(loc.at('default_language').path, `has no content entry ("${defaultLanguage}")`);
    }
    for (const [language, entry] of Object.entries(content)) {
      if (language === 'default_language' || !isObject(entry)) continue;
      const langLoc = loc.at(language);
      if (!this.sound(langLoc, entry)) continue;
      for (const field of CONTENT_LANGUAGE_STRINGS) this.checkTemplate(env, entry[field], langLoc.at(field));
      const products = entry.products;
      if (!isObject(products)) continue;
      for (const [code, productContent] of Object.entries(products)) {
        const productLoc = langLoc.at('products').at(code);
        if (!productCodes.has(code)) this.add(productLoc.path, `names no product of this offer config ("${code}")`);
        if (!isObject(productContent)) continue;
        for (const field of CONTENT_PRODUCT_STRINGS) this.checkTemplate(quoteEnv, productContent[field], productLoc.at(field));
        for (const field of CONTENT_PRODUCT_LISTS) {
          asArray(productContent[field]).forEach((text, i) => this.checkTemplate(quoteEnv, text, productLoc.at(field).at(i)));
        }
      }
    }
  }

  private checkTemplate(env: CelEnvironment | undefined, text: unknown, loc: Loc): void {
    if (!env || typeof text !== 'string' || !text.includes('{{') || !this.sound(loc, text)) return;
    for (const problem of templateSyntaxErrors(text)) this.add(loc.path, problem);
    for (const expression of extractPlaceholders(text)) {
      if (!expression) continue;
      const result = env.check(expression, 'any');
      if (!result.ok) this.add(loc.path, `{{ ${expression} }}: ${result.message}`);
    }
  }

  private checkExperiments(experiments: unknown, loc: Loc, productCodes: Set<string>, expr: ExprCheck): void {
    const keys = new Map<string, number>();
    asArray(experiments).forEach((experiment, i) => {
      const at = loc.at(i);
      if (!isObject(experiment) || !this.sound(at, experiment)) return;
      if (typeof experiment.key === 'string') {
        const first = keys.get(experiment.key);
        if (first !== undefined) this.add(at.at('key').path, `duplicate experiment key "${experiment.key}" (also experiments[${first}])`);
        else keys.set(experiment.key, i);
      }
      expr(experiment.unit, at.at('unit'), 'any');
      const names = new Map<string, number>();
      asArray(experiment.variants).forEach((variant, v) => {
        const variantLoc = at.at('variants').at(v);
        if (!isObject(variant) || !this.sound(variantLoc, variant)) return;
        if (typeof variant.name === 'string') {
          const first = names.get(variant.name);
          if (first !== undefined) this.add(variantLoc.at('name').path, `duplicate variant name "${variant.name}" (also variants[${first}])`);
          else names.set(variant.name, v);
        }
        if (!isObject(variant.overrides)) return;
        for (const [code, override] of Object.entries(variant.overrides)) {
          const overrideLoc = variantLoc.at('overrides').at(code);
          if (!productCodes.has(code)) this.add(overrideLoc.path, `names no product of this offer config ("${code}")`);
          if (!isObject(override) || !isObject(override.pricing)) continue;
          for (const field of PRICING_FIELDS) expr(override.pricing[field], overrideLoc.at('pricing').at(field), 'number');
        }
      });
    });
  }

  private checkExpression(env: CelEnvironment, expression: string, loc: Loc, expected: CelExpectedType): void {
    const result = env.check(expression, expected);
    if (!result.ok) this.add(loc.path, result.message);
  }
}

/**
 * Validates a whole bundle. On success the bundle comes back as a copy with the schema's defaults
 * applied (status, priority, when, offer_ttl, product type, pricing...); the input is not mutated.
 */
export function validateBundle(input: unknown, ctx: BundleValidationContext = {}): BundleValidationResult {
  let data: unknown;
  try {
    data = structuredClone(input);
  } catch {
    return { ok: false, problems: { bundle: ['must be JSON'] } };
  }
  const structural = checkBundleStructure(data);
  if (!isObject(data)) return { ok: false, problems: { bundle: structural.map((p) => p.message) } };
  const checker = new BundleChecker(data, structural, ctx);
  checker.run();
  if (Object.keys(checker.problems).length > 0) return { ok: false, problems: checker.problems };
  return { ok: true, bundle: data as unknown as Bundle };
}
