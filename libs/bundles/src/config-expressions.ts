import type { CelQuoteKind, OfferConfig } from '@app/core';
import { extractPlaceholders } from '@app/content';

export type ExpressionKind = 'bool' | 'number' | 'timestamp' | 'any';

export interface ConfigExpression {
  /** bundle path relative to the config, e.g. `products[1].pricing.premium` */
  path: string;
  expr: string;
  expected: ExpressionKind;
  /**
   * which `quote` it sees: none, the priced quote of product content placeholders (`content`,
   * `CelEnvironment.forSchema(s, { withQuote: true })`) or the booked quote of cancellation and
   * modification rules (`booking`, `CelEnvironment.forSchema(s, { bookingQuote: true })`)
   */
  quote: CelQuoteKind;
}

const PRICING = ['premium', 'tax_rate', 'surcharge', 'commission_rate', 'min_premium', 'max_premium'] as const;
const LANG_STRINGS = ['title', 'description', 'terms_url', 'disclaimer'] as const;
const PRODUCT_STRINGS = ['title', 'description'] as const;
const PRODUCT_LISTS = ['benefits', 'inclusions', 'exclusions', 'extras', 'disclaimers'] as const;

/** Every CEL expression of one offer config, with where it sits and what it must yield. */
export function configExpressions(config: OfferConfig): ConfigExpression[] {
  const out: ConfigExpression[] = [];
  const add = (path: string, expr: string | undefined, expected: ExpressionKind, quote: CelQuoteKind = 'none') => {
    if (typeof expr === 'string') out.push({ path, expr, expected, quote });
  };
  add('when', config.when, 'bool');
  config.products.forEach((p, i) => {
    const base = `products[${i}]`;
    add(`${base}.when`, p.when, 'bool');
    for (const f of PRICING) add(`${base}.pricing.${f}`, p.pricing?.[f], 'number');
    add(`${base}.policy.start`, p.policy?.start, 'timestamp');
    add(`${base}.policy.end`, p.policy?.end, 'timestamp');
    (p.benefits ?? []).forEach((b, j) => {
      add(`${base}.benefits[${j}].limit`, b.limit, 'number');
      add(`${base}.benefits[${j}].excess`, b.excess, 'number');
    });
    for (const [name, expr] of Object.entries(p.extra_fields ?? {})) add(`${base}.extra_fields.${name}`, expr, 'any');
    add(`${base}.cancellation.allowed`, p.cancellation?.allowed, 'bool', 'booking');
    add(`${base}.cancellation.refund`, p.cancellation?.refund, 'number', 'booking');
    add(`${base}.modification.allowed`, p.modification?.allowed, 'bool', 'booking');
  });
  (config.experiments ?? []).forEach((e, i) => {
    add(`experiments[${i}].unit`, e.unit, 'any');
    e.variants.forEach((v, j) => {
      for (const [code, o] of Object.entries(v.overrides ?? {})) {
        for (const f of PRICING) add(`experiments[${i}].variants[${j}].overrides.${code}.pricing.${f}`, o.pricing?.[f], 'number');
      }
    });
  });
  for (const [lang, entry] of Object.entries(config.content ?? {})) {
    if (lang === 'default_language' || typeof entry !== 'object' || entry === null) continue;
    const l = entry;
    const base = `content.${lang}`;
    const placeholders = (path: string, text: unknown, quote: CelQuoteKind) => {
      if (typeof text !== 'string') return;
      for (const expr of extractPlaceholders(text)) add(path, expr, 'any', quote);
    };
    for (const f of LANG_STRINGS) placeholders(`${base}.${f}`, l[f], 'none');
    for (const [code, p] of Object.entries(l.products ?? {})) {
      for (const f of PRODUCT_STRINGS) placeholders(`${base}.products.${code}.${f}`, p[f], 'content');
      for (const f of PRODUCT_LISTS) (p[f] ?? []).forEach((t, k) => placeholders(`${base}.products.${code}.${f}[${k}]`, t, 'content'));
    }
  }
  return out;
}
