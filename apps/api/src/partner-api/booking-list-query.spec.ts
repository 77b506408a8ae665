import { DomainError } from '@app/core';
import type { BookingResponse } from '@app/offers';
import { bookingPage, parseBookingListQuery } from './booking-list-query';

function errorsOf(q: Record<string, unknown>): Record<string, string[]> {
  try {
    parseBookingListQuery(q);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('validation_error');
    expect((e as DomainError).kind).toBe('invalid');
    return (e as DomainError).errors ?? {};
  }
  throw new Error(`expected a validation error for ${JSON.stringify(q)}`);
}

describe('parseBookingListQuery', () => {
  it('defaults: first page of 20, no filter; empty and unknown parameters are ignored', () => {
    expect(parseBookingListQuery({})).toEqual({ query: { limit: 20, offset: 0 }, filters: {} });
    expect(parseBookingListQuery({ status: '', limit: '', since: 'x', __proto__: 'y' })).toEqual({ query: { limit: 20, offset: 0 }, filters: {} });
  });

  it('reads every filter, keeping them as written for the page links', () => {
    const parsed = parseBookingListQuery({
      status: 'cancelled',
      partner_transaction_id: 'T-1',
      created_from: '2026-11-01',
      created_to: '2026-11-30',
      limit: '100',
      offset: '40',
    });
    expect(parsed.query).toEqual({
      status: 'CANCELLED',
      partnerTransactionId: 'T-1',
      createdFrom: new Date('2026-11-01T00:00:00Z'),
      // a date as upper bound: the whole of that day
      createdTo: new Date('2026-12-01T00:00:00Z'),
      limit: 100,
      offset: 40,
    });
    expect(parsed.filters).toEqual({ status: 'cancelled', partner_transaction_id: 'T-1', created_from: '2026-11-01', created_to: '2026-11-30' });
  });

  it('reads date-times with their zone exactly', () => {
    expect(parseBookingListQuery({ created_from: '2026-11-01T10:00:00+02:00', created_to: '2026-11-02T00:00:00.5Z' }).query).toMatchObject({
      createdFrom: new Date('2026-11-01T08:00:00Z'),
      createdTo: new Date('2026-11-02T00:00:00.500Z'),
    });
  });

  it.each([
    [{ status: 'OPEN' }, 'status'],
    [{ status: ['CONFIRMED', 'CANCELLED'] }, 'status'],
    [{ partner_transaction_id: 'x'.repeat(201) }, 'partner_transaction_id'],
    [{ created_from: 'yesterday' }, 'created_from'],
    [{ created_from: '2026-02-30' }, 'created_from'],
    [{ created_to: '2026-11-01T00:00:00' }, 'created_to'],
    [{ created_from: '2026-12-01', created_to: '2026-11-30' }, 'created_from'],
    [{ created_from: '2026-12-01T00:00:00Z', created_to: '2026-12-01T00:00:00Z' }, 'created_from'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: '1.5' }, 'limit'],
    [{ limit: '-1' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: '1e2' }, 'limit'],
    [{ limit: ['10', '20'] }, 'limit'],
    [{ offset: '-20' }, 'offset'],
    [{ offset: '99999999999' }, 'offset'],
    [{ offset: ' 1' }, 'offset'],
  ])('%j → 422 validation_error at %s', (q, path) => {
    expect(Object.keys(errorsOf(q))).toEqual([path]);
  });

  it('reports every bad parameter at once', () => {
    expect(Object.keys(errorsOf({ status: 'x', limit: '0', offset: 'y', created_to: 'z' })).sort()).toEqual(['created_to', 'limit', 'offset', 'status']);
  });
});

describe('bookingPage', () => {
  const results = [{ id: 'B1' }] as unknown as BookingResponse[];
  const at = { origin: 'https://api.example.com', path: '/xcover/partners/DEMO/bookings/' };
  const page = (q: Record<string, unknown>, count: number) => bookingPage({ count, results }, parseBookingListQuery(q), at);

  it('first page: no previous; next repeats the route and the filters with offset + limit', () => {
    expect(page({ status: 'CONFIRMED', limit: '10' }, 25)).toEqual({
      count: 25,
      next: 'https://api.example.com/xcover/partners/DEMO/bookings/?status=CONFIRMED&limit=10&offset=10',
      previous: null,
      results,
    });
  });

  it('middle and last pages', () => {
    expect(page({ limit: '10', offset: '10' }, 25)).toMatchObject({
      next: 'https://api.example.com/xcover/partners/DEMO/bookings/?limit=10&offset=20',
      previous: 'https://api.example.com/xcover/partners/DEMO/bookings/?limit=10&offset=0',
    });
    expect(page({ limit: '10', offset: '20' }, 25)).toMatchObject({
      next: null,
      previous: 'https://api.example.com/xcover/partners/DEMO/bookings/?limit=10&offset=10',
    });
    // an offset that is not a multiple of limit: previous stops at 0
    expect(page({ limit: '10', offset: '5' }, 25).previous).toBe('https://api.example.com/xcover/partners/DEMO/bookings/?limit=10&offset=0');
    expect(page({}, 20)).toMatchObject({ next: null, previous: null });
    expect(page({}, 0)).toMatchObject({ count: 0, next: null, previous: null });
  });

  it('encodes the filters as given', () => {
    const p = page({ partner_transaction_id: 'a b&c=d/é', created_from: '2026-11-01T10:00:00+02:00' }, 100);
    expect(p.next).toBe(
      'https://api.example.com/xcover/partners/DEMO/bookings/?partner_transaction_id=a+b%26c%3Dd%2F%C3%A9&created_from=2026-11-01T10%3A00%3A00%2B02%3A00&limit=20&offset=20',
    );
    expect(new URL(p.next ?? '').searchParams.get('partner_transaction_id')).toBe('a b&c=d/é');
  });
});
