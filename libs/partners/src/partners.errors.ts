import { NotFoundError, UnprocessableError, ConflictError } from '@app/core';

export const partnerNotFound = (code: string): NotFoundError => new NotFoundError('partner_not_found', `Partner "${code}" not found`);
export const partnerExists = (code: string): ConflictError => new ConflictError('partner_exists', `Partner "${code}" already exists`);
export const apiKeyNotFound = (): NotFoundError => new NotFoundError('api_key_not_found', 'API key not found');
export const adminKeyNotFound = (): NotFoundError => new NotFoundError('admin_key_not_found', 'Admin key not found');
export const signingUnavailable = (): UnprocessableError =>
  new UnprocessableError('signing_unavailable', 'Signing keys are disabled on this server: set APP_ENCRYPTION_KEY to create signing keys');

/** A unique-index violation on PostgreSQL (23505) or SQLite. */
export function isUniqueViolation(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; driverError?: { code?: unknown }; message?: unknown };
  const code = e.driverError?.code ?? e.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed'));
}
