import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeRequestError, sendWebhook, WebhookAttempt } from './webhook-sender';

/** What a test server saw of one request. */
interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Server = http.Server | https.Server;

const servers: Server[] = [];

async function listen<S extends Server>(server: S): Promise<{ server: S; port: number }> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** An HTTP server on 127.0.0.1 recording every request, answering with `answer`. */
async function recordingServer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ port: number; received: Received[] }> {
  const received: Received[] = [];
  const { port } = await listen(
    http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        answer(req, res);
      });
    }),
  );
  return { port, received };
}

/** `p`, or a rejection naming `what` if it has not settled within `ms` (sockets: real time) */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function attempt(url: string, overrides: Partial<WebhookAttempt> = {}): WebhookAttempt {
  return {
    url: new URL(url),
    address: '127.0.0.1',
    family: 4,
    headers: {},
    body: '{"type":"booking.confirmed"}',
    timeoutMs: 2000,
    userAgent: 'Offers-Webhooks/1.0',
    ...overrides,
  };
}

afterEach(async () => {
  const open = servers.splice(0);
  await Promise.all(
    open.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

describe('sendWebhook', () => {
  it('POSTs the body and headers and counts a 200 as delivered', async () => {
    const { port, received } = await recordingServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('thanks');
    });
    const body = JSON.stringify({ type: 'booking.confirmed', data: { name: 'Zoë ✓' } });

    const result = await sendWebhook(
      attempt(`http://127.0.0.1:${port}/hooks/in?token=abc`, {
        body,
        headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,sig' },
      }),
    );

    expect(result).toEqual({
      statusCode: 200,
      error: null,
      delivered: true,
      durationMs: expect.any(Number),
      responseSnippet: 'thanks',
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/in?token=abc');
    expect(request.body).toBe(body);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(request.headers['user-agent']).toBe('Offers-Webhooks/1.0');
    expect(request.headers['host']).toBe(`127.0.0.1:${port}`);
    expect(request.headers['webhook-id']).toBe('msg_1');
    expect(request.headers['webhook-timestamp']).toBe('1700000000');
    expect(request.headers['webhook-signature']).toBe('v1,sig');
    expect(request.headers['connection']).toBe('close'); // no keep-alive agent
  });

  it('does not let the given headers override Content-Type, Content-Length, User-Agent or Host', async () => {
    const { port, received } = await recordingServer((_req, res) => res.end());
    const result = await sendWebhook(
      attempt(`http://127.0.0.1:${port}/`, {
        body: '{}',
        headers: {
          'content-type': 'text/plain',
          'content-length': '999',
          'user-agent': 'evil',
          host: 'elsewhere.example',
        },
      }),
    );
    expect(result.delivered).toBe(true);
    expect(result.responseSnippet).toBeNull(); // empty answer body
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].headers['content-length']).toBe('2');
    expect(received[0].headers['user-agent']).toBe('Offers-Webhooks/1.0');
    expect(received[0].headers['host']).toBe(`127.0.0.1:${port}`);
    expect(received[0].body).toBe('{}');
  });

  it('counts every 2xx as delivered', async () => {
    const { port } = await recordingServer((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const result = await sendWebhook(attempt(`http://127.0.0.1:${port}/`));
    expect(result).toMatchObject({ statusCode: 204, delivered: true, error: null });
  });

  it('reports a 500 as not delivered, with the start of the answer body', async () => {
    const { port } = await recordingServer((_req, res) => {
      res.writeHead(500);
      res.end('internal error: database down');
    });
    const result = await sendWebhook(attempt(`http://127.0.0.1:${port}/`));
    expect(result).toMatchObject({
      statusCode: 500,
      delivered: false,
      error: 'HTTP 500',
      responseSnippet: 'internal error: database down',
    });
  });

  it('reports a 410 with its status code (the caller disables the endpoint)', async () => {
    const { port } = await recordingServer((_req, res) => {
      res.writeHead(410);
      res.end();
    });
    const result = await sendWebhook(attempt(`http://127.0.0.1:${port}/`));
    expect(result).toMatchObject({ statusCode: 410, delivered: false, error: 'HTTP 410' });
  });

  it('does not follow a redirect', async () => {
    const target = await recordingServer((_req, res) => res.end('should not be reached'));
    const { port, received } = await recordingServer((_req, res) => {
      res.writeHead(301, { Location: `http://127.0.0.1:${target.port}/elsewhere` });
      res.end();
    });
    const result = await sendWebhook(attempt(`http://127.0.0.1:${port}/`));
    expect(result).toMatchObject({ statusCode: 301, delivered: false, error: 'redirect (301) not followed' });
    expect(received).toHaveLength(1);
    // Give a followed redirect every chance to show up: a request that never comes cannot be
    // polled for, so a short real wait (the sender is plain sockets, no clock of ours).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(target.received).toHaveLength(0);
  });

  it('gives up after the timeout when the receiver never answers', async () => {
    const sockets: unknown[] = [];
    const { port } = await listen(
      http.createServer(() => {
        // Never answers.
      }),
    );
    servers[servers.length - 1].on('connection', (socket) => sockets.push(socket));

    const started = performance.now();
    const result = await sendWebhook(attempt(`http://127.0.0.1:${port}/`, { timeoutMs: 200 }));
    const elapsed = performance.now() - started;

    expect(result).toMatchObject({ statusCode: null, delivered: false, error: 'timeout after 200 ms', responseSnippet: null });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(200 + 500);
    expect(result.durationMs).toBeGreaterThanOrEqual(190);
    expect(sockets).toHaveLength(1);
  });

  it('destroys the socket on timeout', async () => {
    const { port } = await listen(http.createServer(() => undefined));
    const closed = new Promise<void>((resolve) => servers[servers.length - 1].on('connection', (socket) => socket.on('close', () => resolve())));

    await sendWebhook(attempt(`http://127.0.0.1:${port}/`, { timeoutMs: 100 }));
    // the server's end closes once the sender has destroyed its own; left open, it never would
    await expect(within(closed, 2000, 'the connection to close')).resolves.toBeUndefined();
  });

  it('counts a 200 as delivered when the answer body never finishes, ending at the timeout', async () => {
    const { port } = await recordingServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
      // ...and never ends.
    });
    const started = performance.now();
    const result = await sendWebhook(attempt(`http://127.0.0.1:${port}/`, { timeoutMs: 200 }));
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ statusCode: 200, delivered: true, error: null, responseSnippet: 'partial' });
    expect(elapsed).toBeLessThan(200 + 500);
  });

  it('stops reading an endless answer body after maxResponseBytes', async () => {
    let written = 0;
    const { port } = await recordingServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.on('error', () => undefined);
      const chunk = Buffer.alloc(1024, 'x');
      const pump = (): void => {
        while (!res.destroyed && !res.writableEnded) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });

    const started = performance.now();
    const result = await sendWebhook(attempt(`http://127.0.0.1:${port}/`, { timeoutMs: 5000, maxResponseBytes: 4096 }));
    const elapsed = performance.now() - started;

    expect(result).toMatchObject({ statusCode: 200, delivered: true, error: null });
    expect(result.responseSnippet).toBe('x'.repeat(500));
    expect(elapsed).toBeLessThan(2000); // ended by the size limit, not by the timeout
    expect(written).toBeGreaterThan(4096);
  });

  it('reports an endless non-2xx answer as too large', async () => {
    const { port } = await recordingServer((_req, res) => {
      res.writeHead(503);
      res.on('error', () => undefined);
      const timer = setInterval(() => {
        if (res.destroyed) clearInterval(timer);
        else res.write(Buffer.alloc(1024, 'y'));
      }, 5);
      res.on('close', () => clearInterval(timer));
    });
    const result = await sendWebhook(attempt(`http://127.0.0.1:${port}/`, { timeoutMs: 5000, maxResponseBytes: 2048 }));
    expect(result).toMatchObject({
      statusCode: 503,
      delivered: false,
      error: 'HTTP 503 (answer larger than 2048 bytes, not read further)',
    });
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('keeps at most 500 characters of the answer as the snippet', async () => {
    const { port } = await recordingServer((_req, res) => {
      res.writeHead(400);
      res.end('é'.repeat(2000));
    });
    const result = await sendWebhook(attempt(`http://127.0.0.1:${port}/`));
    expect(result.statusCode).toBe(400);
    expect(result.responseSnippet).toBe('é'.repeat(500));
  });

  it('reports a refused connection, without the URL query', async () => {
    const { server, port } = await listen(http.createServer());
    await new Promise<void>((resolve) => server.close(() => resolve()));
    servers.pop();

    const result = await sendWebhook(attempt(`http://127.0.0.1:${port}/in?token=s3cr3t`));
    expect(result).toMatchObject({ statusCode: null, delivered: false, error: 'connection refused', responseSnippet: null });
    expect(result.error).not.toContain('s3cr3t');
  });

  it('connects to the given address, not to what the host name resolves to', async () => {
    const { port, received } = await recordingServer((_req, res) => res.end('ok'));
    // example.invalid never resolves (RFC 6761): only the given address can have been used.
    const result = await sendWebhook(attempt(`http://example.invalid:${port}/path?x=1`, { address: '127.0.0.1' }));
    expect(result).toMatchObject({ statusCode: 200, delivered: true, error: null });
    expect(received).toHaveLength(1);
    expect(received[0].headers['host']).toBe(`example.invalid:${port}`);
    expect(received[0].url).toBe('/path?x=1');
  });

  it('connects to an IPv6 address', async () => {
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      received.push(String(req.headers['host']));
      res.end();
    });
    servers.push(server);
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(0, '::1', () => resolve(true));
    });
    if (!listening) {
      // No IPv6 loopback in this environment (some containers): nothing to test against.
      servers.pop();
      return;
    }
    const port = (server.address() as AddressInfo).port;
    const result = await sendWebhook(attempt(`http://hooks.example.invalid:${port}/`, { address: '::1', family: 6 }));
    expect(result).toMatchObject({ statusCode: 200, delivered: true });
    expect(received).toEqual([`hooks.example.invalid:${port}`]);
  });

  it('refuses a scheme other than http(s) and a target that is not an IP address, without throwing', async () => {
    await expect(sendWebhook(attempt('ftp://127.0.0.1/x'))).resolves.toMatchObject({
      delivered: false,
      statusCode: null,
      error: 'unsupported URL scheme "ftp"',
    });
    await expect(sendWebhook(attempt('http://127.0.0.1:9/x', { address: 'example.invalid' }))).resolves.toMatchObject({
      delivered: false,
      error: 'invalid target address',
    });
  });

  it('turns an invalid header value into a result instead of throwing', async () => {
    const { port, received } = await recordingServer((_req, res) => res.end());
    const result = await sendWebhook(attempt(`http://127.0.0.1:${port}/`, { headers: { 'webhook-id': 'bad\r\nInjected: yes' } }));
    expect(result).toMatchObject({ delivered: false, statusCode: null, error: 'invalid request (ERR_INVALID_CHAR)' });
    expect(received).toHaveLength(0);
  });

  describe('https', () => {
    // node:crypto cannot issue X.509 certificates, so the self-signed certificate comes from the
    // openssl binary. Where it is missing these tests are skipped (they need a TLS server).
    const hasOpenssl = (() => {
      try {
        execFileSync('openssl', ['version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    const itWithOpenssl = hasOpenssl ? it : it.skip;

    let dir: string;
    let key: Buffer;
    let cert: Buffer;

    beforeAll(() => {
      if (!hasOpenssl) return;
      dir = mkdtempSync(join(tmpdir(), 'webhook-sender-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-sha256',
          '-days',
          '1',
          '-subj',
          '/CN=hooks.example.invalid',
          '-addext',
          'subjectAltName=DNS:hooks.example.invalid',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      key = readFileSync(join(dir, 'key.pem'));
      cert = readFileSync(join(dir, 'cert.pem'));
    });

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    itWithOpenssl('refuses a self-signed certificate (verification stays on), sending SNI for the host name', async () => {
      const sni: string[] = [];
      let requests = 0;
      const { port } = await listen(
        https.createServer(
          {
            key,
            cert,
            SNICallback: (servername, callback) => {
              sni.push(servername);
              callback(null, undefined);
            },
          },
          (_req, res) => {
            requests += 1;
            res.end('ok');
          },
        ),
      );
      servers[servers.length - 1].on('tlsClientError', () => undefined);

      const result = await sendWebhook(attempt(`https://hooks.example.invalid:${port}/in?token=s3cr3t`, { address: '127.0.0.1' }));
      expect(result).toMatchObject({
        statusCode: null,
        delivered: false,
        error: 'TLS error: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
      });
      expect(result.error).not.toContain('s3cr3t');
      expect(sni).toEqual(['hooks.example.invalid']);
      expect(requests).toBe(0);
    });
  });
});

describe('describeRequestError', () => {
  it('names common failures by their code only', () => {
    const withCode = (code: string) => Object.assign(new Error(`failed https://x/?token=secret`), { code });
    expect(describeRequestError(withCode('ECONNREFUSED'))).toBe('connection refused');
    expect(describeRequestError(withCode('ECONNRESET'))).toBe('connection reset');
    expect(describeRequestError(withCode('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe(
      'TLS error: certificate does not match the host name (ERR_TLS_CERT_ALTNAME_INVALID)',
    );
    expect(describeRequestError(withCode('ERR_SSL_WRONG_VERSION_NUMBER'))).toBe('TLS error (ERR_SSL_WRONG_VERSION_NUMBER)');
    expect(describeRequestError(withCode('HPE_INVALID_CONSTANT'))).toBe('invalid HTTP response (HPE_INVALID_CONSTANT)');
    expect(describeRequestError(withCode('EWHATEVER'))).toBe('connection error (EWHATEVER)');
    expect(describeRequestError(new Error('no code, https://x/?token=secret'))).toBe('request failed');
    expect(describeRequestError(withCode('not a code; token=secret'))).toBe('request failed');
  });
});
