/* The pictures of docs/ (1280×800): the console's Preview page with a rendered offer, and the offer panel on
   the example checkout page. Run only with SCREENSHOTS=1 (node test/browser/screenshots.js). */
import { join } from 'node:path';
import { book, createOffer, createPartner, partnerApi, retailBundle, retailOfferRequest, type Offer } from './support/api';
import { REPO_ROOT } from './support/app-process';
import { openConsole, useBrowser } from './support/browser';
import { startExampleSite } from './support/example-site';
import { editorText, eventually, replaceEditorText, textMatching } from './support/wait';

describe('Screenshots for docs/', () => {
  const browser = useBrowser();
  const code = 'SHOPCO';
  let key: string;
  let offer: Offer;

  beforeAll(async () => {
    key = await createPartner(retailBundle(code));
    for (let i = 0; i < 24; i++) {
      const made = await createOffer(code, key, retailOfferRequest({ customerId: `customer-${i}` }));
      if (i % 3 === 0) {
        await partnerApi(key, 'POST', `/x/partners/${code}/offers/${made.id}/confirm`, {
          quotes: [{ id: made.products[0].id }],
          policyholder: { first_name: 'Grace', last_name: 'Hopper', country: 'US', email: `customer-${i}@example.com` },
        });
      } else if (i % 3 === 1) {
        await partnerApi(key, 'POST', `/x/partners/${code}/offers/${made.id}/opt_out`, {}, [204]);
      }
    }
    await book(code, key, 'ada@example.com');
    offer = await createOffer(code, key, retailOfferRequest({ title: 'UltraBook 14', category: 'laptop', retailValue: 1299, shippingValue: 1299 }));
  });

  it('docs/console.png: the Preview page, the offer rendered by the panel', async () => {
    const page = browser.page();
    await openConsole(page, `/console/partners/${code}/preview`);
    await page.getByRole('heading', { level: 1, name: 'Preview' }).waitFor();
    const editor = page.getByRole('textbox', { name: 'Create Offer request' });
    await eventually(
      'a sample request',
      () => editorText(editor),
      (t) => t.trim() !== '',
    );
    await replaceEditorText(
      page,
      editor,
      JSON.stringify(retailOfferRequest({ title: 'UltraBook 14', category: 'laptop', retailValue: 1299, shippingValue: 1299 }), null, 2),
    );
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await textMatching(page.locator('output[aria-label="Status code"]'), /^\s*200\s*$/);
    await page.locator('offer-panel [part="product"][data-code="WARRANTY_2Y"]').waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(REPO_ROOT, 'docs/console.png') });
  });

  it('docs/offer-panel.png: the panel on the example checkout page, the warranty chosen', async () => {
    const page = browser.page();
    const example = await startExampleSite();
    try {
      example.setOffer(offer);
      await page.goto(`${example.url}/checkout.html`);
      const warranty = page.locator('offer-panel [part="product"][data-code="WARRANTY_2Y"]');
      await warranty.getByRole('radio').check();
      await page.locator('offer-panel [part="group"][data-group="shipping"]').waitFor({ state: 'visible' });
      await textMatching(page.locator('#log'), /offer-selection/);
      await page.screenshot({ path: join(REPO_ROOT, 'docs/offer-panel.png') });
    } finally {
      await example.close();
    }
  });
});
