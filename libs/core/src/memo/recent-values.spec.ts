import { RecentValues } from './recent-values';

describe('RecentValues', () => {
  it('computes a value once per key and never holds more than its limit', () => {
    const memo = new RecentValues<number, string>(3);
    const compute = jest.fn((n: number) => `#${n}`);
    expect(memo.get(1, compute)).toBe('#1');
    expect(memo.get(1, compute)).toBe('#1');
    expect(compute).toHaveBeenCalledTimes(1);
    for (let n = 2; n <= 10; n++) expect(memo.get(n, compute)).toBe(`#${n}`);
    expect(memo.size).toBeLessThanOrEqual(3);
    expect(memo.get(1, compute)).toBe('#1');
  });
});
