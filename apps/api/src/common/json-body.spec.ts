import { nestsDeeperThan } from './json-body';

describe('nestsDeeperThan', () => {
  const arrays = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

  it('counts the outermost array or object as level 1, scalars as level 0', () => {
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan('[[[', 0)).toBe(false);
    expect(nestsDeeperThan([], 0)).toBe(true);
    expect(nestsDeeperThan([], 1)).toBe(false);
    expect(nestsDeeperThan({ a: { b: [1] } }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: { b: [1] } }, 2)).toBe(true);
  });

  it('finds the deep branch among wide shallow ones', () => {
    const wide = { list: Array.from({ length: 1000 }, (_, i) => ({ i })), deep: arrays(10) };
    expect(nestsDeeperThan(wide, 11)).toBe(false);
    expect(nestsDeeperThan(wide, 10)).toBe(true);
  });

  it('walks a million levels without overflowing the call stack', () => {
    expect(nestsDeeperThan(arrays(1_000_000), 64)).toBe(true);
    expect(nestsDeeperThan(arrays(1_000_000), 1_000_000)).toBe(false);
  });
});
