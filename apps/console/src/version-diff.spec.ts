import { diffPaths, prettyJson } from './version-diff';

describe('diffPaths', () => {
  it('lists changed, added and removed paths', () => {
    const before = { partner: { code: 'DEMO', name: 'Demo' }, offer_configs: [{ id: 'a', products: [{ pricing: { premium: '1.0' } }] }], schemas: [] };
    const after = {
      partner: { code: 'DEMO', name: 'Demo Travel', status: 'active' },
      offer_configs: [{ id: 'a', products: [{ pricing: { premium: '2.0' } }] }, { id: 'b' }],
      schemas: [],
    };
    expect(diffPaths(before, after)).toEqual([
      { path: 'partner.name', change: 'changed' },
      { path: 'partner.status', change: 'added' },
      { path: 'offer_configs[0].products[0].pricing.premium', change: 'changed' },
      { path: 'offer_configs[1]', change: 'added' },
    ]);
  });

  it('sees removals, type changes and odd keys', () => {
    expect(diffPaths({ a: [1, 2], 'fr CA': { x: 1 } }, { a: [1], 'fr CA': 'x' })).toEqual([
      { path: 'a[1]', change: 'removed' },
      { path: '["fr CA"]', change: 'changed' },
    ]);
    expect(diffPaths({ a: 1 }, { a: 1 })).toEqual([]);
    expect(diffPaths(1, 2)).toEqual([{ path: 'bundle', change: 'changed' }]);
  });

  it('writes JSON with two-space indents and a final newline', () => {
    expect(prettyJson({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });
});
