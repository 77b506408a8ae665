import { Injectable } from '@nestjs/common';

/**
 * A seam around confirm, outside any transaction: a no-op in the app. Tests replace
 * `beforeBooking` on the app's instance to hold a confirm in flight (idempotency 423, races).
 */
@Injectable()
export class BookingHooks {
  async beforeBooking(_offerId: string): Promise<void> {
    // nothing to do in production
  }
}
