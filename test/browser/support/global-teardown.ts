import { stopApp } from './app-process';

export default async function globalTeardown(): Promise<void> {
  const app = globalThis.browserSuiteApp;
  globalThis.browserSuiteApp = undefined;
  if (app) await stopApp(app);
}
