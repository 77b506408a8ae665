import { InvalidError } from '@app/core';

/**
 * Reads the parameters of a list route's query string the same way on every route: an empty
 * parameter counts as absent, unknown ones are ignored, and each bad value (or a parameter given
 * twice) is collected under the parameter's name, for one 422 `validation_error` at the end
 * (`throwIfInvalid`).
 */
export class QueryParams {
  readonly errors: Record<string, string[]> = {};

  constructor(private readonly q: Record<string, unknown>) {}

  /** The parameter's one value; undefined when absent or empty. */
  one(name: string): string | undefined {
    const raw = Object.prototype.hasOwnProperty.call(this.q, name) ? this.q[name] : undefined;
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string') {
      this.errors[name] = ['must be given once'];
      return undefined;
    }
    return raw === '' ? undefined : raw;
  }

  /** A decimal integer in [min, max]; `def` when absent (or invalid, with the error recorded). */
  integer(name: string, min: number, max: number, def: number): number {
    const v = this.one(name);
    if (v === undefined) return def;
    const n = /^\d{1,10}$/.test(v) ? Number(v) : NaN;
    if (!(n >= min && n <= max)) {
      this.errors[name] = [`must be an integer from ${min} to ${max}`];
      return def;
    }
    return n;
  }

  /** Records a problem with a parameter's value. */
  reject(name: string, message: string): void {
    this.errors[name] = [message];
  }

  throwIfInvalid(): void {
    if (Object.keys(this.errors).length > 0) throw new InvalidError('validation_error', 'Request validation failed', this.errors);
  }
}
