import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type express from 'express';
import { APP_CONFIG, type AppConfig } from '@app/core';
import { WarmUpSamples, type WarmUpSample } from '@app/offers';
import { ApiKeysService, type AuthenticatedKey } from '@app/partners';
import { expressPrototypeServerOptions } from '../common/express-prototypes.adapter';
import { markRehearsal } from '../common/rehearsal';
import { ShutdownState } from './shutdown';

export interface WarmUpSummary {
  /** ms from the start of the warm-up to its end */
  ms: number;
  partners: number;
  samples: number;
  /** Create Offer rehearsals sent (none stored) */
  rehearsals: number;
  /** rehearsals answered other than 200 (a made-up sample the schema refuses still exercises validation) */
  refused: number;
  /** the cost per rehearsal settled before the time limit */
  settled: boolean;
  /** event-loop ms per rehearsal in the first round and in the last (null without rehearsals) */
  eventLoopMsPerRehearsal: { first: number; last: number } | null;
}

interface Rounds {
  rehearsals: number;
  refused: number;
  settled: boolean;
  eventLoopMsPerRehearsal: { first: number; last: number } | null;
}

/** requests in flight at once: enough to keep the event loop and every build thread busy while each waits on its database round trips */
const CONCURRENCY = 8;
/** reads sent at once before each round: more than the main database pool's connections (10 on PostgreSQL) */
const POOL_FILL = 16;
/** Create Offer rehearsals per round: this many, and at least PER_SAMPLE of each sample */
const ROUND_REHEARSALS = 200;
const PER_SAMPLE = 20;
/** fewest rounds, whatever the costs say: V8 optimises the hot code after thousands of calls, not hundreds */
const MIN_ROUNDS = 5;
/** a round within this fraction of the one before costs "the same" */
const SETTLED_WITHIN = 0.1;
/** extra fields the rehearsals ask for, so their code paths are warm too */
const EXTRA_FIELDS = 'tax,surcharge,commission,benefits,extra_fields,experiment';
const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/** the header naming the key a rehearsal acts as (a token known only to this process) */
const CALLER_HEADER = 'x-rehearsal-caller';

/**
 * Warm before ready. After start (migrations run, demo seed written), the instance rehearses
 * Create Offer for every active partner (WarmUpSamples: its latest stored requests, else its
 * schemas' examples) through its own HTTP pipeline — body parser, guards, validation, the
 * configuration cache, the build threads, the SQL that stores an offer (in a transaction rolled
 * back) and the response — on a private Unix socket in a directory only this user can open, until
 * a round of rehearsals costs what the round before did, or WARMUP_MAX_SECONDS have passed. Also a
 * read of an offer that does not exist (the 404 path) and of an API key that does not exist (the
 * authentication query) per rehearsal. Nothing is stored, logged per request, counted in metrics
 * or rate limits, or audited (see common/rehearsal.ts). `/health/ready` answers 503 until it is
 * done; it never fails the start: an instance that cannot warm up still serves.
 */
@Injectable()
export class WarmUp implements OnApplicationShutdown {
  private readonly logger = new Logger('WarmUp');
  private readonly maxMs: number;
  private readonly prefix: string;
  private finished: boolean;
  private stopped = false;
  private running: Promise<WarmUpSummary | null> | undefined;
  /** per token: the key a rehearsal acts as */
  private readonly callers = new Map<string, AuthenticatedKey>();

  constructor(
    private readonly samples: WarmUpSamples,
    private readonly apiKeys: ApiKeysService,
    private readonly adapterHost: HttpAdapterHost,
    private readonly shutdown: ShutdownState,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'warmupMaxSeconds' | 'apiPrefixes'>,
  ) {
    this.maxMs = config.warmupMaxSeconds * 1000;
    this.prefix = config.apiPrefixes[0] ?? '/x';
    this.finished = this.maxMs === 0;
  }

  /** over, or skipped: the instance can take traffic */
  get done(): boolean {
    return this.finished;
  }

  /** Starts the warm-up once (later calls return the same run): its summary, null when skipped or failed. Never rejects. */
  start(): Promise<WarmUpSummary | null> {
    this.running ??= this.maxMs === 0 ? Promise.resolve(null) : this.run();
    return this.running;
  }

  /** a signal came (the instance drains, then closes its build threads and pools) or the app is closing: no new rehearsal starts */
  private get stopping(): boolean {
    return this.stopped || this.shutdown.draining;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async run(): Promise<WarmUpSummary | null> {
    const started = performance.now();
    const deadline = started + this.maxMs;
    try {
      const samples = await this.samples.find();
      const { rehearsals, refused, settled, eventLoopMsPerRehearsal } =
        samples.length === 0 ? { rehearsals: 0, refused: 0, settled: true, eventLoopMsPerRehearsal: null } : await this.rehearseAll(samples, deadline);
      const summary: WarmUpSummary = {
        ms: Math.round(performance.now() - started),
        partners: new Set(samples.map((s) => s.partnerId)).size,
        samples: samples.length,
        rehearsals,
        refused,
        settled,
        eventLoopMsPerRehearsal,
      };
      const notes = [
        ...(summary.settled ? [] : ['the time limit came before the cost settled']),
        ...(summary.refused > 0 ? [`${summary.refused} rehearsals refused: give each offer schema an \`examples\` request its configs accept`] : []),
      ];
      this.logger.log(
        { warmUp: summary },
        `warm-up done in ${summary.ms} ms: ${summary.rehearsals} Create Offer rehearsals (none stored) of ${summary.samples} sample requests of ${summary.partners} partners${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`,
      );
      return summary;
    } catch (err) {
      this.logger.warn({ err }, 'warm-up failed; ready without it');
      return null;
    } finally {
      this.callers.clear();
      this.finished = true;
    }
  }

  private async rehearseAll(samples: WarmUpSample[], deadline: number): Promise<Rounds> {
    const dir = mkdtempSync(join(tmpdir(), 'offers-warm-up-'));
    const socketPath = join(dir, 'rehearsal.sock');
    const server = await this.listen(socketPath);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    try {
      const tokens = samples.map((s) => {
        const token = randomUUID();
        // a key id no key has (the column is a UUID)
        this.callers.set(token, { keyId: randomUUID(), partnerId: s.partnerId, partnerCode: s.partnerCode, partnerStatus: 'active', mode: s.mode });
        return token;
      });
      const send = (i: number): Promise<number> =>
        this.send(
          socketPath,
          agent,
          'POST',
          `${this.prefix}/partners/${encodeURIComponent(samples[i].partnerCode)}/offers/?extra_fields=${EXTRA_FIELDS}`,
          tokens[i],
          samples[i].json,
        );
      const readOthers = async (i: number): Promise<void> => {
        await this.send(socketPath, agent, 'GET', `${this.prefix}/partners/${encodeURIComponent(samples[i].partnerCode)}/offers/${randomUUID()}`, tokens[i]);
        await this.apiKeys.authenticate(`ok_${samples[i].mode}_${randomUUID()}`);
      };
      // more reads at once than the main database pool has connections, so every connection opens and runs them
      const fillPool = async (): Promise<void> => {
        await Promise.all(Array.from({ length: POOL_FILL }, (_, j) => readOthers(j % samples.length)));
      };
      return await this.rounds(samples.length, deadline, fillPool, async (i) => {
        const status = await send(i);
        await readOthers(i);
        return status === 200;
      });
    } finally {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Rounds of rehearsals, CONCURRENCY at a time, until a round costs the event loop what the one
   * before did (its busy time per rehearsal, from eventLoopUtilization: the wall time of a round
   * also depends on the build threads and the disk), or the deadline.
   */
  private async rounds(
    sampleCount: number,
    deadline: number,
    beforeRound: () => Promise<void>,
    rehearse: (sample: number) => Promise<boolean>,
  ): Promise<Rounds> {
    let rehearsals = 0;
    let refused = 0;
    let previous = Infinity;
    let first: number | undefined;
    const cost = (last: number): Rounds['eventLoopMsPerRehearsal'] => (first === undefined ? null : { first: round3(first), last: round3(last) });
    for (let round = 1; !this.stopping && performance.now() < deadline; round++) {
      await beforeRound();
      const started = performance.eventLoopUtilization();
      const jobs = Array.from({ length: Math.max(ROUND_REHEARSALS, sampleCount * PER_SAMPLE) }, (_, j) => j % sampleCount);
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < jobs.length && !this.stopping && performance.now() < deadline) {
          const sample = jobs[next++];
          rehearsals++;
          if (!(await rehearse(sample))) refused++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
      const perRehearsal = performance.eventLoopUtilization(started).active / jobs.length;
      first ??= perRehearsal;
      if (round >= MIN_ROUNDS && Math.abs(perRehearsal - previous) <= previous * SETTLED_WITHIN) {
        return { rehearsals, refused, settled: true, eventLoopMsPerRehearsal: cost(perRehearsal) };
      }
      previous = perRehearsal;
    }
    return { rehearsals, refused, settled: false, eventLoopMsPerRehearsal: cost(previous) };
  }

  /** the app's own request handler on a Unix socket in a directory of this user's (mode 0700) */
  private async listen(socketPath: string): Promise<Server> {
    const app = this.adapterHost.httpAdapter.getInstance<express.Express>();
    const handle = (req: IncomingMessage, res: ServerResponse): void => {
      const token = req.headers[CALLER_HEADER];
      const caller = typeof token === 'string' ? this.callers.get(token) : undefined;
      if (!caller) {
        res.writeHead(403).end();
        return;
      }
      markRehearsal(req, caller);
      app(req, res);
    };
    // requests built as on the public server (see ExpressPrototypesAdapter)
    const options = expressPrototypeServerOptions(app);
    const server = options ? createServer(options, handle) : createServer(handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    return server;
  }

  /** one request on the private socket; its status (0 when it failed) once the body has been read */
  private send(socketPath: string, agent: Agent, method: string, path: string, token: string, body?: string): Promise<number> {
    return new Promise((resolve) => {
      const headers: Record<string, string | number> = { [CALLER_HEADER]: token };
      if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      const req = request({ socketPath, agent, method, path, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  }
}
