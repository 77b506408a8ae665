/* <offer-panel> alone on a page of another origin, as a partner's checkout embeds it: one module
   from the app (CORS), the offer set as a property, the product rules applied as the customer
   chooses, and the events the partner's page listens to. */
import type { Page } from 'playwright-core';
import { appUrl, createOffer, createPartner, productOf, retailBundle, retailOfferRequest, uniqueCode, type Bundle, type Offer } from './support/api';
import { useBrowser } from './support/browser';
import { startExampleSite, type ExampleSite } from './support/example-site';
import { eventually, literally, tabTo, textMatching } from './support/wait';

interface PanelEvent {
  type: 'offer-selection' | 'offer-decline';
  detail: { offer_id: string; quotes?: Array<{ id: string }> };
}

declare global {
  interface Window {
    panelEvents: PanelEvent[];
  }
}

/** A plain page (about:blank) loading the panel from the app, showing `offer`, recording the panel's events. */
async function mountPanel(page: Page, offer: Offer): Promise<void> {
  await page.setContent(
    `<!doctype html><html lang="en"><head><title>Checkout</title><script type="module" src="${appUrl()}/offer-panel.js"></script></head>` +
      '<body><main><h1>Checkout</h1><offer-panel id="panel"></offer-panel></main></body></html>',
  );
  await page.evaluate(async (value) => {
    await customElements.whenDefined('offer-panel');
    const panel = document.getElementById('panel') as HTMLElement & { offer: unknown };
    window.panelEvents = [];
    for (const type of ['offer-selection', 'offer-decline'] as const) {
      document.addEventListener(type, (event) => window.panelEvents.push({ type, detail: (event as CustomEvent<PanelEvent['detail']>).detail }));
    }
    panel.offer = value;
  }, offer);
  await page.locator('offer-panel [part="product"]').first().waitFor({ state: 'attached' });
}

/** Waits for the panel's `n`th event (1-based) and returns it. */
async function nthEvent(page: Page, n: number): Promise<PanelEvent> {
  const events = await eventually(
    `event #${n} of the panel`,
    () => page.evaluate(() => window.panelEvents),
    (list) => list.length >= n,
  );
  return events[n - 1];
}

async function eventCount(page: Page): Promise<number> {
  return page.evaluate(() => window.panelEvents.length);
}

const ids = (event: PanelEvent) => (event.detail.quotes ?? []).map((q) => q.id).sort();

/** The retail bundle with a choice of two warranties (a single choice the customer must make) and two add-ons (several). */
function choiceBundle(code: string): Bundle {
  const bundle = retailBundle(code);
  const config = bundle.offer_configs[0];
  delete config.experiments;
  const [warranty, shipping] = config.products;
  config.products = [
    warranty,
    { ...warranty, code: 'WARRANTY_3Y', name: '3 year extended warranty', pricing: { premium: 'context.item.retail_value * 0.15' } },
    shipping,
    { code: 'THEFT', type: 'xcover-product', name: 'Theft cover', pricing: { premium: '19.0' }, pds_url: 'https://example.com/pds/theft.pdf' },
  ];
  config.product_rules = [
    { slug: 'warranty', products: ['WARRANTY_2Y', 'WARRANTY_3Y'], initial_state: 'show', min_select: 1, max_select: 1, events: [] },
    { slug: 'extras', products: ['SHIPPING', 'THEFT'], initial_state: 'show', min_select: 0, max_select: 2, events: [] },
  ];
  delete config.content;
  return bundle;
}

describe('<offer-panel> in a page of another origin', () => {
  const browser = useBrowser();
  let retail: { code: string; key: string };
  let choice: { code: string; key: string };
  let example: ExampleSite;

  beforeAll(async () => {
    retail = { code: uniqueCode('PNL'), key: '' };
    retail.key = await createPartner(retailBundle(retail.code));
    choice = { code: uniqueCode('CHO'), key: '' };
    choice.key = await createPartner(choiceBundle(choice.code));
    example = await startExampleSite();
  });
  afterAll(async () => example?.close());

  it('is served as a cross-origin module with a long cache lifetime', async () => {
    const res = await fetch(`${appUrl()}/offer-panel.js`, { headers: { Origin: 'https://shop.example.com' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript\b/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy') ?? 'cross-origin').toBe('cross-origin');
    const cache = res.headers.get('cache-control') ?? '';
    expect(Number(/max-age=(\d+)/.exec(cache)?.[1] ?? 0) >= 3600 || res.headers.get('etag') !== null).toBe(true);
  });

  it('the retail offer: content and prices shown, a single choice in a max_select 1 group, shipping shown once the warranty is chosen, No thanks', async () => {
    const page = browser.page();
    const appRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(appUrl())) appRequests.push(new URL(r.url()).pathname);
    });
    const offer = await createOffer(retail.code, retail.key, retailOfferRequest({ retailValue: 899, shippingValue: 899 }));
    expect(offer.offer_config_id).toBe('retail-warranty');
    const warranty = productOf(offer, 'WARRANTY_2Y');
    const shipping = productOf(offer, 'SHIPPING');
    await mountPanel(page, offer);

    const panel = page.locator('offer-panel');
    await textMatching(panel, /Protect your Pixel phone/);
    await textMatching(panel, /Cover is provided by Example Insurance Ltd\./);
    const warrantyCard = panel.locator('[part="product"][data-code="WARRANTY_2Y"]');
    await textMatching(warrantyCard, literally(warranty.details.finance.price.total_amount_formatted));
    await textMatching(warrantyCard, /Loss or theft/);
    expect(await warrantyCard.locator('a[href="https://example.com/pds/warranty-2y.pdf"]').count()).toBeGreaterThan(0);

    // the warranty group (max_select 1): a radio whose label holds the product name
    const warrantyControl = warrantyCard.getByRole('radio', { name: /2 year extended warranty/ });
    await warrantyControl.waitFor();
    // the shipping group starts hidden
    const shippingGroup = panel.locator('[part="group"][data-group="shipping"]');
    expect(await shippingGroup.getAttribute('hidden')).not.toBeNull();
    expect(await shippingGroup.isVisible()).toBe(false);

    await warrantyControl.check();
    const first = await nthEvent(page, 1);
    expect(first).toEqual({ type: 'offer-selection', detail: { offer_id: offer.id, quotes: [{ id: warranty.id }] } });
    // `select` of the warranty shows the shipping group
    await shippingGroup.waitFor({ state: 'visible' });
    expect(await shippingGroup.getAttribute('hidden')).toBeNull();
    await textMatching(shippingGroup, literally(shipping.details.finance.price.total_amount_formatted));

    await shippingGroup
      .locator('[part="product"][data-code="SHIPPING"]')
      .getByRole('radio', { name: /Shipping protection/ })
      .check();
    const second = await nthEvent(page, 2);
    expect(second.type).toBe('offer-selection');
    expect(ids(second)).toEqual([warranty.id, shipping.id].sort());

    await panel.getByRole('button', { name: 'No thanks' }).click();
    const declined = await eventually(
      'offer-decline',
      () => page.evaluate(() => window.panelEvents),
      (list) => list.some((e) => e.type === 'offer-decline'),
    );
    expect(declined.find((e) => e.type === 'offer-decline')?.detail).toEqual({ offer_id: offer.id });

    // one module, nothing else fetched from the app
    expect(appRequests).toEqual(['/offer-panel.js']);
  });

  it('min_select and max_select: no selection is sent before the required choice; radios replace, checkboxes add', async () => {
    const page = browser.page();
    const offer = await createOffer(choice.code, choice.key, retailOfferRequest({ retailValue: 1000, shippingValue: 200 }));
    const id = (code: string) => productOf(offer, code).id;
    await mountPanel(page, offer);
    const panel = page.locator('offer-panel');
    const product = (code: string) => panel.locator(`[part="product"][data-code="${code}"]`);

    expect(await product('WARRANTY_2Y').getByRole('radio').isChecked()).toBe(false);
    expect(await product('WARRANTY_3Y').getByRole('radio').isChecked()).toBe(false);
    // the add-ons: several may be chosen (checkboxes); with no warranty chosen yet, min_select 1 is not met: nothing sent
    await product('SHIPPING')
      .getByRole('checkbox', { name: /Shipping protection/ })
      .check();
    await product('WARRANTY_2Y')
      .getByRole('radio', { name: /2 year extended warranty/ })
      .check();
    const first = await nthEvent(page, 1);
    expect(first.type).toBe('offer-selection');
    expect(ids(first)).toEqual([id('WARRANTY_2Y'), id('SHIPPING')].sort());

    // a single choice: the other warranty replaces the first
    await product('WARRANTY_3Y')
      .getByRole('radio', { name: /3 year extended warranty/ })
      .check();
    const second = await nthEvent(page, 2);
    expect(ids(second)).toEqual([id('WARRANTY_3Y'), id('SHIPPING')].sort());
    expect(await product('WARRANTY_2Y').getByRole('radio').isChecked()).toBe(false);

    // several: a second add-on joins, unchecking one leaves the other
    await product('THEFT')
      .getByRole('checkbox', { name: /Theft cover/ })
      .check();
    expect(ids(await nthEvent(page, 3))).toEqual([id('WARRANTY_3Y'), id('SHIPPING'), id('THEFT')].sort());
    await product('SHIPPING').getByRole('checkbox').uncheck();
    expect(ids(await nthEvent(page, 4))).toEqual([id('WARRANTY_3Y'), id('THEFT')].sort());
    expect(await eventCount(page)).toBe(4);
  });

  it('without product rules every product is a checkbox of its own; works with the keyboard alone', async () => {
    const page = browser.page();
    // Britain: the warranty config's `when` fails, the shipping-only config (no product rules) answers
    const offer = await createOffer(retail.code, retail.key, retailOfferRequest({ country: 'GB', currency: 'GBP', shippingValue: 120 }));
    expect(offer.offer_config_id).toBe('retail-shipping-only');
    const shipping = productOf(offer, 'SHIPPING');
    await mountPanel(page, offer);

    const control = page.locator('offer-panel [part="product"][data-code="SHIPPING"]').getByRole('checkbox', { name: /Shipping protection/ });
    await tabTo(page, control);
    await page.keyboard.press('Space');
    expect(await nthEvent(page, 1)).toEqual({ type: 'offer-selection', detail: { offer_id: offer.id, quotes: [{ id: shipping.id }] } });
    await page.keyboard.press('Space');
    expect(await nthEvent(page, 2)).toEqual({ type: 'offer-selection', detail: { offer_id: offer.id, quotes: [] } });

    await tabTo(page, page.locator('offer-panel').getByRole('button', { name: 'No thanks' }));
    await page.keyboard.press('Enter');
    expect(await nthEvent(page, 3)).toEqual({ type: 'offer-decline', detail: { offer_id: offer.id } });
  });

  it('the example checkout page (apps/offer-panel/examples) on its own origin, with a live offer', async () => {
    const page = browser.page();
    const offer = await createOffer(retail.code, retail.key, retailOfferRequest({ retailValue: 1299, category: 'laptop', shippingValue: 1299 }));
    example.setOffer(offer);
    await page.goto(`${example.url}/checkout.html`);

    const panel = page.locator('offer-panel');
    await panel.locator('[part="product"][data-code="WARRANTY_2Y"]').getByRole('radio').check();
    await textMatching(page.locator('#log'), new RegExp(`offer-selection .*${productOf(offer, 'WARRANTY_2Y').id}`));
    await page.getByRole('button', { name: 'Pay now' }).click();
    await textMatching(page.locator('#log'), /pay .*"valid":true/);
  });
});
