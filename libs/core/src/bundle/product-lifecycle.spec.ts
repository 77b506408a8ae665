import { CANCELLATION_DEFAULTS, MODIFICATION_DEFAULTS, cancellationOf, durationToMs, modificationOf } from './product-lifecycle';

describe('durationToMs', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(durationToMs('90s')).toBe(90_000);
    expect(durationToMs('15m')).toBe(900_000);
    expect(durationToMs('72h')).toBe(259_200_000);
    expect(durationToMs('14d')).toBe(1_209_600_000);
    expect(durationToMs('0d')).toBe(0);
  });

  it('refuses anything else', () => {
    for (const bad of ['14x', '14', 'd', '-1d', '1.5h', ' 14d', '14d ', '14D', '']) {
      expect(() => durationToMs(bad)).toThrow(RangeError);
    }
    expect(() => durationToMs('9'.repeat(20) + 'd')).toThrow(/too long/);
  });
});

describe('cancellationOf / modificationOf', () => {
  it('give the defaults for a product without the blocks', () => {
    expect(cancellationOf({})).toEqual({ cooling_off: '14d', allowed: 'now < quote.policy_end_date', refund: '0.0' });
    expect(cancellationOf({})).toEqual(CANCELLATION_DEFAULTS);
    expect(modificationOf({})).toEqual({ allowed: 'now < quote.policy_start_date' });
    expect(modificationOf({}).allowed).toBe(MODIFICATION_DEFAULTS.allowed);
    // absent fields: any field may change
    expect(modificationOf({ modification: {} }).fields).toBeUndefined();
  });

  it('keep what is given and default the rest', () => {
    expect(cancellationOf({ cancellation: { refund: 'quote.price * 0.5' } })).toEqual({
      cooling_off: '14d',
      allowed: 'now < quote.policy_end_date',
      refund: 'quote.price * 0.5',
    });
    expect(cancellationOf({ cancellation: { cooling_off: '30d', allowed: 'false' } })).toMatchObject({ cooling_off: '30d', allowed: 'false', refund: '0.0' });
    expect(modificationOf({ modification: { fields: ['trip_cost'] } })).toEqual({ allowed: 'now < quote.policy_start_date', fields: ['trip_cost'] });
    expect(modificationOf({ modification: { allowed: 'true', fields: [] } })).toEqual({ allowed: 'true', fields: [] });
  });

  it('cannot be changed through the exported defaults', () => {
    expect(Object.isFrozen(CANCELLATION_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(MODIFICATION_DEFAULTS)).toBe(true);
  });
});
