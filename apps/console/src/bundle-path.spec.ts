import { parser } from '@lezer/json';
import { formatBundlePath, locatePath, parseBundlePath } from './bundle-path';

describe('parseBundlePath', () => {
  it('reads keys, indexes and quoted keys', () => {
    expect(parseBundlePath('offer_configs[0].products[1].pricing.premium')).toEqual(['offer_configs', 0, 'products', 1, 'pricing', 'premium']);
    expect(parseBundlePath('offer_configs[0].content["fr CA"].title')).toEqual(['offer_configs', 0, 'content', 'fr CA', 'title']);
    expect(parseBundlePath('["a.b"].c')).toEqual(['a.b', 'c']);
    expect(parseBundlePath('partner.code')).toEqual(['partner', 'code']);
  });

  it('reads the whole bundle as no segment', () => {
    expect(parseBundlePath('bundle')).toEqual([]);
    expect(parseBundlePath('')).toEqual([]);
  });

  it('refuses what is no path', () => {
    expect(parseBundlePath('a..b')).toBeNull();
    expect(parseBundlePath('a[x]')).toBeNull();
    expect(parseBundlePath('.a')).toBeNull();
    expect(parseBundlePath('a["b]')).toBeNull();
    expect(parseBundlePath('a b')).toBeNull();
  });

  it('round-trips through formatBundlePath', () => {
    for (const path of ['offer_configs[0].products[1].pricing.premium', 'x["fr CA"][2].y', 'bundle', '["a.b"].c']) {
      expect(formatBundlePath(parseBundlePath(path) ?? [])).toBe(path);
    }
  });
});

describe('locatePath', () => {
  const text = JSON.stringify(
    {
      partner: { code: 'DEMO' },
      offer_configs: [
        {
          id: 'a',
          products: [
            { code: 'P', pricing: { premium: 'context.x * 0.1' } },
            { code: 'Q', pricing: {} },
          ],
        },
      ],
      'fr CA': 1,
    },
    null,
    2,
  );
  const tree = parser.parse(text);
  const at = (path: string) => {
    const range = locatePath(tree, text, parseBundlePath(path) ?? []);
    return range && { text: text.slice(range.from, range.to), exact: range.exact };
  };

  it('finds a primitive value', () => {
    expect(at('offer_configs[0].products[0].pricing.premium')).toEqual({ text: '"context.x * 0.1"', exact: true });
    expect(at('partner.code')).toEqual({ text: '"DEMO"', exact: true });
    expect(at('["fr CA"]')).toEqual({ text: '1', exact: true });
  });

  it('marks an object by its property name and an array item by its bracket', () => {
    expect(at('offer_configs[0].products[1].pricing')).toEqual({ text: '"pricing"', exact: true });
    expect(at('offer_configs[0]')).toEqual({ text: '{', exact: true });
  });

  it('falls back to the nearest ancestor of a missing path', () => {
    expect(at('offer_configs[0].products[1].pricing.premium')).toEqual({ text: '"pricing"', exact: false });
    expect(at('offer_configs[5].id')).toEqual({ text: '"offer_configs"', exact: false });
  });

  it('takes the whole document for the root, and the last of duplicate keys', () => {
    expect(at('bundle')).toEqual({ text: '{', exact: true });
    const dup = '{"a": 1, "a": 2}';
    const range = locatePath(parser.parse(dup), dup, ['a']);
    expect(range && dup.slice(range.from, range.to)).toBe('2');
  });

  it('works on broken JSON as far as it goes', () => {
    const broken = '{"partner": {"code": "X", }, "schemas": [';
    const range = locatePath(parser.parse(broken), broken, ['partner', 'code']);
    expect(range && broken.slice(range.from, range.to)).toBe('"X"');
    expect(locatePath(parser.parse(''), '', ['a'])).toBeNull();
  });
});
