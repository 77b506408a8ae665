import { BOOKING_ID_ALPHABET, BOOKING_ID_PATTERN, newBookingId, policyNumber } from './booking-id';

describe('booking ids', () => {
  it('are XXXXX-XXXXX-INS from the unambiguous alphabet', () => {
    for (let i = 0; i < 1000; i++) expect(newBookingId()).toMatch(BOOKING_ID_PATTERN);
  });

  it('never use look-alike characters', () => {
    expect(BOOKING_ID_ALPHABET).toHaveLength(31);
    for (const c of '01OIL') expect(BOOKING_ID_ALPHABET).not.toContain(c);
    expect(new Set(BOOKING_ID_ALPHABET).size).toBe(BOOKING_ID_ALPHABET.length);
  });

  it('draw every position from the random source', () => {
    const seq = [0, 30, 1, 29, 2, 28, 3, 27, 4, 26];
    let i = 0;
    expect(newBookingId(() => seq[i++])).toBe('2Z3Y4-X5W6V-INS');
  });

  it('do not repeat in 100 000 draws', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(newBookingId());
    expect(seen.size).toBe(100_000);
  });

  it('give one policy number per quote position', () => {
    expect(policyNumber('8EB89-4A3H7-INS', 0)).toBe('8EB89-4A3H7-INS-01');
    expect(policyNumber('8EB89-4A3H7-INS', 11)).toBe('8EB89-4A3H7-INS-12');
  });
});
