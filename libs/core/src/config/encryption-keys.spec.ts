import { loadConfig, parseEncryptionKey } from './app-config';

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');

describe('APP_ENCRYPTION_KEY / APP_ENCRYPTION_KEYS_OLD (key rotation)', () => {
  it('reads a bare base64 key (id derived later) or <kid>:<base64>', () => {
    expect(loadConfig({ APP_ENCRYPTION_KEY: K1 })).toMatchObject({
      appEncryptionKey: Buffer.alloc(32, 1),
      appEncryptionKeyId: undefined,
      appEncryptionKeysOld: [],
    });
    expect(loadConfig({ APP_ENCRYPTION_KEY: `2025-06:${K1}` })).toMatchObject({ appEncryptionKeyId: '2025-06' });
  });

  it('reads retired keys, with or without ids', () => {
    const c = loadConfig({ APP_ENCRYPTION_KEY: `new:${K2}`, APP_ENCRYPTION_KEYS_OLD: ` old:${K1} , ${K2}` });
    expect(c.appEncryptionKeysOld).toEqual([
      { id: 'old', key: Buffer.alloc(32, 1) },
      { id: undefined, key: Buffer.alloc(32, 2) },
    ]);
  });

  it('refuses short keys, bad ids, and old keys without a current one', () => {
    expect(() => loadConfig({ APP_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(/APP_ENCRYPTION_KEY must be 32 bytes/);
    expect(() => loadConfig({ APP_ENCRYPTION_KEY: `bad.id:${K1}` })).toThrow(/key id/);
    expect(() => loadConfig({ APP_ENCRYPTION_KEY: K1, APP_ENCRYPTION_KEYS_OLD: `old:c2hvcnQ=` })).toThrow(/APP_ENCRYPTION_KEYS_OLD/);
    expect(() => loadConfig({ APP_ENCRYPTION_KEYS_OLD: K1 })).toThrow(/needs APP_ENCRYPTION_KEY/);
    expect(parseEncryptionKey('not base64 at all!', 'X')).toEqual(expect.stringContaining('X must be 32 bytes'));
  });
});
