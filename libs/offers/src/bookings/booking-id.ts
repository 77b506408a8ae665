import { randomInt } from 'node:crypto';

/** Upper case without the look-alikes 0/O, 1/I/L: readable over the phone and on a screen. */
export const BOOKING_ID_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const BOOKING_ID_PATTERN = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}-INS$/;

/**
 * Booking ids `XXXXX-XXXXX-INS`: 10 characters from a 31-letter alphabet, ~49.5 bits, drawn with a
 * CSPRNG. Uniqueness is the primary key's; a collision is retried by the caller.
 */
export function newBookingId(random: (max: number) => number = randomInt): string {
  let s = '';
  for (let i = 0; i < 10; i++) {
    if (i === 5) s += '-';
    s += BOOKING_ID_ALPHABET[random(BOOKING_ID_ALPHABET.length)];
  }
  return `${s}-INS`;
}

/** One policy number per confirmed quote: the booking id and the quote's 1-based position. */
export function policyNumber(bookingId: string, index: number): string {
  return `${bookingId}-${String(index + 1).padStart(2, '0')}`;
}
