import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { MemoryCounters, SharedCounters } from './counters';
import { RedisConnection } from './redis-connection';

describe('MemoryCounters', () => {
  const c = new MemoryCounters();
  afterAll(() => c.close());

  it('throttle: a fixed window from the first hit; past the limit blocked (not counted) until the block ends', () => {
    const t0 = 1_000_000;
    expect(c.throttleSync('k', 1000, 2, 0, t0)).toEqual({ hits: 1, resetInMs: 1000, blocked: false, blockResetInMs: 0 });
    expect(c.throttleSync('k', 1000, 2, 0, t0 + 100)).toEqual({ hits: 2, resetInMs: 900, blocked: false, blockResetInMs: 0 });
    expect(c.throttleSync('k', 1000, 2, 0, t0 + 200)).toEqual({ hits: 3, resetInMs: 800, blocked: true, blockResetInMs: 800 });
    expect(c.throttleSync('k', 1000, 2, 0, t0 + 300)).toMatchObject({ hits: 3, blocked: true });
    expect(c.throttleSync('k', 1000, 2, 0, t0 + 1000)).toEqual({ hits: 1, resetInMs: 1000, blocked: false, blockResetInMs: 0 });
  });

  it('throttle with a block longer than the window keeps refusing until it ends', () => {
    const t0 = 2_000_000;
    c.throttleSync('b', 1000, 1, 5000, t0);
    expect(c.throttleSync('b', 1000, 1, 5000, t0 + 10)).toMatchObject({ blocked: true, blockResetInMs: 5000 });
    expect(c.throttleSync('b', 1000, 1, 5000, t0 + 2000)).toMatchObject({ blocked: true });
    expect(c.throttleSync('b', 1000, 1, 5000, t0 + 5010)).toMatchObject({ hits: 1, blocked: false });
  });

  it('increment and peek', () => {
    const t0 = 3_000_000;
    expect(c.peekSync('f', t0)).toEqual({ count: 0, resetInMs: 0 });
    expect(c.incrementSync('f', 60_000, t0)).toEqual({ count: 1, resetInMs: 60_000 });
    expect(c.incrementSync('f', 60_000, t0 + 1000)).toEqual({ count: 2, resetInMs: 59_000 });
    expect(c.peekSync('f', t0 + 2000)).toEqual({ count: 2, resetInMs: 58_000 });
    expect(c.peekSync('f', t0 + 60_000)).toEqual({ count: 0, resetInMs: 0 });
  });
});

const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const describeRedis = hasRedis ? describe : describe.skip;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describeRedis('SharedCounters on a real Redis (a redis-server of its own)', () => {
  let server: ChildProcess;
  let redis: RedisConnection;
  let counters: SharedCounters;

  beforeAll(async () => {
    const port = await freePort();
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    // generous timeouts: these tests check where decisions are taken, and a command that times out on
    // a busy machine (the default is 300 ms) is decided in memory, which they would count as a bug
    redis = new RedisConnection({ url: `redis://127.0.0.1:${port}`, keyPrefix: 'unit:', probeEveryMs: 50, connectTimeoutMs: 5000, commandTimeoutMs: 5000 });
    redis.connect();
    counters = new SharedCounters(redis);
    for (let i = 0; i < 100 && !redis.available; i++) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(async () => {
    counters.onModuleDestroy();
    await redis.close();
    server.kill('SIGKILL');
  });

  it('throttle decides like the memory counters, in Redis', async () => {
    expect(redis.available).toBe(true);
    const inMemory = jest.spyOn(counters.memory, 'throttleSync');
    const r1 = await counters.throttle('t', 1000, 2, 0);
    const r2 = await counters.throttle('t', 1000, 2, 0);
    const r3 = await counters.throttle('t', 1000, 2, 0);
    const r4 = await counters.throttle('t', 1000, 2, 0);
    expect([r1, r2, r3, r4].map((r) => [r.hits, r.blocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [3, true],
    ]);
    expect(r3.resetInMs).toBeGreaterThan(0);
    expect(r3.resetInMs).toBeLessThanOrEqual(1000);
    expect(r3.blockResetInMs).toBeGreaterThan(0);
    expect(inMemory).not.toHaveBeenCalled(); // nothing fell back
    inMemory.mockRestore();
    // the window ends with a Redis expiry (PEXPIRE): real time, no clock of ours. Polled until
    // admitted again (a refused decision is not counted): a fresh window, hit once
    let next = r4;
    for (let i = 0; i < 100 && next.blocked; i++) {
      await new Promise((r) => setTimeout(r, 20));
      next = await counters.throttle('t', 1000, 2, 0);
    }
    expect(next).toMatchObject({ hits: 1, blocked: false });
  });

  it('increment and peek in Redis', async () => {
    expect(await counters.peek('f')).toEqual({ count: 0, resetInMs: 0 });
    expect((await counters.increment('f', 60_000)).count).toBe(1);
    expect((await counters.increment('f', 60_000)).count).toBe(2);
    const p = await counters.peek('f');
    expect(p.count).toBe(2);
    expect(p.resetInMs).toBeGreaterThan(59_000);
  });

  it('decisions asked in one turn go to Redis as one pipeline, decided in the order asked', async () => {
    const pipeline = jest.spyOn(redis.client, 'pipeline');
    const inMemory = jest.spyOn(counters.memory, 'throttleSync');
    try {
      const rs = await Promise.all([1, 2, 3, 4].map(() => counters.throttle('batch', 1000, 2, 0)));
      expect(rs.map((r) => [r.hits, r.blocked])).toEqual([
        [1, false],
        [2, false],
        [3, true],
        [3, true],
      ]);
      expect(pipeline).toHaveBeenCalledTimes(1);
      // one alone in its turn goes as a single command
      expect(await counters.throttle('alone', 1000, 2, 0)).toMatchObject({ hits: 1, blocked: false });
      expect(pipeline).toHaveBeenCalledTimes(1);
      expect(await redis.client.get('unit:rl:{batch}')).toBe('3');
      expect(await redis.client.get('unit:rl:{alone}')).toBe('1');
      expect(inMemory).not.toHaveBeenCalled();
    } finally {
      pipeline.mockRestore();
      inMemory.mockRestore();
    }
  });

  it('a decision Redis refuses is taken in memory; the rest of its batch still in Redis', async () => {
    await redis.client.set('unit:rl:{clobbered}', 'not a number'); // INCR fails: a reply error
    const inMemory = jest.spyOn(counters.memory, 'throttleSync');
    try {
      const [bad, good] = await Promise.all([counters.throttle('clobbered', 1000, 5, 0), counters.throttle('fine', 1000, 5, 0)]);
      expect(bad).toMatchObject({ hits: 1, blocked: false });
      expect(good).toMatchObject({ hits: 1, blocked: false });
      expect(inMemory.mock.calls.map((call) => call[0])).toEqual(['clobbered']); // only the refused one
      expect(await redis.client.get('unit:rl:{fine}')).toBe('1');
      expect(redis.available).toBe(true); // a refused command is a bug, not Redis down
    } finally {
      inMemory.mockRestore();
    }
  });

  it('a failure in its own code leaves no decision waiting: the batch is decided in memory', async () => {
    const failed = jest.spyOn(redis, 'failed').mockImplementation(() => {
      throw new Error('a bug');
    });
    try {
      await redis.client.set('unit:rl:{clobbered-2}', 'not a number');
      const before = counters.memory.size;
      const rs = await Promise.all([counters.throttle('clobbered-2', 1000, 5, 0), counters.throttle('other', 1000, 5, 0)]);
      expect(rs.map((r) => r.hits)).toEqual([1, 1]);
      expect(failed).toHaveBeenCalledTimes(1);
      expect(counters.memory.size).toBe(before + 2);
    } finally {
      failed.mockRestore();
    }
  });

  it('falls back to memory at once when Redis is gone', async () => {
    server.kill('SIGKILL');
    for (let i = 0; i < 100 && redis.available; i++) await new Promise((r) => setTimeout(r, 20));
    expect(redis.available).toBe(false);
    const start = Date.now();
    expect(await counters.throttle('gone', 1000, 1, 0)).toMatchObject({ hits: 1, blocked: false });
    expect(await counters.throttle('gone', 1000, 1, 0)).toMatchObject({ hits: 2, blocked: true });
    expect(Date.now() - start).toBeLessThan(50);
    expect(counters.memory.peekSync('gone').count).toBe(2);
  });
});
