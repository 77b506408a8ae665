import type { EntityManager } from 'typeorm';
import { RowNotChangedError, type TransactionRunner } from '@app/database';
import type { IdempotencyService } from '../idempotency.service';
import type { BookableQuote, NewBooking } from './booking-builder';
import { BookingHooks } from './booking-hooks';
import { BOOKING_ID_PATTERN } from './booking-id';
import type { BookingsRepository, OfferForBooking, OfferState } from './bookings.repository';
import { BookingsService } from './bookings.service';
import type { ConfirmOfferCommand } from './bookings.types';

const NOW = new Date('2026-11-25T10:00:00Z');
const UNIQUE = new Error('unique violation');

function offer(over: Partial<OfferForBooking> = {}): OfferForBooking {
  return {
    id: 'o1',
    partnerId: 'p1',
    offerConfigId: 'cfg',
    status: 'OFFERED',
    bookingId: null,
    expiresAt: new Date(NOW.getTime() + 3_600_000),
    currency: 'USD',
    partnerTransactionId: null,
    request: { customer: { language: 'en', country: 'US' } },
    response: { product_rules: [] },
    ...over,
  };
}

const quote: BookableQuote = {
  id: 'q1',
  productCode: 'P',
  productName: 'P',
  currency: 'USD',
  premiumMinor: 900,
  taxMinor: 100,
  priceMinor: 1000,
  policyStart: NOW,
  policyEnd: null,
  pdsUrl: null,
};

const cmd: ConfirmOfferCommand = {
  caller: { keyId: 'k1', partnerId: 'p1', partnerCode: 'P', mode: 'live' },
  offerId: 'o1',
  body: { quotes: [{ id: 'q1' }], policyholder: { first_name: 'A', last_name: 'B', country: 'US' } },
};

function service(
  repo: Partial<Record<keyof BookingsRepository, unknown>>,
  tx = { run: <T>(work: (m: EntityManager) => Promise<T>) => work({} as EntityManager) } as unknown as TransactionRunner,
) {
  const full = {
    findOffer: async () => offer(),
    findQuotes: async () => [quote],
    confirmOffer: async () => undefined,
    confirmsAtOnce: false,
    offerState: async () => null,
    isUniqueViolation: (e: unknown) => e === UNIQUE,
    ...repo,
  };
  return new BookingsService(full as unknown as BookingsRepository, tx, { now: () => NOW }, {} as IdempotencyService, new BookingHooks());
}

describe('BookingsService.confirm', () => {
  it('retries with a fresh booking id when a unique constraint refuses the first', async () => {
    const ids: string[] = [];
    const svc = service({
      confirmOffer: async (c: { booking: NewBooking }) => {
        ids.push(c.booking.id);
        if (ids.length === 1) throw UNIQUE;
      },
    });
    const res = await svc.confirm(cmd);
    expect(res.status).toBe(200);
    expect(ids).toHaveLength(2);
    expect(res.body.id).toBe(ids[1]);
    expect(res.body.id).toMatch(BOOKING_ID_PATTERN);
    expect(res.body.total_price).toBe(10);
  });

  it('answers booking_already_exists when the unique constraint reveals another booking', async () => {
    let reads = 0;
    const svc = service({
      findOffer: async () => (++reads === 1 ? offer() : offer({ status: 'CONFIRMED', bookingId: 'AAAAA-BBBBB-INS' })),
      confirmOffer: async () => {
        throw UNIQUE;
      },
    });
    await expect(svc.confirm(cmd)).rejects.toMatchObject({ code: 'booking_already_exists', extra: { booking_id: 'AAAAA-BBBBB-INS' } });
  });

  it.each<[string, OfferState | null, string]>([
    ['booked meanwhile', { status: 'CONFIRMED', bookingId: 'AAAAA-BBBBB-INS', expiresAt: new Date(NOW.getTime() + 1000) }, 'booking_already_exists'],
    ['expired meanwhile', { status: 'OFFERED', bookingId: null, expiresAt: NOW }, 'offer_expired'],
    ['gone', null, 'offer_not_found'],
  ])('when the conditional update matches nothing (%s) the state read in the transaction decides', async (_n, state, code) => {
    const read: unknown[][] = [];
    const svc = service({
      confirmOffer: async () => {
        throw new RowNotChangedError('UPDATE "offers" …');
      },
      offerState: async (...args: unknown[]) => {
        read.push(args);
        return state;
      },
    });
    await expect(svc.confirm(cmd)).rejects.toMatchObject({ code });
    // read once, outside the confirm's transaction (which wrote nothing)
    expect(read).toEqual([['p1', 'o1']]);
  });

  it.each([
    ['PostgreSQL without an idempotency record: one statement, no transaction', true, 0, [undefined]],
    ['SQLite: in a transaction of the runner', false, 1, ['tx-manager']],
  ])('%s', async (_n, atOnce, transactions, managers) => {
    const seen: unknown[] = [];
    let runs = 0;
    const tx = {
      run: <T>(work: (m: EntityManager) => Promise<T>) => {
        runs++;
        return work('tx-manager' as unknown as EntityManager);
      },
    } as unknown as TransactionRunner;
    const svc = service(
      {
        confirmsAtOnce: atOnce,
        confirmOffer: async (_c: unknown, m?: unknown) => {
          seen.push(m);
        },
      },
      tx,
    );
    expect((await svc.confirm(cmd)).status).toBe(200);
    expect(runs).toBe(transactions);
    expect(seen).toEqual(managers);
  });

  it('does not retry other database errors', async () => {
    let calls = 0;
    const svc = service({
      confirmOffer: async () => {
        calls++;
        throw new Error('disk full');
      },
    });
    await expect(svc.confirm(cmd)).rejects.toThrow('disk full');
    expect(calls).toBe(1);
  });
});
