/* apps/offer-panel/examples served as a partner's own site would serve it: another origin (its own
   port on loopback, as the app is: Chromium lets only loopback pages reach loopback servers). */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { appUrl } from './api';
import { REPO_ROOT } from './app-process';

const EXAMPLES = join(REPO_ROOT, 'apps/offer-panel/examples');
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', css: 'text/css', js: 'text/javascript' };

export interface ExampleSite {
  readonly url: string;
  /** what sample-offer.json answers from now on */
  setOffer(offer: unknown): void;
  close(): Promise<void>;
}

/** Serves the example checkout page, its script loading the panel from the app under test, its sample offer the one given. */
export async function startExampleSite(): Promise<ExampleSite> {
  let offer: unknown = null;
  const server: Server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://localhost').pathname.slice(1);
    if (name === 'sample-offer.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(offer));
      return;
    }
    if (name === 'favicon.ico') {
      res.writeHead(204).end(); // the shop has no icon; a 404 would be logged as a console error
      return;
    }
    const type = TYPES[name.split('.').pop() ?? ''];
    if (!type || !/^[a-z-]+\.[a-z]+$/.test(name)) {
      res.writeHead(404).end();
      return;
    }
    let body = readFileSync(join(EXAMPLES, name), 'utf8');
    // the page names the API at its default address; here it is the app under test
    if (name.endsWith('.html')) body = body.replaceAll('http://localhost:3000/', `${appUrl()}/`);
    res.writeHead(200, { 'Content-Type': type }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return {
    url: `http://localhost:${address.port}`,
    setOffer: (value) => (offer = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
