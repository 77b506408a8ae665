/* Partners and their bundles: creating a partner from the Partners page and saving its bundle, and
   a bundle the server refuses, every problem shown at its path. */
import { admin, createPartner, retailBundle, uniqueCode } from './support/api';
import { openConsole, signIn, useBrowser } from './support/browser';
import { editorText, eventually, replaceEditorText, textMatching } from './support/wait';

const PREMIUM_PATH = 'offer_configs[0].products[0].pricing.premium';

describe('Console: partners and bundles', () => {
  const browser = useBrowser();

  it('creates a partner: Partner code → Create partner → the starter bundle → Save; then the retail bundle as version 2', async () => {
    const page = browser.page();
    const code = uniqueCode('NEW');
    await signIn(page);

    await page.getByRole('textbox', { name: 'Partner code' }).fill(code);
    await page.getByRole('button', { name: 'Create partner' }).click();
    await page.waitForURL(`**/console/partners/${code}/bundle`);
    await page.getByRole('heading', { level: 1, name: `Bundle of ${code}` }).waitFor();

    const editor = page.getByRole('textbox', { name: 'Bundle JSON' });
    const starter = await eventually(
      'the starter bundle naming the partner',
      () => editorText(editor),
      (text) => text.includes(`"${code}"`),
    );
    expect(JSON.parse(starter)).toMatchObject({ partner: { code } });

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Saved version 1\b/ })
      .waitFor();
    expect(await admin('GET', `/admin/partners/${code}`)).toMatchObject({ code, current_version: 1 });

    // the retail bundle, typed over the starter one
    await replaceEditorText(page, editor, JSON.stringify(retailBundle(code), null, 2));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Saved version 2\b/ })
      .waitFor();
    const stored = await admin<{ offer_configs: Array<{ id: string }> }>('GET', `/admin/partners/${code}/bundle`);
    expect(stored.offer_configs.map((c) => c.id)).toEqual(['retail-warranty', 'retail-shipping-only', 'retail-warranty-draft']);

    // its versions, newest or oldest first
    const versions = page.getByRole('table', { name: 'Versions' });
    await eventually(
      'two versions listed',
      () => versions.locator('tbody tr').count(),
      (n) => n === 2,
    );

    // listed on the Partners page, its code a link to this page
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Partners', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Partners' }).waitFor();
    const link = page.getByRole('link', { name: code, exact: true });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/console/partners/${code}/bundle`);
  });

  it.each([
    ['an unknown field in a premium', 'context.trip_cost * 5', /trip_cost/],
    ['a syntax error in a premium', 'context.item.retail_value * ((', /./],
  ])('refuses %s: the Problems list names its path, the version in force stays', async (_what, premium, message) => {
    const page = browser.page();
    const code = uniqueCode('BAD');
    await createPartner(retailBundle(code));
    browser.expectHttpError({ status: 422, path: `/admin/partners/${code}/bundle` });
    await openConsole(page, `/console/partners/${code}/bundle`);
    await page.getByRole('heading', { level: 1, name: `Bundle of ${code}` }).waitFor();
    const editor = page.getByRole('textbox', { name: 'Bundle JSON' });
    await eventually(
      'the bundle in force in the editor',
      () => editorText(editor),
      (text) => text.includes('retail-warranty'),
    );

    const bad = retailBundle(code);
    bad.offer_configs[0].products[0].pricing.premium = premium;
    await replaceEditorText(page, editor, JSON.stringify(bad, null, 2));
    await page.getByRole('button', { name: 'Save', exact: true }).click();

    const problems = page.getByRole('list', { name: 'Problems' });
    const item = problems.getByRole('listitem').filter({ hasText: PREMIUM_PATH });
    await item.waitFor();
    expect(await item.textContent()).toMatch(message);
    await textMatching(page.getByRole('alert').first(), /bundle_invalid|problem/i);
    // the same problem as a diagnostic in the editor, on the premium's line (the editor draws the lines in view: page down to it)
    const marked = page.locator('.cm-editor .cm-line').filter({ has: page.locator('.cm-lintRange-error') });
    await editor.click();
    await page.keyboard.press('ControlOrMeta+Home');
    for (let presses = 0; presses < 60 && (await marked.count()) === 0; presses++) await page.keyboard.press('PageDown');
    expect(await marked.first().textContent()).toContain('"premium"');

    expect(await admin('GET', `/admin/partners/${code}`)).toMatchObject({ current_version: 1 });
  });

  it('versions: their table, a comparison of two, and a restore', async () => {
    const page = browser.page();
    const code = uniqueCode('VER');
    await createPartner(retailBundle(code));
    const second = retailBundle(code);
    second.offer_configs[0].products[0].pricing.premium = 'context.item.retail_value * 0.1';
    await admin('PUT', `/admin/partners/${code}/bundle`, second);

    await openConsole(page, `/console/partners/${code}/bundle`);
    const versions = page.getByRole('table', { name: 'Versions' });
    await eventually(
      'two versions listed',
      () => versions.locator('tbody tr').count(),
      (n) => n === 2,
    );

    await page.getByLabel('From version').selectOption('1');
    await page.getByLabel('To version').selectOption('2');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    const differences = page.getByRole('region', { name: 'Differences' });
    await textMatching(differences, /premium/);
    await differences.locator('.cm-mergeView').waitFor();

    const first = versions.locator('tbody tr').filter({ has: page.locator('td:first-child', { hasText: /^\s*1\b/ }) });
    await first.getByRole('button', { name: 'Restore' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /version 3\b/ })
      .waitFor();
    await eventually(
      'three versions listed',
      () => versions.locator('tbody tr').count(),
      (n) => n === 3,
    );
    const inForce = await admin<{ offer_configs: Array<{ products: Array<{ pricing: { premium: string } }> }> }>('GET', `/admin/partners/${code}/bundle`);
    expect(inForce.offer_configs[0].products[0].pricing.premium).toBe(retailBundle(code).offer_configs[0].products[0].pricing.premium);
    await eventually(
      'the restored bundle in the editor',
      () => editorText(page.getByRole('textbox', { name: 'Bundle JSON' })),
      (t) => !t.includes('retail_value * 0.1"'),
    );
  });

  it('the editor checks the text against the bundle schema as it is typed, and completes its fields', async () => {
    const page = browser.page();
    const code = uniqueCode('SCH');
    await createPartner(retailBundle(code));
    await openConsole(page, `/console/partners/${code}/bundle`);
    const editor = page.getByRole('textbox', { name: 'Bundle JSON' });
    await eventually(
      'the bundle in force in the editor',
      () => editorText(editor),
      (text) => text.includes('retail-warranty'),
    );

    // a partner code that is a number: a schema problem, marked without saving
    await replaceEditorText(page, editor, `{\n  "partner": { "code": 5, "name": "Shop" },\n  "schemas": [],\n  "offer_configs": []\n}`);
    await page
      .locator('.cm-editor .cm-line')
      .filter({ has: page.locator('.cm-lintRange-error') })
      .first()
      .waitFor();

    // completion of the bundle's top-level fields
    await replaceEditorText(page, editor, '{\n  \n}');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('End');
    await page.keyboard.type('"');
    await page.keyboard.press('Control+Space');
    await textMatching(page.locator('.cm-tooltip-autocomplete'), /offer_configs/);
    await page.keyboard.press('Escape');
  });

  it('the audit log lists the saves of a partner, filtered by its code', async () => {
    const page = browser.page();
    const code = uniqueCode('AUD');
    await createPartner(retailBundle(code));
    await signIn(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    await page.getByLabel('Partner code').fill(code);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/console/audit' && url.search.includes(code));
    const rows = page.locator('table tbody tr');
    await eventually(
      'the entries of the partner',
      () => rows.count(),
      (n) => n > 0,
    );
    for (const row of await rows.all()) expect(await row.textContent()).toContain(code);
  });
});
