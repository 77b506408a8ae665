/* Chromium through playwright-core, and what every browser test asserts at its end: no console
   error, no uncaught exception, no failed request to the app, no native dialog. */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { adminKey, appUrl } from './api';

export const VIEWPORT = { width: 1280, height: 800 };

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking'],
  });
}

/** An HTTP error answer a test provokes on purpose (the browser logs it as a console error). */
export interface ExpectedHttpError {
  status: number;
  /** part of the request URL */
  path: string;
}

export interface BrowserTest {
  /** the page of the running test (a fresh context: nothing stored from another test) */
  page(): Page;
  /** lets the running test provoke this HTTP error; any other is still a failure */
  expectHttpError(expected: ExpectedHttpError): void;
}

/**
 * Registers the hooks of a browser spec: Chromium for the file, a fresh context and page per test,
 * and after each test the assertion that the page logged no console error, threw nothing, opened
 * no native dialog and had no request to the app fail (network error or 5xx).
 */
export function useBrowser(): BrowserTest {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let current: Page | undefined;
  let problems: string[] = [];
  let expectedErrors: ExpectedHttpError[] = [];

  const isExpected = (text: string, url: string) =>
    expectedErrors.some((e) => url.includes(e.path) && text.startsWith(`Failed to load resource: the server responded with a status of ${e.status} `));

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    if (!browser) throw new Error('no browser');
    problems = [];
    expectedErrors = [];
    context = await browser.newContext({ viewport: VIEWPORT });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const origin = appUrl();
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const url = message.location().url;
      if (!isExpected(message.text(), url)) problems.push(`console error: ${message.text()}${url ? ` (${url})` : ''}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.stack ?? error.message}`));
    page.on('requestfailed', (request) => {
      if (request.url().startsWith(origin)) problems.push(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText ?? '?'}`);
    });
    page.on('response', (response) => {
      if (response.url().startsWith(origin) && response.status() >= 500)
        problems.push(`server error: ${response.status()} ${response.request().method()} ${response.url()}`);
    });
    // the console asks in the page: a native dialog (alert, confirm) is a failure, dismissed so the test goes on
    page.on('dialog', (dialog) => {
      problems.push(`native dialog: ${dialog.type()} ${dialog.message()}`);
      void dialog.dismiss();
    });
    current = page;
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    current = undefined;
    expect(problems).toEqual([]);
  });

  return {
    page: () => {
      if (!current) throw new Error('no page: call page() inside a test');
      return current;
    },
    expectHttpError: (expected) => expectedErrors.push(expected),
  };
}

/** Opens the console and signs in with the admin key (typed, as a person would); resolves on the Partners page. */
export async function signIn(page: Page, path = '/console'): Promise<void> {
  await page.goto(`${appUrl()}${path}`);
  await page.getByLabel('Admin key').fill(adminKey());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Partners' }).waitFor();
}

/** Goes to a console page by its URL, signed in (sessionStorage keeps the key within the tab). */
export async function openConsole(page: Page, path: string): Promise<void> {
  await signIn(page);
  // the Partners page's own requests end before the next page load (else they would be aborted)
  await page.waitForLoadState('networkidle');
  await page.goto(`${appUrl()}${path}`);
}
