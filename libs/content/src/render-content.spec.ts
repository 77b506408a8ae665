import type { Content } from '@app/core';
import { renderContent, resolveLanguage } from './render-content';
import type { CelVars, Evaluate } from './content.types';

const vars: CelVars = {
  customer: { language: 'en-US', country: 'US' },
  context: { item: { title: 'UltraBook 14' } },
  partner: {},
  now: new Date('2026-11-25T10:00:00Z'),
};

/** A fake evaluator: expression text → function of the variables (not CEL). */
const evaluate: Evaluate = (expr, v) => {
  const table: Record<string, (v: CelVars) => unknown> = {
    'context.item.title': (x) => (x.context.item as { title: string }).title,
    'quote.price_formatted': (x) => x.quote?.price_formatted,
    'quote.price': (x) => x.quote?.price,
    'quote.benefits[1].excess_formatted': (x) => {
      const b = (x.quote?.benefits as Array<Record<string, unknown>>)[1];
      if (!b || !('excess_formatted' in b)) throw new Error('no such key: excess_formatted');
      return b.excess_formatted;
    },
    'quote.policy_start_date': (x) => x.quote?.policy_start_date,
    'context.nope': () => {
      throw new Error('no such key: nope');
    },
    now: (x) => x.now,
    html: () => '<b>bold</b> & "quoted"',
    has_quote: (x) => x.quote !== undefined,
  };
  const f = table[expr];
  if (!f) throw new Error(`unknown expression ${expr}`);
  return f(v);
};

const content: Content = {
  default_language: 'en',
  en: {
    title: 'Protect your {{ context.item.title }}',
    description: 'Cover that starts when the manufacturer’s ends.',
    terms_url: 'https://example.com/terms',
    disclaimer: 'Quoted at {{ now }} {{ html }}',
    products: {
      WARRANTY_2Y: {
        title: '2 years of extra cover for {{ quote.price_formatted }}',
        description: 'Starts {{ quote.policy_start_date }}; raw {{ quote.price }}',
        benefits: ['No-fee repairs'],
        inclusions: ['Accidental damage'],
        exclusions: ['Loss or theft'],
        extras: [],
        disclaimers: ['Excess of {{ quote.benefits[1].excess_formatted }} per claim'],
      },
      SHIPPING: { title: 'Shipping protection' },
    },
  },
  es: { title: 'Protege tu {{ context.item.title }}', products: { SHIPPING: { title: 'Protección de envío' } } },
  'fr-CA': { title: 'Protégez votre {{ context.item.title }}' },
};

const warranty = {
  code: 'WARRANTY_2Y',
  quoteVars: {
    price: 19.485,
    price_formatted: '$19.49',
    policy_start_date: new Date('2027-11-25T00:00:00Z'),
    benefits: [{ description: 'a' }, { description: 'b', excess: 25, excess_formatted: '$25.00' }],
  },
};
const shipping = { code: 'SHIPPING', quoteVars: { price: 19.49, price_formatted: '$19.49', benefits: [] } };

describe('resolveLanguage', () => {
  it('exact tag, then base, then default, case-insensitively', () => {
    expect(resolveLanguage(content, 'fr-CA')).toBe('fr-CA');
    expect(resolveLanguage(content, 'FR-ca')).toBe('fr-CA');
    expect(resolveLanguage(content, 'fr_CA')).toBe('fr-CA');
    expect(resolveLanguage(content, 'es-MX')).toBe('es');
    expect(resolveLanguage(content, 'ES')).toBe('es');
    expect(resolveLanguage(content, 'fr')).toBe('en');
    expect(resolveLanguage(content, 'de-DE')).toBe('en');
    expect(resolveLanguage(content, undefined)).toBe('en');
    expect(resolveLanguage({ default_language: 'EN', en: {} }, 'de')).toBe('en');
    expect(resolveLanguage({ default_language: 'it', en: {} }, 'de')).toBeNull();
    expect(resolveLanguage(undefined, 'en')).toBeNull();
  });
});

describe('renderContent', () => {
  it('renders offer and product strings, in the order of the offered products', () => {
    const r = renderContent(content, 'en-US', [shipping, warranty], vars, evaluate);
    expect(r).toEqual({
      ok: true,
      language: 'en',
      failedProducts: new Map(),
      content: {
        title: 'Protect your UltraBook 14',
        description: 'Cover that starts when the manufacturer’s ends.',
        terms_url: 'https://example.com/terms',
        disclaimer: 'Quoted at 2026-11-25T10:00:00Z <b>bold</b> & "quoted"',
        products: [
          { code: 'SHIPPING', title: 'Shipping protection', benefits: [], inclusions: [], exclusions: [], extras: [], disclaimers: [] },
          {
            code: 'WARRANTY_2Y',
            title: '2 years of extra cover for $19.49',
            description: 'Starts 2027-11-25T00:00:00Z; raw 19.485',
            benefits: ['No-fee repairs'],
            inclusions: ['Accidental damage'],
            exclusions: ['Loss or theft'],
            extras: [],
            disclaimers: ['Excess of $25.00 per claim'],
          },
        ],
      },
    });
  });

  it('offer-level strings do not see quote', () => {
    const r = renderContent({ default_language: 'en', en: { title: '{{ has_quote }}' } }, 'en', [warranty], vars, evaluate);
    expect(r.ok && r.content.title).toBe('false');
  });

  it('uses the resolved language; missing strings are left out and lists are []', () => {
    const r = renderContent(content, 'es-MX', [warranty, shipping], vars, evaluate);
    expect(r.ok && r.language).toBe('es');
    expect(r.ok && r.content).toEqual({
      title: 'Protege tu UltraBook 14',
      products: [
        { code: 'WARRANTY_2Y', benefits: [], inclusions: [], exclusions: [], extras: [], disclaimers: [] },
        { code: 'SHIPPING', title: 'Protección de envío', benefits: [], inclusions: [], exclusions: [], extras: [], disclaimers: [] },
      ],
    });
  });

  it('a failing product placeholder fails only that product', () => {
    const noExcess = { ...warranty, quoteVars: { ...warranty.quoteVars, benefits: [{ description: 'a' }, { description: 'b' }] } };
    const r = renderContent(content, 'en', [noExcess, shipping], vars, evaluate);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.content.products.map((p) => p.code)).toEqual(['SHIPPING']);
    expect([...r.failedProducts.keys()]).toEqual(['WARRANTY_2Y']);
    expect(r.failedProducts.get('WARRANTY_2Y')).toContain('content.en.products.WARRANTY_2Y.disclaimers[0]');
    expect(r.failedProducts.get('WARRANTY_2Y')).toContain('quote.benefits[1].excess_formatted');
    expect(r.failedProducts.get('WARRANTY_2Y')).toContain('no such key');
  });

  it('a failing offer-level placeholder is offer_content_error', () => {
    const r = renderContent({ default_language: 'en', en: { title: 'Hi {{ context.nope }}' } }, 'en', [shipping], vars, evaluate);
    expect(r).toEqual({
      ok: false,
      code: 'offer_content_error',
      message: expect.stringContaining('content.en.title'),
      path: 'content.en.title',
      expression: 'context.nope',
      reason: expect.stringContaining('no such key: nope'),
    });
    expect(!r.ok && r.message).toContain('no such key: nope');
  });

  it('no content or no applicable language → an empty shell per product', () => {
    const empty = { products: [{ code: 'SHIPPING', benefits: [], inclusions: [], exclusions: [], extras: [], disclaimers: [] }] };
    expect(renderContent(undefined, 'en', [shipping], vars, evaluate)).toMatchObject({ ok: true, language: null, content: empty });
    expect(renderContent({ default_language: 'it', en: { title: 'x' } }, 'de', [shipping], vars, evaluate)).toMatchObject({
      ok: true,
      content: empty,
    });
  });
});
