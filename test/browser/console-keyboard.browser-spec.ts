/* The console with the keyboard alone: Tab to move, typing, Enter to act (no click anywhere). */
import { adminKey, appUrl, createPartner, retailBundle, uniqueCode } from './support/api';
import { useBrowser } from './support/browser';
import { editorText, eventually, tabTo } from './support/wait';

describe('Console: keyboard only', () => {
  const browser = useBrowser();

  it("signs in, goes to Partners, opens a partner's Bundle page and saves it", async () => {
    const page = browser.page();
    const code = uniqueCode('KBD');
    await createPartner(retailBundle(code));
    await page.goto(`${appUrl()}/console`);

    await tabTo(page, page.getByLabel('Admin key'));
    await page.keyboard.type(adminKey());
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Partners' }).waitFor();

    const nav = page.getByRole('navigation', { name: 'Main' });
    await tabTo(page, nav.getByRole('link', { name: 'Partners', exact: true }));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${appUrl()}/console/partners`);

    const partnerLink = page.getByRole('link', { name: code, exact: true });
    await partnerLink.waitFor();
    await tabTo(page, partnerLink);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: `Bundle of ${code}` }).waitFor();
    await eventually(
      'the bundle in the editor',
      () => editorText(page.getByRole('textbox', { name: 'Bundle JSON' })),
      (t) => t.includes(code),
    );

    await tabTo(page, page.getByRole('button', { name: 'Save', exact: true }));
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: /Saved version 2\b/ })
      .waitFor();
  });
});
