/* Every page of the console, reached through its navigation: served under a strict
   Content-Security-Policy, its heading shown, no console error on the way. */
import { admin, appUrl, createPartner, retailBundle, uniqueCode } from './support/api';
import { signIn, useBrowser } from './support/browser';
import { eventually } from './support/wait';

describe('Console: pages and their Content-Security-Policy', () => {
  const browser = useBrowser();

  it.each(['/console', '/console/partners/DEMO/bundle', '/console/audit'])('%s: index.html with a strict CSP and no inline script', async (path) => {
    const res = await fetch(`${appUrl()}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    const scriptSrc = directives.get('script-src') ?? directives.get('default-src') ?? [];
    expect(scriptSrc).toContain("'self'");
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    const html = await res.text();
    // every script is a file of the build (no inline code), under /console/
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/console\//);
      expect(body.trim()).toBe('');
    }
  });

  it('an asset path that names no file is a 404, not the entry page', async () => {
    expect((await fetch(`${appUrl()}/console/assets/no-such-file.js`)).status).toBe(404);
  });

  it('every page of a partner and the audit log, through the Main navigation', async () => {
    const page = browser.page();
    const code = uniqueCode('NAV');
    await createPartner(retailBundle(code));
    await signIn(page);
    await page.getByRole('link', { name: code, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Bundle of ${code}` }).waitFor();

    const nav = page.getByRole('navigation', { name: 'Main' });
    const pages: Array<[string, string, string]> = [
      ['Preview', `/console/partners/${code}/preview`, 'Preview'],
      ['Analytics', `/console/partners/${code}/analytics`, 'Analytics'],
      ['Bookings', `/console/partners/${code}/bookings`, 'Bookings'],
      ['Keys and webhooks', `/console/partners/${code}/keys`, 'Keys and webhooks'],
      ['Bundle', `/console/partners/${code}/bundle`, `Bundle of ${code}`],
      ['Audit', '/console/audit', 'Audit'],
      ['Partners', '/console/partners', 'Partners'],
    ];
    for (const [link, path, heading] of pages) {
      await nav.getByRole('link', { name: link, exact: true }).click();
      await page.waitForURL(`${appUrl()}${path}`);
      await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
      await page.waitForLoadState('networkidle');
    }

    // a shared link opens its page directly
    await page.goto(`${appUrl()}/console/partners/${code}/keys`);
    await page.getByRole('heading', { level: 1, name: 'Keys and webhooks' }).waitFor();
    await page.waitForLoadState('networkidle');
  });

  it('Keys and webhooks: a new key is shown once; Revoke asks in the page', async () => {
    const page = browser.page();
    const code = uniqueCode('KEY');
    await createPartner(retailBundle(code));
    await signIn(page);
    await page.waitForLoadState('networkidle');
    await page.goto(`${appUrl()}/console/partners/${code}/keys`);
    await page.getByRole('heading', { level: 1, name: 'Keys and webhooks' }).waitFor();

    await page.getByLabel('Mode').selectOption('test');
    await page.getByRole('textbox', { name: 'Key name' }).fill('checkout staging');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.locator('output[aria-label="New key"]');
    const newKey = (
      await eventually(
        'the new key',
        async () => (await shown.textContent())?.trim() ?? '',
        (t) => /ok_test_\S+/.test(t),
      )
    ).match(/ok_test_\S+/)?.[0];
    expect(newKey).toBeDefined();
    expect((await fetch(`${appUrl()}/x/partners/${code}/key`, { headers: { 'X-Api-Key': newKey as string } })).status).toBe(200);

    const row = page.getByRole('row').filter({ hasText: 'checkout staging' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    // confirmed in the page, not with window.confirm
    await row.getByRole('button', { name: /confirm/i }).click();
    await eventually(
      'the key revoked',
      async () => (await fetch(`${appUrl()}/x/partners/${code}/key`, { headers: { 'X-Api-Key': newKey as string } })).status,
      (status) => status === 401,
    );
    const keys = await admin<{ items: Array<{ name: string; revoked_at: string | null }> }>('GET', `/admin/partners/${code}/api-keys`);
    expect(keys.items.find((k) => k.name === 'checkout staging')?.revoked_at).not.toBeNull();
  });
});
