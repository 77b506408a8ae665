import { TtlCache } from './auth-cache';

describe('TtlCache', () => {
  it('serves a value until its TTL passes', () => {
    const c = new TtlCache<string>(1000, 10);
    c.set('a', 'A', c.generation, 0);
    expect(c.get('a', 999)).toBe('A');
    expect(c.get('a', 1000)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('does not cache a value looked up before an invalidation', () => {
    const c = new TtlCache<string>(1000, 10);
    const gen = c.generation; // lookup starts
    c.delete('a'); // revocation lands meanwhile
    c.set('a', 'stale', gen, 0);
    expect(c.get('a', 1)).toBeUndefined();
  });

  it('deletes by predicate and evicts the oldest entry when full', () => {
    const c = new TtlCache<{ p: string }>(1000, 2);
    c.set('a', { p: '1' }, c.generation, 0);
    c.set('b', { p: '2' }, c.generation, 0);
    c.set('c', { p: '2' }, c.generation, 0);
    expect(c.get('a', 1)).toBeUndefined();
    c.deleteWhere((v) => v.p === '2');
    expect(c.size).toBe(0);
  });
});
