import { SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { PartnerThrottlerGuard, RouteMetadataReflector } from './partner-throttler';

const LIMIT = 'THROTTLER:LIMITdefault';
const SKIP = 'THROTTLER:SKIPdefault';

@SetMetadata(LIMIT, 10)
class LimitedController {
  @SetMetadata(LIMIT, 3)
  own(): void {}

  inherited(): void {}
}

class OtherController {
  plain(): void {}
}

describe('RouteMetadataReflector', () => {
  const stock = new Reflector();

  afterEach(() => jest.restoreAllMocks());

  it('answers what Nest’s Reflector answers: the handler’s value over the class’s, undefined when neither has one', () => {
    const cached = new RouteMetadataReflector();
    const cases: Array<[unknown, [object, object]]> = [
      [LIMIT, [LimitedController.prototype.own, LimitedController]],
      [LIMIT, [LimitedController.prototype.inherited, LimitedController]],
      [LIMIT, [OtherController.prototype.plain, OtherController]],
      [SKIP, [LimitedController.prototype.own, LimitedController]],
    ];
    for (const [key, targets] of cases) {
      const want: unknown = stock.getAllAndOverride(key, targets as never);
      expect(cached.getAllAndOverride(key, targets as never)).toBe(want);
      expect(cached.getAllAndOverride(key, targets as never)).toBe(want); // from the cache
    }
    expect(cached.getAllAndOverride(LIMIT, [LimitedController.prototype.own, LimitedController])).toBe(3);
    expect(cached.getAllAndOverride(LIMIT, [LimitedController.prototype.inherited, LimitedController])).toBe(10);
    expect(cached.getAllAndOverride(SKIP, [OtherController.prototype.plain, OtherController])).toBeUndefined();
  });

  it('reads each (handler, controller, key) from the metadata once, absent values included', () => {
    const cached = new RouteMetadataReflector();
    const read = jest.spyOn(Reflector.prototype, 'getAllAndOverride');
    for (let i = 0; i < 5; i++) {
      cached.getAllAndOverride(LIMIT, [LimitedController.prototype.own, LimitedController]);
      cached.getAllAndOverride(SKIP, [LimitedController.prototype.own, LimitedController]);
    }
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keeps a handler shared by two controllers apart: each controller’s own class metadata counts', () => {
    class Base {
      shared(): void {}
    }
    @SetMetadata(LIMIT, 7)
    class Seven extends Base {}
    @SetMetadata(LIMIT, 8)
    class Eight extends Base {}
    const cached = new RouteMetadataReflector();
    expect(cached.getAllAndOverride(LIMIT, [Base.prototype.shared, Seven])).toBe(7);
    expect(cached.getAllAndOverride(LIMIT, [Base.prototype.shared, Eight])).toBe(8);
  });

  it('does not cache lookups over other than (handler, controller)', () => {
    const cached = new RouteMetadataReflector();
    const read = jest.spyOn(Reflector.prototype, 'getAllAndOverride');
    cached.getAllAndOverride(LIMIT, [LimitedController]);
    cached.getAllAndOverride(LIMIT, [LimitedController]);
    expect(read).toHaveBeenCalledTimes(2);
    expect(cached.getAllAndOverride(LIMIT, [LimitedController])).toBe(10);
  });
});

describe('PartnerThrottlerGuard', () => {
  afterEach(() => jest.restoreAllMocks());

  it('reads route metadata through RouteMetadataReflector: the route’s limit applies, and a second request reads none again', async () => {
    const storage = { increment: jest.fn(async () => ({ totalHits: 1, timeToExpire: 1, isBlocked: false, timeToBlockExpire: 0 })) };
    const guard = new PartnerThrottlerGuard({ throttlers: [{ name: 'default', ttl: 1000, limit: 1 }] }, storage);
    await guard.onModuleInit();
    const request = () =>
      new ExecutionContextHost([{ ip: '127.0.0.1', headers: {} }, { setHeader: jest.fn() }], LimitedController, LimitedController.prototype.own);
    const cached = jest.spyOn(RouteMetadataReflector.prototype, 'getAllAndOverride');
    const read = jest.spyOn(Reflector.prototype, 'getAllAndOverride');

    await expect(guard.canActivate(request())).resolves.toBe(true);
    expect(storage.increment).toHaveBeenCalledWith(expect.any(String), 1000, 3, 1000, 'default'); // @SetMetadata(LIMIT, 3) on the handler
    expect(cached).toHaveBeenCalled();
    const readsOfTheFirst = read.mock.calls.length;
    expect(readsOfTheFirst).toBeGreaterThan(0);

    await expect(guard.canActivate(request())).resolves.toBe(true);
    expect(cached.mock.calls.length).toBe(2 * readsOfTheFirst);
    expect(read).toHaveBeenCalledTimes(readsOfTheFirst); // remembered
  });
});
