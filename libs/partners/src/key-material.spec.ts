import { createHash, timingSafeEqual } from 'node:crypto';

jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

import { generateKey, hashesEqual, hashKey, isPlausibleKey, KEY_TAGS, MAX_RAW_KEY_LENGTH } from './key-material';

describe('key material', () => {
  it.each(['live', 'test', 'admin'] as const)('generates a %s key: tag + 32 random bytes in base64url', (kind) => {
    const { key, prefix, hash } = generateKey(kind);
    const tag = KEY_TAGS[kind];
    expect(key.startsWith(tag)).toBe(true);
    const random = key.slice(tag.length);
    expect(random).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(random, 'base64url')).toHaveLength(32);
    expect(prefix).toBe(key.slice(0, tag.length + 4));
    expect(prefix.length).toBeLessThanOrEqual(32); // fits the prefix column
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateKey('live').key));
    expect(keys.size).toBe(1000);
  });

  it('compares hashes in constant time through crypto.timingSafeEqual', () => {
    const spy = timingSafeEqual as jest.MockedFunction<typeof timingSafeEqual>;
    spy.mockClear();
    const h = hashKey('a');
    expect(hashesEqual(h, hashKey('a'))).toBe(true);
    expect(hashesEqual(h, hashKey('b'))).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('refuses malformed digests without throwing', () => {
    expect(hashesEqual('abc', hashKey('a'))).toBe(false);
    expect(hashesEqual(hashKey('a'), '')).toBe(false);
  });

  it('only hashes plausible header values', () => {
    expect(isPlausibleKey(undefined)).toBe(false);
    expect(isPlausibleKey('')).toBe(false);
    expect(isPlausibleKey(['a'])).toBe(false);
    expect(isPlausibleKey('x'.repeat(MAX_RAW_KEY_LENGTH + 1))).toBe(false);
    expect(isPlausibleKey(generateKey('test').key)).toBe(true);
  });
});
