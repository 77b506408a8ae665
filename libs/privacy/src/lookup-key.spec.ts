import { createHash } from 'node:crypto';
import { backfillKey } from '../../database/src/migrations/erasure-backfill';
import { ERASED, keyOf, lookupKey, normaliseCustomerId, normaliseEmail, offerLookupKeys, policyholderEmailKey } from './lookup-key';

const PARTNER = '0190a0a0-0000-7000-8000-000000000001';

describe('lookup keys', () => {
  it('is the first 52 bits of SHA-256(partner id \\n kind \\n value): a safe integer', () => {
    const digest = createHash('sha256').update(`${PARTNER}\nemail\nada@example.com`).digest('hex');
    const expected = Number(BigInt(`0x${digest.slice(0, 13)}`));
    expect(lookupKey(PARTNER, 'email', 'ada@example.com')).toBe(expected);
    for (const v of ['a', 'b@c.d', 'cust-42', 'é@ü.de']) {
      const k = lookupKey(PARTNER, 'email', v);
      expect(Number.isSafeInteger(k)).toBe(true);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThan(2 ** 52);
    }
  });

  it('an e-mail is keyed trimmed and lower-cased; a customer id as sent (a number as written)', () => {
    expect(normaliseEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(keyOf(PARTNER, 'email', 'ADA@example.com')).toBe(keyOf(PARTNER, 'email', 'ada@example.com'));
    expect(normaliseCustomerId('Cust-42')).toBe('Cust-42');
    expect(keyOf(PARTNER, 'customer_id', 'Cust-42')).not.toBe(keyOf(PARTNER, 'customer_id', 'cust-42'));
    expect(keyOf(PARTNER, 'customer_id', 42)).toBe(keyOf(PARTNER, 'customer_id', '42'));
  });

  it('depends on the partner and on the kind', () => {
    expect(lookupKey(PARTNER, 'email', 'x')).not.toBe(lookupKey('0190a0a0-0000-7000-8000-000000000002', 'email', 'x'));
    expect(lookupKey(PARTNER, 'email', 'x')).not.toBe(lookupKey(PARTNER, 'customer_id', 'x'));
  });

  it('has no key for what holds no identifier: absent, empty, not a string, or erased', () => {
    for (const v of [undefined, null, '', '   ', {}, ['a@b.c'], true, ERASED]) expect(keyOf(PARTNER, 'email', v)).toBeNull();
    for (const v of [undefined, null, '', {}, ERASED, Number.NaN]) expect(keyOf(PARTNER, 'customer_id', v)).toBeNull();
  });

  it("reads an offer's keys from its request and a booking's from its policyholder", () => {
    const request = { customer: { email: 'Ada@Example.com' }, partner: { customer_id: 'cust-42' } };
    expect(offerLookupKeys(PARTNER, request)).toEqual({
      emailKey: lookupKey(PARTNER, 'email', 'ada@example.com'),
      customerKey: lookupKey(PARTNER, 'customer_id', 'cust-42'),
    });
    expect(offerLookupKeys(PARTNER, { customer: {} })).toEqual({ emailKey: null, customerKey: null });
    expect(offerLookupKeys(PARTNER, 'not an object')).toEqual({ emailKey: null, customerKey: null });
    expect(policyholderEmailKey(PARTNER, { email: 'ADA@example.com' })).toBe(lookupKey(PARTNER, 'email', 'ada@example.com'));
    expect(policyholderEmailKey(PARTNER, null)).toBeNull();
  });

  it("the Erasure migrations' backfill keys rows as the app does", () => {
    for (const v of ['Ada@Example.com', ' x@y.z ', '', ERASED, 'é@ü.de', 42]) expect(backfillKey(PARTNER, 'email', v)).toBe(keyOf(PARTNER, 'email', v));
    for (const v of ['cust-42', 'Cust-42', '', ERASED, 42, 4.5, null]) expect(backfillKey(PARTNER, 'customer_id', v)).toBe(keyOf(PARTNER, 'customer_id', v));
  });
});
