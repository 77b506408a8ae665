import type { Content, ContentLanguage, ContentProduct } from '@app/core';
import type { CelVars, ContentProductInput, Evaluate, RenderContentResult, ResponseContent, ResponseContentProduct } from './content.types';
import { parseTemplate, valueToText } from './template';

class PlaceholderError extends Error {
  constructor(
    readonly path: string,
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`${path}: placeholder {{ ${expression} }} failed: ${reason}`);
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The language entry for a customer's language: the exact tag (`fr-CA`), then its base
 * (`fr`), then `default_language`; tags compare case-insensitively, `_` counts as `-`.
 * Returns the key as written in the config, or null when nothing applies.
 */
export function resolveLanguage(content: Content | undefined, language: string | undefined): string | null {
  if (!content) return null;
  // a configuration's content object is immutable once loaded: answers are kept per object
  let memo = resolved.get(content);
  if (memo === undefined) {
    memo = new Map();
    resolved.set(content, memo);
  }
  const known = memo.get(language ?? '');
  if (known !== undefined) return known;
  const key = resolveUncached(content, language);
  if (memo.size < 256) memo.set(language ?? '', key);
  return key;
}

const resolved = new WeakMap<Content, Map<string, string | null>>();

function resolveUncached(content: Content, language: string | undefined): string | null {
  const byTag = new Map<string, string>();
  for (const [key, value] of Object.entries(content)) {
    if (key === 'default_language' || typeof value !== 'object' || value === null) continue;
    byTag.set(normalise(key), key);
  }
  const wanted = language ? normalise(language) : '';
  if (wanted) {
    const exact = byTag.get(wanted);
    if (exact !== undefined) return exact;
    const base = wanted.split('-')[0];
    const baseKey = byTag.get(base);
    if (baseKey !== undefined) return baseKey;
  }
  return byTag.get(normalise(content.default_language)) ?? null;
}

function normalise(tag: string): string {
  return tag.trim().replace(/_/g, '-').toLowerCase();
}

/** Renders one template; throws PlaceholderError naming the path and expression. */
function render(text: string, vars: CelVars, evaluate: Evaluate, path: string): string {
  const segments = parseTemplate(text);
  if (segments.length === 1 && segments[0].kind === 'text') return segments[0].text;
  let out = '';
  for (const s of segments) {
    if (s.kind === 'text') {
      out += s.text;
      continue;
    }
    try {
      out += valueToText(evaluate(s.expr, vars));
    } catch (e) {
      throw new PlaceholderError(path, s.expr, errorMessage(e));
    }
  }
  return out;
}

const LISTS = ['benefits', 'inclusions', 'exclusions', 'extras', 'disclaimers'] as const;

function renderProduct(code: string, entry: ContentProduct | undefined, vars: CelVars, evaluate: Evaluate, path: string): ResponseContentProduct {
  // keys in the order of the Create Offer response
  const out = { code } as ResponseContentProduct;
  if (entry?.title !== undefined) out.title = render(entry.title, vars, evaluate, `${path}.title`);
  if (entry?.description !== undefined) out.description = render(entry.description, vars, evaluate, `${path}.description`);
  for (const list of LISTS) {
    out[list] = (entry?.[list] ?? []).map((t, i) => render(t, vars, evaluate, `${path}.${list}[${i}]`));
  }
  return out;
}

/**
 * The offer's content for the offered products, in their order.
 * - Offer-level strings see customer/context/partner/now. A failing offer-level placeholder fails
 *   the whole content: `{ ok: false, code: 'offer_content_error' }` (the offer has no sensible
 *   content without its title or disclaimer, and the config passed its write-time checks, so this
 *   is a data problem worth a clear error rather than silently missing text).
 * - Product strings also see `quote`. A failing product placeholder fails that product: it is left
 *   out of `content.products` and reported in `failedProducts` for the caller to drop the product
 *   like a pricing error.
 * - No content, or no language entry that applies: empty strings are left out, lists are [].
 * Output is plain text: placeholder values are inserted as they are, never interpreted.
 */
export function renderContent(
  content: Content | undefined,
  language: string | undefined,
  products: readonly ContentProductInput[],
  vars: CelVars,
  evaluate: Evaluate,
): RenderContentResult {
  const key = resolveLanguage(content, language);
  const entry = key !== null && content ? (content[key] as ContentLanguage) : undefined;
  const out = {} as ResponseContent; // keys in the order of the Create Offer response
  const failedProducts = new Map<string, string>();
  const offerVars: CelVars = { customer: vars.customer, context: vars.context, partner: vars.partner, now: vars.now };

  try {
    for (const field of ['title', 'description', 'terms_url', 'disclaimer'] as const) {
      const text = entry?.[field];
      if (text !== undefined) out[field] = render(text, offerVars, evaluate, `content.${key}.${field}`);
    }
  } catch (e) {
    if (e instanceof PlaceholderError) {
      return { ok: false, code: 'offer_content_error', message: e.message, path: e.path, expression: e.expression, reason: e.reason };
    }
    throw e;
  }
  out.products = [];

  for (const p of products) {
    const productVars: CelVars = { ...offerVars, quote: p.quoteVars };
    try {
      out.products.push(renderProduct(p.code, entry?.products?.[p.code], productVars, evaluate, `content.${key}.products.${p.code}`));
    } catch (e) {
      if (!(e instanceof PlaceholderError)) throw e;
      failedProducts.set(p.code, e.message);
    }
  }
  return { ok: true, language: key, content: out, failedProducts };
}
