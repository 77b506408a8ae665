import { QueryParams } from '../common/query-params';
import type { BookingListQuery, BookingPage, BookingStatusFilter } from '@app/offers';

export const BOOKING_LIST_DEFAULT_LIMIT = 20;
export const BOOKING_LIST_MAX_LIMIT = 100;
/** far beyond any real page; keeps OFFSET a plain 32-bit integer on every database */
export const BOOKING_LIST_MAX_OFFSET = 2_147_483_647;
const PARTNER_TRANSACTION_ID_MAX = 200;

const DAY_MS = 86_400_000;
// the formats of the analytics window (analyticsWindow): a date is a whole UTC day, a date-time needs its zone
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const STATUSES: readonly BookingStatusFilter[] = ['CONFIRMED', 'CANCELLED'];

/** The filters of `GET …/bookings/`, in the order the page links repeat them. */
export const BOOKING_LIST_FILTERS = ['status', 'partner_transaction_id', 'created_from', 'created_to'] as const;
type FilterName = (typeof BOOKING_LIST_FILTERS)[number];

export interface ParsedBookingListQuery {
  query: BookingListQuery;
  /** the filters as the client wrote them (non-empty ones only), for the page links */
  filters: Partial<Record<FilterName, string>>;
}

/**
 * `GET …/bookings/?status=&partner_transaction_id=&created_from=&created_to=&limit=&offset=`.
 * Empty parameters count as absent, unknown ones are ignored; a bad value (or a parameter given
 * twice) → 422 `validation_error` with the parameter's name as path. `created_from` and
 * `created_to` take an ISO 8601 date (a whole UTC day: `created_to=2026-11-30` includes that day)
 * or a date-time with its zone; `created_to` is exclusive for a date-time.
 */
export function parseBookingListQuery(q: Record<string, unknown>): ParsedBookingListQuery {
  const params = new QueryParams(q);
  const filters: Partial<Record<FilterName, string>> = {};
  const filter = (name: FilterName): string | undefined => {
    const v = params.one(name);
    if (v !== undefined) filters[name] = v;
    return v;
  };
  const instant = (name: 'created_from' | 'created_to'): Date | undefined => {
    const v = filter(name);
    if (v === undefined) return undefined;
    const dateOnly = DATE_ONLY.test(v);
    const d = dateOnly ? new Date(`${v}T00:00:00Z`) : DATE_TIME.test(v) ? new Date(v) : new Date(NaN);
    if (Number.isNaN(d.getTime()) || (dateOnly && d.toISOString().slice(0, 10) !== v)) {
      params.reject(name, 'must be an ISO 8601 date (2026-11-01) or date-time with a zone (2026-11-01T00:00:00Z)');
      return undefined;
    }
    // a date as the upper bound means the whole of that day
    return name === 'created_to' && dateOnly ? new Date(d.getTime() + DAY_MS) : d;
  };

  const query: BookingListQuery = { limit: 0, offset: 0 };
  const status = filter('status');
  if (status !== undefined) {
    const upper = status.toUpperCase() as BookingStatusFilter;
    if (STATUSES.includes(upper)) query.status = upper;
    else params.reject('status', `must be one of ${STATUSES.join(', ')}`);
  }
  const transactionId = filter('partner_transaction_id');
  if (transactionId !== undefined) {
    if (transactionId.length <= PARTNER_TRANSACTION_ID_MAX) query.partnerTransactionId = transactionId;
    else params.reject('partner_transaction_id', `must be at most ${PARTNER_TRANSACTION_ID_MAX} characters`);
  }
  const from = instant('created_from');
  const to = instant('created_to');
  if (from) query.createdFrom = from;
  if (to) query.createdTo = to;
  if (from && to && from.getTime() >= to.getTime()) params.reject('created_from', 'must be before created_to');
  query.limit = params.integer('limit', 1, BOOKING_LIST_MAX_LIMIT, BOOKING_LIST_DEFAULT_LIMIT);
  query.offset = params.integer('offset', 0, BOOKING_LIST_MAX_OFFSET, 0);

  params.throwIfInvalid();
  return { query, filters };
}

/** Where the list was asked: its origin (`https://host:port`) and path, as the client sent them. */
export interface ListLocation {
  /** `protocol://host`, or '' when the request named no host (the links are then relative) */
  origin: string;
  path: string;
}

function pageUrl(at: ListLocation, filters: ParsedBookingListQuery['filters'], limit: number, offset: number): string {
  const params = new URLSearchParams();
  for (const name of BOOKING_LIST_FILTERS) {
    const v = filters[name];
    if (v !== undefined) params.append(name, v);
  }
  params.append('limit', String(limit));
  params.append('offset', String(offset));
  return `${at.origin}${at.path}?${params.toString()}`;
}

/** XCover's page shape: `{ count, next, previous, results }`, the links repeating the request's route and filters. */
export function bookingPage(
  page: BookingPage,
  parsed: ParsedBookingListQuery,
  at: ListLocation,
): { count: number; next: string | null; previous: string | null; results: BookingPage['results'] } {
  const { limit, offset } = parsed.query;
  return {
    count: page.count,
    next: offset + limit < page.count ? pageUrl(at, parsed.filters, limit, offset + limit) : null,
    previous: offset > 0 ? pageUrl(at, parsed.filters, limit, Math.max(0, offset - limit)) : null,
    results: page.results,
  };
}
