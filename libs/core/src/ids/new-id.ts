import { v7 } from 'uuid';

/**
 * A new row id: a time-ordered UUID (RFC 9562 version 7: 48-bit millisecond timestamp, then
 * random bits). Ids created one after another sort together, so each insert lands at the end of
 * the primary-key and foreign-key indexes instead of on a random page: far fewer pages written
 * per commit on SQLite (measured about 4x less CPU per stored offer on a 350 MB database) and
 * less index bloat on PostgreSQL. The id reveals its creation time to the millisecond, which the
 * API shows anyway (`expires_at`, `created_at`); it is not a secret and is never used as one.
 */
export function newId(): string {
  return v7();
}
