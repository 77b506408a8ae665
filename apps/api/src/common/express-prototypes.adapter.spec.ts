import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ExpressPrototypesAdapter } from './express-prototypes.adapter';

interface Seen {
  /** prototypes as the server built them, before Express handled the request */
  built: { request: boolean; response: boolean };
  /** what the route saw */
  route: { app: boolean; query: unknown; locals: boolean; ip: string | undefined };
}

async function requestThrough(server: http.Server, app: express.Express): Promise<{ seen: Seen; status: number; body: string }> {
  let built: Seen['built'] | undefined;
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    built = { request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/probe?a=1&a=2&b=x' }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        })
        .on('error', reject);
    });
    const route = JSON.parse(body) as Seen['route'];
    return { seen: { built: built!, route }, status, body };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function probeApp(): express.Express {
  const app = express();
  app.set('query parser', 'simple');
  app.get('/probe', (req, res) => {
    res.status(201).json({ app: req.app === app, query: req.query, locals: typeof res.locals === 'object', ip: req.ip });
  });
  return app;
}

describe('ExpressPrototypesAdapter', () => {
  it("builds each request and response with the app's Express prototypes, and Express works on them as usual", async () => {
    const app = probeApp();
    const adapter = new ExpressPrototypesAdapter(app);
    adapter.initHttpServer({});
    const server = adapter.getHttpServer() as http.Server;

    const { seen, status } = await requestThrough(server, app);

    expect(seen.built).toEqual({ request: true, response: true });
    expect(status).toBe(201);
    expect(seen.route).toEqual({ app: true, query: { a: ['1', '2'], b: 'x' }, locals: true, ip: '127.0.0.1' });
  });

  it("Nest's own server (Express sets the prototypes per request) answers the same", async () => {
    const app = probeApp();
    const server = http.createServer(app);

    const { seen, status } = await requestThrough(server, app);

    expect(seen.built).toEqual({ request: false, response: false });
    expect(status).toBe(201);
    expect(seen.route).toEqual({ app: true, query: { a: ['1', '2'], b: 'x' }, locals: true, ip: '127.0.0.1' });
  });

  it('leaves HTTPS and forced connection closing to the Nest adapter', async () => {
    const tls = new ExpressPrototypesAdapter(express());
    tls.initHttpServer({ httpsOptions: {} });
    expect(tls.getHttpServer()).toBeInstanceOf(https.Server);

    const app = probeApp();
    const tracked = new ExpressPrototypesAdapter(app);
    tracked.initHttpServer({ forceCloseConnections: true });
    const { seen, status } = await requestThrough(tracked.getHttpServer(), app);
    expect(seen.built).toEqual({ request: false, response: false });
    expect(status).toBe(201);
  });
});
