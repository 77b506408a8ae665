import type { EntityManager } from 'typeorm';
import type { Clock } from '@app/core';
import type { TransactionRunner } from '@app/database';
import type { IdempotencyRecord, IdempotencyRepository, IdempotencyScope } from './idempotency.repository';
import { fingerprint, IDEMPOTENCY_TTL_MS, IdempotencyService, type IdempotentResponse } from './idempotency.service';

/** In-memory stand-in for the table: one record per scope, like the unique index. */
class MemoryRepo {
  readonly rows = new Map<string, IdempotencyRecord & { id: string }>();
  private k(s: IdempotencyScope): string {
    return `${s.partnerId}|${s.route}|${s.key}`;
  }
  async find(_m: EntityManager, s: IdempotencyScope) {
    return this.rows.get(this.k(s)) ?? null;
  }
  async claim(_m: EntityManager, s: IdempotencyScope, rec: { id: string; requestHash: string; createdAt: Date; expiresAt: Date }) {
    if (!this.rows.has(this.k(s))) this.rows.set(this.k(s), { ...rec, state: 'in_progress', responseStatus: null, responseBody: null });
    return this.rows.get(this.k(s))!.id === rec.id;
  }
  async complete(_m: EntityManager, s: IdempotencyScope, status: number, body: unknown) {
    const r = this.rows.get(this.k(s));
    if (r) Object.assign(r, { state: 'done', responseStatus: status, responseBody: body });
  }
  completeStatement(s: IdempotencyScope, status: number) {
    return { statement: { sql: 'complete', params: [null, this.k(s), status] }, responseParam: 0 };
  }
  async delete(_m: EntityManager, s: IdempotencyScope) {
    this.rows.delete(this.k(s));
  }
  async release(_m: EntityManager, s: IdempotencyScope) {
    if (this.rows.get(this.k(s))?.state === 'in_progress') this.rows.delete(this.k(s));
  }
  async deleteExpired(_m: EntityManager, now: Date) {
    let n = 0;
    for (const [k, r] of this.rows) if (r.expiresAt < now) (this.rows.delete(k), n++);
    return n;
  }
}

describe('IdempotencyService', () => {
  let repo: MemoryRepo;
  let now: Date;
  let svc: IdempotencyService;
  const tx = { run: <T>(work: (m: EntityManager) => Promise<T>) => work({} as EntityManager) } as unknown as TransactionRunner;
  const req = (fp: string, key = 'k1') => ({ partnerId: 'p1', route: 'confirm_offer', key, fingerprint: fp, replayStatus: 409 });

  beforeEach(() => {
    repo = new MemoryRepo();
    now = new Date('2026-11-25T10:00:00Z');
    svc = new IdempotencyService(repo as unknown as IdempotencyRepository, tx, { now: () => now } as Clock);
  });

  it('runs the work once and replays its response with the replay status', async () => {
    let runs = 0;
    const work = async () => ({ status: 200, body: { n: ++runs } });
    expect(await svc.run(req('a'), work)).toEqual({ status: 200, body: { n: 1 }, replayed: false });
    expect(await svc.run(req('a'), work)).toEqual({ status: 409, body: { n: 1 }, replayed: true });
    expect(runs).toBe(1);
  });

  it('stores the response through `complete` when the work calls it in its transaction', async () => {
    await svc.run(req('a'), async (complete) => {
      await complete({} as EntityManager, { status: 200, body: 'stored' });
      return { status: 200, body: 'stored' };
    });
    expect([...repo.rows.values()][0]).toMatchObject({ state: 'done', responseStatus: 200, responseBody: 'stored' });
  });

  it('hands out the completion as a statement for the work to commit with its writes; nothing is stored after it', async () => {
    const completeSpy = jest.spyOn(repo, 'complete');
    let taken: unknown;
    const result = await svc.run(req('a'), async (_complete, completeAsStatement) => {
      taken = completeAsStatement(200);
      return { status: 200, body: 'sent' };
    });
    expect(taken).toEqual({ statement: { sql: 'complete', params: [null, 'p1|confirm_offer|k1', 200] }, responseParam: 0 });
    expect(result).toEqual({ status: 200, body: 'sent', replayed: false });
    // the work's writer committed it: the service does not complete the record a second time
    expect(completeSpy).not.toHaveBeenCalled();
    // and a work that fails after taking it frees the key like any other
    await expect(
      svc.run(req('b', 'k2'), async (_complete, completeAsStatement) => {
        completeAsStatement(200);
        throw new Error('store failed');
      }),
    ).rejects.toThrow('store failed');
    expect([...repo.rows.keys()]).toEqual(['p1|confirm_offer|k1']);
  });

  it('refuses another fingerprint (422) and a retry while running (423)', async () => {
    let release!: () => void;
    const first = svc.run(req('a'), () => new Promise<IdempotentResponse<number>>((r) => (release = () => r({ status: 200, body: 1 }))));
    await Promise.resolve();
    await expect(svc.run(req('a'), async () => ({ status: 200, body: 2 }))).rejects.toMatchObject({ code: 'idempotency_in_progress', kind: 'locked' });
    await expect(svc.run(req('b'), async () => ({ status: 200, body: 2 }))).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    release();
    await first;
    await expect(svc.run(req('b'), async () => ({ status: 200, body: 2 }))).rejects.toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('frees the key when the work fails', async () => {
    await expect(svc.run(req('a'), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(repo.rows.size).toBe(0);
    expect(await svc.run(req('b'), async () => ({ status: 200, body: 'ok' }))).toMatchObject({ replayed: false });
  });

  it('takes over a claim abandoned for more than 30 s', async () => {
    void svc.run(req('a'), () => new Promise<IdempotentResponse<number>>(() => undefined));
    await Promise.resolve();
    now = new Date(now.getTime() + 31_000);
    expect(await svc.run(req('a'), async () => ({ status: 200, body: 'again' }))).toMatchObject({ body: 'again', replayed: false });
  });

  it('forgets a record after 48 h (purged on read) and purges expired records', async () => {
    await svc.run(req('a'), async () => ({ status: 200, body: 1 }));
    await svc.run(req('a', 'k2'), async () => ({ status: 200, body: 1 }));
    now = new Date(now.getTime() + IDEMPOTENCY_TTL_MS + 1);
    expect(await svc.run(req('other'), async () => ({ status: 200, body: 2 }))).toMatchObject({ body: 2, replayed: false });
    now = new Date(now.getTime() + IDEMPOTENCY_TTL_MS + 1);
    expect(await svc.purgeExpired()).toBe(2);
    expect(repo.rows.size).toBe(0);
  });

  it('scopes keys by partner and route', async () => {
    await svc.run(req('a'), async () => ({ status: 200, body: 1 }));
    expect(await svc.run({ ...req('b'), partnerId: 'p2' }, async () => ({ status: 200, body: 2 }))).toMatchObject({ replayed: false });
    expect(await svc.run({ ...req('b'), route: 'create_offer' }, async () => ({ status: 200, body: 3 }))).toMatchObject({ replayed: false });
  });
});

describe('fingerprint', () => {
  it('ignores object key order and undefined members, not array order', () => {
    expect(fingerprint({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(fingerprint({ b: { d: 'x', c: [1, 2] }, a: 1, e: undefined }));
    expect(fingerprint({ a: [1, 2] })).not.toBe(fingerprint({ a: [2, 1] }));
    expect(fingerprint('o1', { a: 1 })).not.toBe(fingerprint('o2', { a: 1 }));
    expect(fingerprint(1)).not.toBe(fingerprint('1'));
  });

  it('gives the same hash as every earlier version (records kept 48 h are compared by it)', () => {
    const input = ['offer-1', { z: [1, 'two', null, { y: true, x: -0.5e-7 }], a: { é: 'ü\u2028"\\', b: undefined, '': [] }, m: 12345678901234567890, n: null }, true, ['tax', 'benefits'], [], false];
    expect(fingerprint(...input)).toBe('6ddde5d6569ebc29875006035836a443a98baaa3b34ef34bf166f1bfdccbb375');
  });
});
