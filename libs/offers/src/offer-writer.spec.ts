import type { SqlStatement, TransactionRunner } from '@app/database';
import { OfferWriter } from './offer-writer';
import type { NewOffer, OffersRepository } from './offers.repository';

type Item = { offer: NewOffer };

function setup(isSqlite: boolean, failIds: string[] = []) {
  const batches: string[][] = [];
  let inFlight = 0;
  let maxSeen = 0;
  const releases: Array<() => void> = [];
  const repo = {
    insertOffersStatements: (items: Item[]): SqlStatement[] => [{ sql: 'INSERT', params: items.map((i) => i.offer.id) }],
  } as unknown as OffersRepository;
  const tx = {
    isSqlite,
    runStatements: (statements: SqlStatement[]) => {
      const ids = statements[0].params as string[];
      batches.push(ids);
      inFlight++;
      maxSeen = Math.max(maxSeen, inFlight);
      return new Promise<void>((resolve, reject) => {
        releases.push(() => {
          inFlight--;
          if (ids.some((id) => failIds.includes(id))) reject(new Error(`bad row in ${ids.join(',')}`));
          else resolve();
        });
      });
    },
  } as unknown as TransactionRunner;
  const writer = new OfferWriter(repo, tx);
  const write = (id: string) => writer.write({ id } as NewOffer, []);
  const releaseAll = async () => {
    // let the commits started by earlier releases register, then release them, until none is left
    for (let round = 0; round < 50; round++) {
      await new Promise((r) => setImmediate(r));
      const now = releases.splice(0);
      if (now.length === 0 && inFlight === 0) return;
      now.forEach((f) => f());
    }
  };
  return { batches, write, releaseAll, maxInFlight: () => maxSeen };
}

describe('OfferWriter (group commit)', () => {
  it('writes the offers of one event-loop turn in one transaction, and those that arrive during it in the next', async () => {
    const t = setup(true);
    const first = ['a', 'b', 'c'].map(t.write);
    await new Promise((r) => setImmediate(r));
    const second = ['d', 'e'].map(t.write);
    await t.releaseAll();
    await Promise.all([...first, ...second]);
    expect(t.batches).toEqual([['a', 'b', 'c'], ['d', 'e']]);
    // SQLite: the second batch is handed over while the first commits
    expect(t.maxInFlight()).toBe(2);
  });

  it('on PostgreSQL keeps up to 4 transactions in flight; on SQLite two', async () => {
    for (const [sqlite, limit] of [[false, 4], [true, 2]] as const) {
      const t = setup(sqlite);
      const all: Array<Promise<void>> = [];
      for (let turn = 0; turn < 8; turn++) {
        all.push(t.write(`o${turn}`));
        await new Promise((r) => setImmediate(r));
      }
      await t.releaseAll();
      await Promise.all(all);
      expect(t.maxInFlight()).toBe(limit);
      expect(t.batches.flat().sort()).toEqual(['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7']);
    }
  });

  it('a failing batch is retried offer by offer: only the bad offer fails', async () => {
    const t = setup(false, ['bad']);
    const results = ['x', 'bad', 'y'].map((id) => t.write(id).then(() => 'stored', (e: Error) => e.message));
    await t.releaseAll();
    expect(await Promise.all(results)).toEqual(['stored', 'bad row in bad', 'stored']);
    expect(t.batches).toEqual([['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
  });
});
