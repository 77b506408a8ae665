import { randomInt } from 'node:crypto';

const CHANGE_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `CCL` for a cancellation preview, `UPD` for a quote for update. */
export type ChangeIdSuffix = 'CCL' | 'UPD';

export const CHANGE_ID_PATTERN = /^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}-[A-Za-z0-9]{5}-(CCL|UPD)$/;

/**
 * `XXXXX-XXXXX-XXXXX-CCL` / `…-UPD`: 15 characters of upper- and lower-case letters and digits
 * (~89 bits), drawn with a CSPRNG, so an id cannot be guessed; uniqueness is the primary key's.
 */
export function newChangeId(suffix: ChangeIdSuffix, random: (max: number) => number = randomInt): string {
  const groups: string[] = [];
  for (let g = 0; g < 3; g++) {
    let group = '';
    for (let i = 0; i < 5; i++) group += CHANGE_ID_ALPHABET[random(CHANGE_ID_ALPHABET.length)];
    groups.push(group);
  }
  return `${groups.join('-')}-${suffix}`;
}
