import type { ActiveConfig } from '@app/bundles';
import { DomainError } from '@app/core';
import { SchemaValidatorCache } from '@app/schemas';
import type { TransactionRunner } from '@app/database';
import { CompiledSchemas } from '../compiled-schemas';
import type { OfferWriter } from '../offer-writer';
import type { OffersRepository } from '../offers.repository';
import { OfferBuilder } from './offer-builder';

/** no database: nothing here gets as far as storing an offer */
function builderWith(offerBuildThreads: number): OfferBuilder {
  const writer = { write: () => Promise.reject(new Error('not stored in this spec')) } as unknown as OfferWriter;
  const repo = { insertPlans: () => undefined } as unknown as OffersRepository;
  const tx = { sqliteWriteTarget: undefined } as unknown as TransactionRunner;
  return new OfferBuilder(new CompiledSchemas(new SchemaValidatorCache()), { offerBuildThreads }, writer, repo, tx);
}

const active: ActiveConfig = {
  partnerId: 'p1',
  partnerCode: 'P1',
  version: 1,
  defaultSchema: null,
  rateLimits: {} as ActiveConfig['rateLimits'],
  schemas: [{ id: 's:v1', json_schema: { type: 'object' } }],
  configs: [],
};
const input = () => ({
  body: { schema: 's:v1', customer: { currency: 'AUD', country: 'AU' }, context: {} },
  caller: { keyId: 'k', partnerId: 'p1', partnerCode: 'P1', mode: 'live' as const },
  query: { includeContent: true, extraFields: new Set<string>(), excludeOfferIds: [], activeOnly: false },
  now: new Date('2026-11-26T00:00:00Z'),
});

describe('OfferBuilder', () => {
  it('with no thread, builds in process: the same domain errors', async () => {
    const builder = builderWith(0);
    expect(builder.threadCount).toBe(0);
    await expect(builder.create(active, input())).rejects.toMatchObject({ kind: 'not_found', code: 'offer_not_found' });
    await expect(builder.create(active, { ...input(), body: { schema: 'nope:v1' } })).rejects.toMatchObject({ code: 'offer_validation_schema_not_found' });
  });

  it('on a thread, answers the same; closing it with builds in flight leaves none waiting', async () => {
    const builder = builderWith(1);
    try {
      await builder.warm(active);
      const answered = await builder.create(active, input()).catch((e: unknown) => e);
      expect(answered).toBeInstanceOf(DomainError);
      expect(answered).toMatchObject({ kind: 'not_found', code: 'offer_not_found' });
      // in flight when the thread is closed: built in process instead, so the promise settles
      const inFlight = Array.from({ length: 5 }, () => builder.create(active, input()).catch((e: unknown) => e));
      await builder.onModuleDestroy();
      for (const r of await Promise.all(inFlight)) expect(r).toMatchObject({ kind: 'not_found', code: 'offer_not_found' });
      // and once closed, everything is built in process
      await expect(builder.create(active, input())).rejects.toMatchObject({ code: 'offer_not_found' });
    } finally {
      await builder.onModuleDestroy();
    }
  });
});
