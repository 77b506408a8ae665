import type { ValidationError } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { BookingValidationError } from '@app/offers';

/*
 * The class-validator checks of the bookings' bodies (confirm, cancel, update, quote for update):
 * errors as JSON pointers, code `booking_validation_error` (422), unknown fields refused.
 */

/** class-validator errors → JSON-pointer paths (`/policyholder/email`, `/quotes/0/id`). */
export function validationErrorsToPointers(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) {
    const path = `${parent}/${e.property}`;
    if (e.constraints) out[path] = Object.values(e.constraints);
    if (e.children && e.children.length > 0) Object.assign(out, validationErrorsToPointers(e.children, path));
  }
  return out;
}

/**
 * Keys class-transformer never copies: it skips them, and throws on an object whose own
 * `constructor` is not a function (`{"first_name":{"constructor":"x"}}`).
 */
const UNCOPIED_KEYS = new Set(['__proto__', 'constructor']);

const pointerTo = (path: string, key: string): string => `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * A copy of a parsed JSON body without UNCOPIED_KEYS, with the JSON pointer of each key left out.
 * (recursive: the body parser has already refused bodies nested deeper than a few dozen levels)
 */
export function withoutUncopiedKeys(value: unknown, path: string, removed: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => withoutUncopiedKeys(v, `${path}/${i}`, removed));
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (UNCOPIED_KEYS.has(key)) removed.push(pointerTo(path, key));
    else copy[key] = withoutUncopiedKeys(v, pointerTo(path, key), removed);
  }
  return copy;
}

export const isJsonObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** 422 `booking_validation_error` for a body that is not a JSON object */
export const notAnObject = (): BookingValidationError => new BookingValidationError({ '': ['must be a JSON object'] });

/**
 * Validates a JSON object against a DTO class: unknown fields (`__proto__` and `constructor`
 * included) and every constraint broken → 422 `booking_validation_error` by JSON pointer.
 * Returns the DTO instance and the body as plain JSON (only the keys the client sent: a DTO
 * instance has every declared field, undefined when absent, since class fields are defined).
 */
export function validateBody<T extends object>(dtoClass: ClassConstructor<T>, value: unknown): { dto: T; plain: Record<string, unknown> } {
  if (!isJsonObject(value)) throw notAnObject();
  // no field of the body is named __proto__ or constructor: refused like any other unknown field
  const removed: string[] = [];
  const plain = withoutUncopiedKeys(value, '', removed) as Record<string, unknown>;
  const dto = plainToInstance(dtoClass, plain);
  const errors = validationErrorsToPointers(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }));
  for (const path of removed) errors[path] = [`property ${path.slice(path.lastIndexOf('/') + 1)} should not exist`];
  if (Object.keys(errors).length > 0) throw new BookingValidationError(errors);
  return { dto, plain };
}
