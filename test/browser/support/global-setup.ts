import { startApp } from './app-process';

/** One app for the whole run (each spec works on partners of its own); its address reaches the specs through the environment. */
export default async function globalSetup(): Promise<void> {
  const app = await startApp();
  globalThis.browserSuiteApp = app;
  process.env.BROWSER_SUITE_APP_URL = app.url;
  process.env.BROWSER_SUITE_ADMIN_KEY = app.adminKey;
}
