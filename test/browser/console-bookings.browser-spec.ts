/* Bookings: found by policyholder e-mail (or id, or transaction id), opened, and cancelled from
   the page: the preview with its refund, then the confirmation; the API agrees afterwards. */
import { book, createPartner, partnerApi, retailBundle, uniqueCode, type Booking } from './support/api';
import { openConsole, useBrowser } from './support/browser';
import { eventually, literally, textMatching } from './support/wait';

describe('Console: bookings', () => {
  const browser = useBrowser();
  let code: string;
  let key: string;

  beforeAll(async () => {
    code = uniqueCode('BKG');
    key = await createPartner(retailBundle(code));
  });

  it('searches by e-mail, opens the booking and cancels it (Cancel booking → Confirm cancellation)', async () => {
    const page = browser.page();
    const email = `grace.${code.toLowerCase()}@example.com`;
    const booking = await book(code, key, email, ['WARRANTY_2Y', 'SHIPPING']);
    await book(code, key, `someone-else.${code.toLowerCase()}@example.com`);

    await openConsole(page, `/console/partners/${code}/bookings`);
    await page.getByRole('heading', { level: 1, name: 'Bookings' }).waitFor();
    // e-mails match whatever their case
    await page.getByLabel('Search bookings').fill(email.toUpperCase());
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === email.toUpperCase());
    const link = page.getByRole('link', { name: booking.id, exact: true });
    await link.waitFor();
    await eventually(
      'one result',
      () => page.locator('table tbody tr').count(),
      (n) => n === 1,
    );

    await link.click();
    await page.waitForURL(`**/console/partners/${code}/bookings/${booking.id}`);
    await page.getByRole('heading', { level: 1, name: `Booking ${booking.id}` }).waitFor();
    const status = page.locator('[data-field="status"]');
    await textMatching(status, /CONFIRMED/);
    for (const quote of booking.quotes) await textMatching(page.locator('main'), literally(quote.price_formatted));
    const events = page.locator('xpath=//h2[normalize-space()="Events"]/following::*[self::ul or self::ol][1]/li');
    await page.getByRole('heading', { level: 2, name: 'Events' }).waitFor();
    const eventsBefore = await eventually(
      'the booking.created event',
      () => events.count(),
      (n) => n >= 1,
    );

    await page.getByRole('button', { name: 'Cancel booking' }).click();
    // the preview: a refund per quote and the total (within the cooling-off period: the whole price)
    await textMatching(page.locator('main'), literally(booking.total_price_formatted));
    await page.getByRole('button', { name: 'Confirm cancellation' }).click();
    await textMatching(status, /CANCELLED/);
    await eventually(
      'a booking.cancelled event listed',
      () => events.count(),
      (n) => n > eventsBefore,
    );

    const read = await partnerApi<Booking>(key, 'GET', `/x/partners/${code}/bookings/${booking.id}`);
    expect(read.status).toBe('CANCELLED');
    expect(read.quotes.map((q) => q.status)).toEqual(['CANCELLED', 'CANCELLED']);
  });

  it('finds a booking by its id and another by its partner transaction id', async () => {
    const page = browser.page();
    const byId = await book(code, key, `ada.${code.toLowerCase()}@example.com`);
    const transactionId = uniqueCode('ORDER-');
    const byTransaction = await book(code, key, `alan.${code.toLowerCase()}@example.com`, ['WARRANTY_2Y'], { transactionId });

    await openConsole(page, `/console/partners/${code}/bookings?q=${encodeURIComponent(byId.id)}`);
    await page.getByRole('link', { name: byId.id, exact: true }).waitFor();
    await eventually(
      'one result',
      () => page.locator('table tbody tr').count(),
      (n) => n === 1,
    );

    const search = page.getByLabel('Search bookings');
    await search.fill(transactionId);
    await search.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === transactionId);
    await page.getByRole('link', { name: byTransaction.id, exact: true }).waitFor();
    await page.getByRole('link', { name: byId.id, exact: true }).waitFor({ state: 'detached' });
    await eventually(
      'one result',
      () => page.locator('table tbody tr').count(),
      (n) => n === 1,
    );
  });
});
