import { DomainError } from '@app/core';
import type { ActiveConfig } from '@app/bundles';
import type { CompiledSchemas } from '../compiled-schemas';
import { OfferValidationError } from '../offers.errors';
import { OfferBuildHost } from './offer-build.host';
import { configKey, receiveError, sendError } from './offer-build.protocol';
import { isDatabaseUnavailable } from '../../../../apps/api/src/common/database-unavailable';

function active(partnerId: string, version: number): ActiveConfig {
  return { partnerId, partnerCode: partnerId.toUpperCase(), version, defaultSchema: null, rateLimits: {} as ActiveConfig['rateLimits'], schemas: [], configs: [] };
}

const input = {
  request: JSON.stringify({ schema: 'none:v1' }),
  caller: { keyId: 'k', partnerId: 'p', partnerCode: 'P', mode: 'live' as const },
  query: { includeContent: true, extraFields: new Set<string>(), excludeOfferIds: [], activeOnly: false },
  now: new Date(0),
  store: false,
};

describe('OfferBuildHost (inside a build thread)', () => {
  const warmed: string[] = [];
  const compiled = { warm: (a: ActiveConfig) => warmed.push(`${a.partnerId}:${a.version}`) } as unknown as CompiledSchemas;

  it('compiles a configuration when it arrives and acknowledges when asked', () => {
    const host = new OfferBuildHost(compiled);
    const a = active('p', 1);
    expect(host.handle({ t: 'config', key: configKey(a), active: a })).toBeNull();
    expect(host.handle({ t: 'config', key: configKey(a), active: a, ack: 7 })).toEqual({ t: 'ack', ack: 7 });
    expect(warmed).toContain('p:1');
    expect(host.configCount).toBe(1);
  });

  it('asks again for a configuration it does not hold, and keeps the last four per partner', () => {
    const host = new OfferBuildHost(compiled);
    expect(host.handle({ t: 'build', id: 1, key: 'unknown', ...input })).toEqual({ t: 'missing', id: 1 });
    for (let v = 1; v <= 6; v++) host.handle({ t: 'config', key: configKey(active('p', v)), active: active('p', v) });
    host.handle({ t: 'config', key: configKey(active('q', 1)), active: active('q', 1) });
    expect(host.configCount).toBe(5);
    expect(host.handle({ t: 'build', id: 2, key: configKey(active('p', 2)), ...input })).toEqual({ t: 'missing', id: 2 });
    // a held one is built: here the schema is unknown, which is the request's own answer
    const reply = host.handle({ t: 'build', id: 3, key: configKey(active('p', 6)), ...input });
    expect(reply).toMatchObject({ t: 'failed', id: 3, error: { domain: true, kind: 'invalid', code: 'offer_validation_schema_not_found' } });
  });

  it('the partner fields a version does not fix are part of the key', () => {
    const a = active('p', 3);
    expect(configKey(a)).not.toBe(configKey({ ...a, defaultSchema: 'x:v1' }));
    expect(configKey(a)).not.toBe(configKey({ ...a, version: 4 }));
    expect(configKey(a)).toBe(configKey({ ...a }));
  });
});

describe('errors across threads', () => {
  it('a domain error comes back with the same kind, code, message and JSON paths', () => {
    const e = receiveError(structuredClone(sendError(new OfferValidationError({ '/context/x': ['must be number'] }))));
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ kind: 'invalid', code: 'offer_validation_error', errors: { '/context/x': ['must be number'] }, name: 'OfferValidationError' });
  });

  it('any other error stays a fault (a 500), with the thread’s stack for the log', () => {
    const fault = new TypeError('boom');
    const e = receiveError(structuredClone(sendError(fault)));
    expect(e).not.toBeInstanceOf(DomainError);
    expect(e.name).toBe('TypeError');
    expect(e.message).toBe('offer build thread: boom');
    expect(e.stack).toContain('offer-build.host.spec');
  });
});

describe('a database that cannot be reached, across threads', () => {
  it.each([
    ['a lost connection (node-pg says it in its message only)', new Error('Connection terminated unexpectedly')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['the server shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['no connection within the timeout', new Error('timeout exceeded when trying to connect')],
  ])('%s still reads as the database unavailable (503) on the event loop', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(isDatabaseUnavailable(receiveError(structuredClone(sendError(err))))).toBe(true);
  });

  it('a row the database refused does not', () => {
    const refused = Object.assign(new Error('duplicate key value violates unique constraint "offers_pkey"'), { code: '23505' });
    expect(isDatabaseUnavailable(receiveError(structuredClone(sendError(refused))))).toBe(false);
  });
});
