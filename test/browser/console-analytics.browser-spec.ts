/* Analytics: offers, confirmations and opt-outs made through the partner API, then the period's
   table and its two charts (conversion per day, variants), drawn with data. */
import { book, createOffer, createPartner, partnerApi, retailBundle, retailOfferRequest, uniqueCode } from './support/api';
import { openConsole, useBrowser } from './support/browser';
import { eventually, textMatching } from './support/wait';

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('Console: analytics', () => {
  const browser = useBrowser();
  let code: string;

  beforeAll(async () => {
    code = uniqueCode('ANA');
    const key = await createPartner(retailBundle(code));
    // customers in both variants of the warranty-price experiment (its unit: partner.customer_id)
    for (let i = 0; i < 6; i++) await createOffer(code, key, retailOfferRequest({ customerId: `customer-${i}` }));
    const optedOut = await createOffer(code, key, retailOfferRequest({ customerId: 'customer-opt-out' }));
    await partnerApi(key, 'POST', `/x/partners/${code}/offers/${optedOut.id}/opt_out`, {}, [204]);
    await book(code, key, `analytics-${code.toLowerCase()}@example.com`);
  });

  it('shows the table per config and variant and draws both charts with data', async () => {
    const page = browser.page();
    await openConsole(page, `/console/partners/${code}/analytics`);
    await page.getByRole('heading', { level: 1, name: 'Analytics' }).waitFor();

    await page.getByLabel('From', { exact: true }).fill(day(-7));
    await page.getByLabel('To', { exact: true }).fill(day(1));
    await page.getByRole('button', { name: 'Show', exact: true }).click();

    const table = page.getByRole('table').filter({ hasText: 'retail-warranty' }).first();
    await textMatching(table, /retail-warranty/);
    await textMatching(table, /control/);

    for (const chart of ['conversion-per-day', 'variants']) {
      const figure = page.locator(`figure[data-chart="${chart}"]`);
      const points = await eventually(
        `data points drawn on ${chart}`,
        async () => Number(await figure.getAttribute('data-points', { timeout: 1000 })),
        (n) => n > 0,
      );
      expect(points).toBeGreaterThan(0);
      expect((await figure.locator('figcaption').textContent())?.trim()).not.toBe('');
      await figure.locator('canvas').first().waitFor();
      const box = await figure.locator('canvas').first().boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(50);
      expect(box?.height ?? 0).toBeGreaterThan(50);
    }
  });
});
