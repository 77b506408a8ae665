import { scrubSecrets } from './audit-scrub';

describe('scrubSecrets', () => {
  it('drops secret-named fields at any depth, in any case or separator style', () => {
    const input = {
      id: 'k1',
      key: 'ok_live_x',
      Secret: 's',
      key_hash: 'h',
      keyHash: 'h',
      secret_enc: 'e',
      nested: { password: 'p', token: 't', list: [{ api_key: 'a', keep: 1 }], prefix: 'ok_live_abcd' },
    };
    expect(scrubSecrets(input)).toEqual({ id: 'k1', nested: { list: [{ keep: 1 }], prefix: 'ok_live_abcd' } });
  });

  it('redacts any string shaped like a raw key, wherever it is', () => {
    const raw = `ok_test_${'A'.repeat(43)}`;
    expect(scrubSecrets({ note: raw, list: [raw] })).toEqual({ note: '[redacted]', list: ['[redacted]'] });
  });

  it('keeps plain data, turns undefined into null and dates into ISO strings', () => {
    const d = new Date('2024-01-02T03:04:05.678Z');
    expect(scrubSecrets(undefined)).toBeNull();
    expect(scrubSecrets({ a: 1, b: true, c: null, d, e: undefined, f: 'x' })).toEqual({
      a: 1,
      b: true,
      c: null,
      d: '2024-01-02T03:04:05.678Z',
      f: 'x',
    });
  });

  it('stops at a depth limit instead of recursing forever on cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(() => scrubSecrets(a)).not.toThrow();
  });
});
