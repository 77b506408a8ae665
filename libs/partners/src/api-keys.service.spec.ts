import type { EntityManager } from 'typeorm';
import type { AuditService } from '@app/audit';
import { ConfigEvents } from '@app/core';
import type { TransactionRunner } from '@app/database';
import { ApiKeyAuthCache } from './auth-cache';
import type { ApiKeysRepository, KeyAuthRow } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { hashKey } from './key-material';
import type { PartnersRepository } from './partners.repository';

const RAW = `ok_live_${'k'.repeat(43)}`;

function setup(row: Partial<KeyAuthRow> = {}) {
  const authRow: KeyAuthRow = {
    keyId: 'key-1',
    keyHash: hashKey(RAW),
    mode: 'live',
    revoked: false,
    partnerId: 'p-1',
    partnerCode: 'ACME',
    partnerStatus: 'active',
    partnerDeleted: false,
    ...row,
  };
  const findAuthRow = jest.fn(async (hash: string) => (hash === authRow.keyHash ? { ...authRow } : null));
  const keys = { findAuthRow } as unknown as ApiKeysRepository;
  const events = new ConfigEvents();
  const cache = new ApiKeyAuthCache(events);
  const tx = { run: <T>(w: (m: EntityManager) => Promise<T>) => w({} as EntityManager) } as unknown as TransactionRunner;
  const service = new ApiKeysService(keys, {} as PartnersRepository, tx, {} as AuditService, cache);
  return { service, findAuthRow, authRow, cache, events };
}

describe('ApiKeysService.authenticate', () => {
  it('returns the key owner, and serves repeats from the cache', async () => {
    const { service, findAuthRow } = setup();
    const expected = { keyId: 'key-1', partnerId: 'p-1', partnerCode: 'ACME', partnerStatus: 'active', mode: 'live' };
    expect(await service.authenticate(RAW)).toEqual(expected);
    expect(await service.authenticate(RAW)).toEqual(expected);
    expect(findAuthRow).toHaveBeenCalledTimes(1);
  });

  it('refuses missing, implausible, unknown, revoked keys and keys of deleted partners', async () => {
    expect(await setup().service.authenticate(undefined)).toBeNull();
    expect(await setup().service.authenticate('x'.repeat(1000))).toBeNull();
    expect(await setup().service.authenticate(`${RAW}x`)).toBeNull();
    expect(await setup({ revoked: true }).service.authenticate(RAW)).toBeNull();
    expect(await setup({ partnerDeleted: true }).service.authenticate(RAW)).toBeNull();
  });

  it('a partner change event drops cached authentications of that partner', async () => {
    const { service, findAuthRow, events } = setup();
    await service.authenticate(RAW);
    events.emitChange('p-1');
    await service.authenticate(RAW);
    expect(findAuthRow).toHaveBeenCalledTimes(2);
  });

  it('a lookup that raced a revocation is not cached', async () => {
    const { service, findAuthRow, cache } = setup();
    findAuthRow.mockImplementationOnce(async (hash: string) => {
      cache.delete(hash); // the revocation lands while the read is in flight
      return { keyId: 'key-1', keyHash: hashKey(RAW), mode: 'live', revoked: false, partnerId: 'p-1', partnerCode: 'ACME', partnerStatus: 'active', partnerDeleted: false };
    });
    await service.authenticate(RAW);
    expect(cache.size).toBe(0);
  });
});
