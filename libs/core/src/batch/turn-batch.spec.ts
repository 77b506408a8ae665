import { TurnBatch } from './turn-batch';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  it('runs the calls of one turn together, in order, and answers each its own output', async () => {
    const runs: number[][] = [];
    const batch = new TurnBatch<number, string>(async (inputs) => {
      runs.push(inputs);
      return inputs.map((i) => `#${i}`);
    }, 10);
    const first = await Promise.all([batch.add(1), batch.add(2), batch.add(3)]);
    expect(first).toEqual(['#1', '#2', '#3']);
    // a later turn is another run
    expect(await batch.add(4)).toBe('#4');
    expect(runs).toEqual([[1, 2, 3], [4]]);
  });

  it('does not wait for a timer: the run starts in the check phase of the same turn', async () => {
    const run = jest.fn(async (inputs: number[]) => inputs);
    const batch = new TurnBatch(run, 10);
    const answered = batch.add(1);
    expect(run).not.toHaveBeenCalled();
    await nextTurn();
    expect(run).toHaveBeenCalledTimes(1);
    await expect(answered).resolves.toBe(1);
  });

  it('at most `max` calls per run: more in one turn are split, the runs started at once', async () => {
    const started: number[][] = [];
    const release: Array<() => void> = [];
    const batch = new TurnBatch<number, number>(
      (inputs) =>
        new Promise((resolve) => {
          started.push(inputs);
          release.push(() => resolve(inputs.map((i) => i * 2)));
        }),
      2,
    );
    const all = Promise.all([1, 2, 3, 4, 5].map((i) => batch.add(i)));
    await nextTurn();
    expect(started).toEqual([[1, 2], [3, 4], [5]]);
    for (const r of release) r();
    expect(await all).toEqual([2, 4, 6, 8, 10]);
  });

  it('a run that fails (rejecting, throwing, or answering the wrong number) fails each of its calls, and only those', async () => {
    let mode: 'reject' | 'throw' | 'short' | 'ok' = 'reject';
    const batch = new TurnBatch<number, number>((inputs) => {
      if (mode === 'throw') throw new Error('thrown');
      if (mode === 'reject') return Promise.reject(new Error('rejected'));
      if (mode === 'short') return Promise.resolve(inputs.slice(1));
      return Promise.resolve(inputs);
    }, 10);
    const results = async () => Promise.allSettled([batch.add(1), batch.add(2)]);
    expect((await results()).map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['rejected', 'rejected']);
    mode = 'throw';
    expect((await results()).map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['thrown', 'thrown']);
    mode = 'short';
    expect((await results()).map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual([
      'TurnBatch: 1 answers for 2 calls',
      'TurnBatch: 1 answers for 2 calls',
    ]);
    mode = 'ok';
    expect(await Promise.all([batch.add(7), batch.add(8)])).toEqual([7, 8]);
  });

  it('refuses a max below 1', () => {
    expect(() => new TurnBatch(async (i: number[]) => i, 0)).toThrow('max');
  });
});
