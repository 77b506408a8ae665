import { ConfigValidationError, loadConfig } from '../config/app-config';

describe('REDIS_KEY_PREFIX', () => {
  it('defaults to offers:', () => {
    expect(loadConfig({}).redisKeyPrefix).toBe('offers:');
  });

  it('takes a prefix of its own, so deployments can share one Redis', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: 'staging:offers:' })).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: 'staging:offers:',
    });
  });

  it('refuses one with spaces or a glob, naming the variable', () => {
    expect(() => loadConfig({ REDIS_KEY_PREFIX: 'a b' })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ REDIS_KEY_PREFIX: 'offers*' })).toThrow(/REDIS_KEY_PREFIX/);
  });
});
