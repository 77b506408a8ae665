import { Injectable, PipeTransform } from '@nestjs/common';
import type { CancelBookingInput, PersonInput, PolicyholderInput, QuoteForUpdateInput, UpdateBookingInput } from '@app/offers';
import { isJsonObject, notAnObject, validateBody } from './body-validation';
import { CancelBookingDto, QuoteForUpdateDto, UpdateBookingDto } from './dto/booking-lifecycle.dto';

/*
 * The bodies of the routes after the sale, checked here (HTTP layer) so that their errors carry
 * `booking_validation_error` by JSON pointer, as on Confirm Offer. Each route's parameter is typed
 * with an interface, so the global ValidationPipe leaves it alone. What the pipes hand on holds
 * only the fields the client sent (an optional field sent as null counts as not sent).
 */

/** no body, or a JSON `null` (what XCover clients send for "nothing"): an empty object */
const orEmpty = (value: unknown): unknown => (value === undefined || value === null ? {} : value);

/** the keys of a validated object whose value is neither undefined nor null */
function given<T extends object>(value: Record<string, unknown>): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out[k] = v;
  return out as Partial<T>;
}

const person = (p: unknown): PersonInput => given<PersonInput>(p as Record<string, unknown>) as PersonInput;

function quotesWithInsured(quotes: unknown): Array<{ id: string; insured?: PersonInput[] }> {
  return (quotes as Array<Record<string, unknown>>).map((q) => {
    const out: { id: string; insured?: PersonInput[] } = { id: q.id as string };
    if (Array.isArray(q.insured)) out.insured = q.insured.map(person);
    return out;
  });
}

/** `POST …/bookings/{id}/cancel`: `{ preview?, quotes?: [{ id }], cancellation_reason? }`, absent body = `{}` */
@Injectable()
export class CancelBodyPipe implements PipeTransform<unknown, CancelBookingInput> {
  transform(value: unknown): CancelBookingInput {
    const { plain } = validateBody(CancelBookingDto, orEmpty(value));
    const out: CancelBookingInput = {};
    if (typeof plain.preview === 'boolean') out.preview = plain.preview;
    if (Array.isArray(plain.quotes)) out.quotes = (plain.quotes as Array<{ id: string }>).map((q) => ({ id: q.id }));
    if (typeof plain.cancellation_reason === 'string') out.cancellation_reason = plain.cancellation_reason;
    return out;
  }
}

/** `PATCH …/bookings/{id}`: `{ policyholder?: partial, quotes?: [{ id, insured? }] }`, absent body = `{}` */
@Injectable()
export class UpdateBodyPipe implements PipeTransform<unknown, UpdateBookingInput> {
  transform(value: unknown): UpdateBookingInput {
    const { plain } = validateBody(UpdateBookingDto, orEmpty(value));
    const out: UpdateBookingInput = {};
    if (isJsonObject(plain.policyholder)) out.policyholder = given<PolicyholderInput>(plain.policyholder);
    if (Array.isArray(plain.quotes)) out.quotes = quotesWithInsured(plain.quotes);
    return out;
  }
}

/** `PATCH …/bookings/{id}/quote_for_update`: `{ quotes: [{ id, update_fields }], policyholder?: partial }` */
@Injectable()
export class QuoteForUpdateBodyPipe implements PipeTransform<unknown, QuoteForUpdateInput> {
  transform(value: unknown): QuoteForUpdateInput {
    const { plain } = validateBody(QuoteForUpdateDto, orEmpty(value));
    const out: QuoteForUpdateInput = {
      quotes: (plain.quotes as Array<{ id: string; update_fields: Record<string, unknown> }>).map((q) => ({ id: q.id, update_fields: q.update_fields })),
    };
    if (isJsonObject(plain.policyholder)) out.policyholder = given<PolicyholderInput>(plain.policyholder);
    return out;
  }
}

/**
 * `confirm_cancellation` / `confirm_update`: the body says nothing (`{}`, none or `null`); any JSON
 * object is accepted and ignored, anything else (an array) is a 422.
 */
@Injectable()
export class IgnoredBodyPipe implements PipeTransform<unknown, void> {
  transform(value: unknown): void {
    if (value === undefined || value === null || isJsonObject(value)) return;
    throw notAnObject();
  }
}
