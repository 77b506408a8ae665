/* Signing in to the console: the admin key typed into a form, refused when wrong, kept in the tab
   (sessionStorage) and never in a cookie, the URL or the browser's console; signing out forgets it. */
import { adminKey, appUrl } from './support/api';
import { signIn, useBrowser } from './support/browser';

describe('Console: signing in', () => {
  const browser = useBrowser();

  it('refuses a wrong key, then signs in with the right one (Enter submits) and lands on Partners', async () => {
    const page = browser.page();
    browser.expectHttpError({ status: 401, path: '/admin/partners' });
    browser.expectHttpError({ status: 403, path: '/admin/partners' });
    const logged: string[] = [];
    page.on('console', (message) => logged.push(message.text()));
    await page.goto(`${appUrl()}/console`);

    const keyField = page.getByLabel('Admin key');
    expect(await keyField.getAttribute('type')).toBe('password');
    await keyField.fill('not-the-admin-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Admin key refused' }).waitFor();
    expect(new URL(page.url()).pathname).not.toMatch(/partners/);

    await keyField.fill(adminKey());
    await keyField.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Partners' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/partners');

    // the seeded partner is listed, its code a link to its bundle page
    const demo = page.getByRole('link', { name: 'DEMO', exact: true });
    await demo.waitFor();
    expect(await demo.getAttribute('href')).toMatch(/\/console\/partners\/DEMO\/bundle$/);

    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Partners', exact: true }).waitFor();
    await nav.getByRole('link', { name: 'Audit', exact: true }).waitFor();

    // the key: in the tab's sessionStorage, never in a cookie or the URL
    expect(page.url()).not.toContain(adminKey());
    expect(JSON.stringify(await page.context().cookies())).not.toContain(adminKey());
    const stored = await page.evaluate(() => Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k) ?? ''));
    expect(stored.some((value) => value.includes(adminKey()))).toBe(true);
    expect(logged.filter((line) => line.includes(adminKey()))).toEqual([]);
  });

  it('sends a signed-in /console to /console/partners; a reload keeps the session; Sign out forgets the key', async () => {
    const page = browser.page();
    await signIn(page);
    await page.waitForLoadState('networkidle');

    await page.goto(`${appUrl()}/console`);
    await page.waitForURL(`${appUrl()}/console/partners`);
    await page.getByRole('heading', { level: 1, name: 'Partners' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin key').waitFor();
    const stored = await page.evaluate(() => Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k) ?? ''));
    expect(stored.some((value) => value.includes(adminKey()))).toBe(false);

    // a page's URL without the key: the sign-in form, not the page
    await page.goto(`${appUrl()}/console/partners`);
    await page.getByLabel('Admin key').waitFor();
  });
});
