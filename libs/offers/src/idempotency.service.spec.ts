import type { EntityManager } from 'typeorm';
import type { TransactionRunner } from '@app/database';
import type { IdempotencyRecord, IdempotencyRepository, IdempotencyScope } from './idempotency.repository';
import { fingerprint, IDEMPOTENCY_TTL_MS, IdempotencyService, type IdempotentResponse, type KeyRecordFor } from './idempotency.service';
import type { OfferKeyRecord } from './storage/offer-insert.sql';

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
  async peek(s: IdempotencyScope) {
    return this.rows.get(this.k(s)) ?? null;
  }
  /** what the offer's writer does with the key's record: insert it, or fail as ON CONFLICT DO NOTHING + mustChange does */
  commitRecord(rec: OfferKeyRecord, body: unknown) {
    const k = this.k(rec);
    if (this.rows.has(k)) throw Object.assign(new Error('the statement changed no row'), { code: 'ROW_NOT_CHANGED' });
    this.rows.set(k, {
      id: rec.id,
      requestHash: rec.requestHash,
      createdAt: rec.createdAt,
      expiresAt: rec.expiresAt,
      state: 'done',
      responseStatus: rec.responseStatus,
      responseBody: body,
    });
  }
  async delete(_m: EntityManager, s: IdempotencyScope) {
    this.rows.delete(this.k(s));
  }
  async release(_m: EntityManager, s: IdempotencyScope) {
    if (this.rows.get(this.k(s))?.state === 'in_progress') this.rows.delete(this.k(s));
  }
  async deleteExpired(_m: EntityManager, now: Date) {
    let n = 0;
    for (const [k, r] of this.rows) {
      if (r.expiresAt < now) {
        this.rows.delete(k);
        n++;
      }
    }
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
    svc = new IdempotencyService(repo as unknown as IdempotencyRepository, tx, { now: () => now });
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

  describe("runCommittingKey (the record committed with the work's writes)", () => {
    const create = (fp: string, key = 'k1') => ({ partnerId: 'p1', route: 'create_offer', key, fingerprint: fp, replayStatus: 200 });

    it('runs the work, whose writer commits the record; the same request again is the replay', async () => {
      let runs = 0;
      const work = async (record: KeyRecordFor) => {
        const body = `offer-${++runs}`;
        repo.commitRecord(record(200), body);
        return { status: 200, body };
      };
      expect(await svc.runCommittingKey(create('a'), work)).toEqual({ status: 200, body: 'offer-1', replayed: false });
      expect(await svc.runCommittingKey(create('a'), work)).toEqual({ status: 200, body: 'offer-1', replayed: true });
      await expect(svc.runCommittingKey(create('b'), work)).rejects.toMatchObject({ code: 'idempotency_key_reused' });
      expect(runs).toBe(1);
      expect([...repo.rows.values()]).toEqual([expect.objectContaining({ requestHash: 'a', state: 'done', responseStatus: 200, responseBody: 'offer-1' })]);
    });

    /** a request whose writer commits only when `commit` is called */
    const held = (service: IdempotencyService, r: ReturnType<typeof create>, body: string) => {
      let commit!: () => void;
      const result = service.runCommittingKey(r, async (record) => {
        const st = record(200);
        await new Promise<void>((go) => (commit = go));
        repo.commitRecord(st, body);
        return { status: 200, body };
      });
      return { result, commit: () => commit() };
    };

    it('a second request while the first runs on this instance: 423, without running; after it, the replay', async () => {
      const first = held(svc, create('a'), 'first');
      await Promise.resolve();
      let ran = false;
      await expect(
        svc.runCommittingKey(create('a'), async () => {
          ran = true;
          return { status: 200, body: 'second' };
        }),
      ).rejects.toMatchObject({ code: 'idempotency_in_progress' });
      expect(ran).toBe(false);
      first.commit();
      expect(await first.result).toMatchObject({ body: 'first', replayed: false });
      expect(await svc.runCommittingKey(create('a'), async () => ({ status: 200, body: 'third' }))).toEqual({ status: 200, body: 'first', replayed: true });
    });

    it("two instances at once: the one whose writer commits second gets the first one's answer (a replay, or 422 for another body)", async () => {
      // another instance: its own service over the same records
      const svc2 = new IdempotencyService(repo as unknown as IdempotencyRepository, tx, { now: () => now });
      for (const [secondBody, expected] of [
        ['a', { status: 200, body: 'first', replayed: true }],
        ['other', { code: 'idempotency_key_reused' }],
      ] as const) {
        repo.rows.clear();
        // both started before either committed (both built); the first to commit wins
        const first = held(svc, create('a'), 'first');
        await Promise.resolve();
        const second = held(svc2, create(secondBody), 'second');
        await Promise.resolve();
        first.commit();
        expect(await first.result).toEqual({ status: 200, body: 'first', replayed: false });
        second.commit();
        expect(await second.result.catch((e: unknown) => e)).toMatchObject(expected);
        expect(repo.rows.get('p1|create_offer|k1')).toMatchObject({ requestHash: 'a', responseBody: 'first' });
      }
    });

    it('a record past its 48 h is deleted first; a work that fails stores nothing and fails as it did', async () => {
      repo.rows.set('p1|create_offer|k1', {
        id: 'old',
        requestHash: 'x',
        state: 'done',
        responseStatus: 200,
        responseBody: 'old',
        createdAt: now,
        expiresAt: new Date(now.getTime() + 1000),
      });
      now = new Date(now.getTime() + 2000);
      const result = await svc.runCommittingKey(create('a'), async (record) => {
        repo.commitRecord(record(200), 'new');
        return { status: 200, body: 'new' };
      });
      expect(result).toEqual({ status: 200, body: 'new', replayed: false });
      await expect(svc.runCommittingKey(create('a', 'k3'), async () => Promise.reject(new Error('build failed')))).rejects.toThrow('build failed');
      expect(repo.rows.has('p1|create_offer|k3')).toBe(false);
    });
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
    const input = [
      'offer-1',
      { z: [1, 'two', null, { y: true, x: -0.5e-7 }], a: { é: 'ü\u2028"\\', b: undefined, '': [] }, m: 12345678901234567168, n: null },
      true,
      ['tax', 'benefits'],
      [],
      false,
    ];
    expect(fingerprint(...input)).toBe('6ddde5d6569ebc29875006035836a443a98baaa3b34ef34bf166f1bfdccbb375');
  });
});
