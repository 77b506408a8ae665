import { hash } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock, newId } from '@app/core';
import { isRowNotChanged, TransactionRunner } from '@app/database';
import type { OfferKeyRecord } from './storage/offer-insert.sql';
import { IdempotencyRepository, type IdempotencyRecord, type IdempotencyScope } from './idempotency.repository';
import { IdempotencyInProgressError, IdempotencyKeyInvalidError, IdempotencyKeyReusedError, MAX_IDEMPOTENCY_KEY_LENGTH } from './offers.errors';

export type { IdempotencyScope } from './idempotency.repository';

/** Idempotency records are kept 48 h. */
export const IDEMPOTENCY_TTL_MS = 48 * 3_600_000;
/** an in-progress claim older than this is taken to be abandoned (the process died mid-request) */
export const IDEMPOTENCY_ABANDONED_AFTER_MS = 30_000;
export const IDEMPOTENCY_PURGE_EVERY_MS = 10 * 60_000;

export interface IdempotentResponse<T> {
  status: number;
  body: T;
}

export interface IdempotentResult<T> extends IdempotentResponse<T> {
  /** true when this is the stored response of an earlier request */
  replayed: boolean;
}

export interface IdempotentRequest extends IdempotencyScope {
  /** what makes two requests "the same" (see `fingerprint`) */
  fingerprint: string;
  /** the status of a replay (409 for confirm); the stored status when absent */
  replayStatus?: number;
  /** the offer an offer-scoped route's request is about (confirm): its record goes when retention deletes the offer */
  offerId?: string;
}

/**
 * Marks the request done with its response, in the caller's transaction, so that the work's writes
 * and the stored response commit (or roll back) together.
 */
export type CompleteIdempotency = (manager: EntityManager, response: IdempotentResponse<unknown>) => Promise<void>;

/**
 * The key's record (done, with the response of `status`), for the work's writer to commit with
 * the work's own writes, the response being the work's. It must insert: the transaction fails
 * (ROW_NOT_CHANGED) when another request has committed the key first.
 */
export type KeyRecordFor = (status: number) => OfferKeyRecord;

/** sha256 of a canonical JSON (object keys sorted) of the parts: key order does not matter. */
export function fingerprint(...parts: unknown[]): string {
  return hash('sha256', canonicalJson(parts), 'hex');
}

/**
 * JSON with object keys sorted (by UTF-16 code units, as `<` compares strings) and undefined members
 * left out. The text must not change between versions: stored keys are compared by its hash.
 * Built with plain loops (every keyed Create Offer and confirm pays for it).
 */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ',';
      const x: unknown = v[i];
      out += canonicalJson(x === undefined ? null : x);
    }
    return `${out}]`;
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    let out = '{';
    for (const k of keys) {
      const x = o[k];
      if (x === undefined) continue;
      if (out.length > 1) out += ',';
      out += `${JSON.stringify(k)}:${canonicalJson(x)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** past its 48 h, or a claim whose process died mid-request */
function stale(found: IdempotencyRecord, now: Date): boolean {
  const expired = found.expiresAt.getTime() <= now.getTime();
  const abandoned = found.state === 'in_progress' && now.getTime() - found.createdAt.getTime() > IDEMPOTENCY_ABANDONED_AFTER_MS;
  return expired || abandoned;
}

/** What a request gets when its key holds another request's record: 422, 423, or the replay. */
function answerFrom<T>(req: IdempotentRequest, existing: IdempotencyRecord): IdempotentResult<T> {
  if (existing.requestHash !== req.fingerprint) throw new IdempotencyKeyReusedError();
  if (existing.state === 'in_progress') throw new IdempotencyInProgressError();
  return { status: req.replayStatus ?? existing.responseStatus ?? 200, body: existing.responseBody as T, replayed: true };
}

/**
 * Idempotency keys (docs/api.md, "Idempotency"), scoped by (partner, route, key) and kept 48 h. The first request
 * claims the key (a unique row), runs, and stores its response; a retry with the same fingerprint
 * gets that response (`replayed`), another fingerprint 422 `idempotency_key_reused`, and a retry
 * while the first still runs 423 `idempotency_in_progress`. A request that fails frees the key.
 * Expired records are purged every 10 minutes, and on read.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyService.name);
  private timer: NodeJS.Timeout | undefined;
  /** keys of runCommittingKey at work on this instance (partner, route, key) */
  private readonly running = new Set<string>();

  constructor(
    private readonly repo: IdempotencyRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.purgeExpired().catch((e: unknown) => this.logger.warn({ err: e }, 'idempotency purge failed'));
    }, IDEMPOTENCY_PURGE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Runs `work` once per (partner, route, key). `work` should call `complete` inside its final
   * transaction; when it does not, the response is stored right after it returns.
   */
  async run<T>(req: IdempotentRequest, work: (complete: CompleteIdempotency) => Promise<IdempotentResponse<T>>): Promise<IdempotentResult<T>> {
    if (req.key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw new IdempotencyKeyInvalidError();
    const scope: IdempotencyScope = { partnerId: req.partnerId, route: req.route, key: req.key };
    const now = this.clock.now();
    const existing = await this.tx.run(async (m) => {
      const found = await this.repo.find(m, scope);
      if (found) {
        if (!stale(found, now)) return found;
        await this.repo.delete(m, scope);
      }
      const id = newId();
      const won = await this.repo.claim(m, scope, {
        id,
        requestHash: req.fingerprint,
        createdAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
        offerId: req.offerId,
      });
      return won ? null : await this.repo.find(m, scope);
    });
    if (existing) return answerFrom<T>(req, existing);

    let completed = false;
    const complete: CompleteIdempotency = async (m, response) => {
      await this.repo.complete(m, scope, response.status, response.body);
      completed = true;
    };
    try {
      const result = await work(complete);
      if (!completed) await this.tx.run((m) => this.repo.complete(m, scope, result.status, result.body));
      return { ...result, replayed: false };
    } catch (e) {
      // a failed request does not hold the key: the partner may fix the body and retry with it
      await this.tx.run((m) => this.repo.release(m, scope)).catch(() => undefined);
      throw e;
    }
  }

  /**
   * As `run`, for a work whose writer commits the key's record with the work's own writes (Create
   * Offer: with the offer, in the same transaction), so no transaction of its own precedes the
   * work. A request that finds the key answered, reused or taken gets what `run` answers; one that
   * finds it running on this instance gets 423; otherwise the work runs and commits the record
   * (done, with its response) only if no other request has committed it meanwhile. When one has
   * (another instance ran the same key at the same time: the work fails with ROW_NOT_CHANGED,
   * nothing of it stored), that record answers: a replay of the same request, or 422 for another
   * body. A record past its 48 h, or a claim abandoned by a process that died, is deleted first.
   */
  async runCommittingKey<T>(req: IdempotentRequest, work: (record: KeyRecordFor) => Promise<IdempotentResponse<T>>): Promise<IdempotentResult<T>> {
    if (req.key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw new IdempotencyKeyInvalidError();
    const scope: IdempotencyScope = { partnerId: req.partnerId, route: req.route, key: req.key };
    const now = this.clock.now();
    const found = await this.repo.peek(scope);
    if (found && !stale(found, now)) return answerFrom<T>(req, found);
    const running = `${scope.partnerId}\u0000${scope.route}\u0000${scope.key}`;
    if (this.running.has(running)) throw new IdempotencyInProgressError();
    this.running.add(running);
    try {
      if (found) await this.tx.run((m) => this.repo.delete(m, scope));
      const record: KeyRecordFor = (responseStatus) => ({
        ...scope,
        id: newId(),
        requestHash: req.fingerprint,
        responseStatus,
        createdAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      });
      return { ...(await work(record)), replayed: false };
    } catch (e) {
      if (!isRowNotChanged(e)) throw e;
      // another instance's request with this key committed first
      const winner = await this.repo.peek(scope);
      if (!winner) throw new IdempotencyInProgressError();
      return answerFrom<T>(req, winner);
    } finally {
      this.running.delete(running);
    }
  }

  /** Deletes every record past its 48 h; returns how many. */
  async purgeExpired(): Promise<number> {
    const now = this.clock.now();
    return this.tx.run((m) => this.repo.deleteExpired(m, now));
  }
}
