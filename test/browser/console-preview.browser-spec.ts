/* Preview: a Create Offer request tried against the bundle in force or the unsaved one in the
   editor; the answer's status, the offer as <offer-panel> renders it, and the trace. */
import type { Page } from 'playwright-core';
import { createPartner, retailBundle, retailOfferRequest, uniqueCode, type Offer } from './support/api';
import { openConsole, useBrowser } from './support/browser';
import { editorText, eventually, literally, replaceEditorText, textMatching } from './support/wait';

interface PreviewAnswer {
  status: number;
  offer?: Offer;
}

/** Types `request` into the request editor, presses Preview and returns what the server answered. */
async function preview(page: Page, code: string, request: Record<string, unknown>): Promise<PreviewAnswer> {
  const editor = page.getByRole('textbox', { name: 'Create Offer request' });
  await replaceEditorText(page, editor, JSON.stringify(request, null, 2));
  const answered = page.waitForResponse((r) => r.url().includes(`/admin/partners/${code}/offers/preview`) && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  const response = await answered;
  expect(response.status()).toBe(200);
  return (await response.json()) as PreviewAnswer;
}

describe('Console: preview', () => {
  const browser = useBrowser();
  let code: string;

  beforeAll(async () => {
    code = uniqueCode('PRV');
    await createPartner(retailBundle(code));
  });

  it('shows the status Create Offer would answer, the products with their prices in <offer-panel>, and the trace', async () => {
    const page = browser.page();
    await openConsole(page, `/console/partners/${code}/preview`);
    await page.getByRole('heading', { level: 1, name: 'Preview' }).waitFor();

    // prefilled with a sample request of the partner's default schema
    const sample = await eventually(
      'a sample request',
      () => editorText(page.getByRole('textbox', { name: 'Create Offer request' })),
      (t) => t.trim() !== '',
    );
    expect(JSON.parse(sample)).toEqual(expect.objectContaining({ customer: expect.any(Object) }));

    const answer = await preview(page, code, retailOfferRequest({ retailValue: 899, shippingValue: 899 }));
    expect(answer.status).toBe(200);
    await textMatching(page.locator('output[aria-label="Status code"]'), /^\s*200\s*$/);

    const offer = answer.offer as Offer;
    const panel = page.locator('offer-panel');
    for (const product of offer.products) {
      const shown = panel.locator(`[part="product"][data-code="${product.code}"]`);
      await textMatching(shown, literally(product.details.finance.price.total_amount_formatted));
    }
    await textMatching(panel.locator('[part="product"][data-code="WARRANTY_2Y"]'), /2 year extended warranty|2 years of extra cover/);

    const trace = page
      .locator('section, div')
      .filter({ has: page.getByRole('heading', { level: 2, name: 'Trace' }) })
      .last();
    await textMatching(trace, /retail-warranty/);
    await textMatching(trace, /WARRANTY_2Y/);
  });

  it('a request no config answers: its status (404) and no offer', async () => {
    const page = browser.page();
    await openConsole(page, `/console/partners/${code}/preview`);
    await page.getByRole('heading', { level: 1, name: 'Preview' }).waitFor();
    // Britain, nothing shipped: neither config's `when` holds
    const answer = await preview(page, code, retailOfferRequest({ country: 'GB', currency: 'GBP', shippingValue: 0 }));
    expect(answer.status).toBe(404);
    await textMatching(page.locator('output[aria-label="Status code"]'), /^\s*404\s*$/);
    expect(await page.locator('offer-panel [part="product"]').count()).toBe(0);
  });

  it('"Use the unsaved bundle": the bundle in the editor prices the offer, the one in force stays', async () => {
    const page = browser.page();
    await openConsole(page, `/console/partners/${code}/bundle`);
    const bundleEditor = page.getByRole('textbox', { name: 'Bundle JSON' });
    await eventually(
      'the bundle in force in the editor',
      () => editorText(bundleEditor),
      (text) => text.includes('retail-warranty'),
    );
    const candidate = retailBundle(code);
    delete candidate.offer_configs[0].experiments;
    candidate.offer_configs[0].products[0].pricing = { premium: '42.0' };
    await replaceEditorText(page, bundleEditor, JSON.stringify(candidate, null, 2));

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Preview', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Preview' }).waitFor();
    await page.getByRole('checkbox', { name: 'Use the unsaved bundle' }).check();
    const answer = await preview(page, code, retailOfferRequest({ retailValue: 899, shippingValue: 899 }));
    expect(answer.status).toBe(200);
    await textMatching(page.locator('offer-panel [part="product"][data-code="WARRANTY_2Y"]'), /\$42\.00/);

    // without it: the bundle in force (0.12 of a phone's value, or 0.07 in the experiment's other variant)
    await page.getByRole('checkbox', { name: 'Use the unsaved bundle' }).uncheck();
    const inForce = await preview(page, code, retailOfferRequest({ retailValue: 899, shippingValue: 899 }));
    expect(['$107.88', '$62.93']).toContain(inForce.offer?.products[0].details.finance.price.total_amount_formatted);
    await textMatching(page.locator('offer-panel [part="product"][data-code="WARRANTY_2Y"]'), /\$107\.88|\$62\.93/);
  });
});
