import { createServer, connect, type Server, type Socket } from 'node:net';

/** What a tap may do with a chunk going from the client (the app) to the server (PostgreSQL). */
export type TapAction = 'forward' | 'forward-then-hold-replies' | 'hold' | 'cut';

/** Sees each client→server chunk, with everything this connection sent before it (as latin1 text). */
export type Tap = (chunk: Buffer, sentSoFar: string) => TapAction;

interface Pair {
  client: Socket;
  server: Socket;
  sent: string;
  holdingReplies: boolean;
}

/**
 * A TCP proxy between the app and a real service, for fault tests: `close()` takes the service
 * "down" (connections cut, new ones refused), `open()` brings it back on the same port; a `tap`
 * can cut, hold or half-deliver traffic at a precise point (e.g. a COMMIT) — see TapAction.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  private tap: Tap | undefined;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens (on `port`, or a free one the first time). */
  async open(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  /** Stops listening and cuts every connection: the service is "down". */
  async close(): Promise<void> {
    this.cutAll();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Cuts every open connection (the service stays reachable for new ones). */
  cutAll(): void {
    for (const p of this.pairs) {
      p.client.destroy();
      p.server.destroy();
    }
    this.pairs.clear();
  }

  setTap(tap: Tap | undefined): void {
    this.tap = tap;
  }

  get connections(): number {
    return this.pairs.size;
  }

  private accept(client: Socket): void {
    const server = connect(this.targetPort, this.targetHost);
    const pair: Pair = { client, server, sent: '', holdingReplies: false };
    this.pairs.add(pair);
    const end = () => {
      client.destroy();
      server.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', end);
    server.on('error', end);
    client.on('close', end);
    server.on('close', end);
    server.on('data', (chunk: Buffer) => {
      if (!pair.holdingReplies) client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      pair.sent = (pair.sent + chunk.toString('latin1')).slice(-200_000);
      const action = this.tap ? this.tap(chunk, pair.sent) : 'forward';
      if (action === 'cut') {
        end();
        return;
      }
      if (action === 'hold') return; // swallowed: the server never sees it
      server.write(chunk);
      if (action === 'forward-then-hold-replies') pair.holdingReplies = true;
    });
  }
}
