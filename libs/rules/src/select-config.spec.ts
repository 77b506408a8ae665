import type { OfferConfig } from '@app/core';
import { checkAccess, selectConfig } from './select-config';
import type { CelVars, Evaluate, SelectionRequest } from './rules.types';

/** A fake evaluator: expression text → function of the variables (not CEL). */
function fakeEvaluator(table: Record<string, (v: CelVars) => unknown>): Evaluate & { calls: string[] } {
  const calls: string[] = [];
  const fn = ((expr: string, vars: CelVars) => {
    calls.push(expr);
    const f = table[expr];
    if (!f) throw new Error(`unknown expression ${expr}`);
    return f(vars);
  }) as Evaluate & { calls: string[] };
  fn.calls = calls;
  return fn;
}

const evaluate = fakeEvaluator({
  true: () => true,
  false: () => false,
  "customer.country == 'AU'": (v) => v.customer.country === 'AU',
  'context.trip_cost > 0.0': (v) => (v.context.trip_cost as number) > 0,
  'context.missing > 1.0': () => {
    throw new Error('No such key: missing');
  },
  'context.trip_cost': (v) => v.context.trip_cost,
});

function cfg(id: string, extra: Partial<OfferConfig> = {}): OfferConfig {
  return {
    id,
    name: id,
    schema: 'travel:v1',
    products: [{ code: 'P', name: 'P', pricing: { premium: '1.0' } }],
    ...extra,
  };
}

function req(extra: Partial<SelectionRequest> = {}): SelectionRequest {
  return {
    schemaId: 'travel:v1',
    keyMode: 'live',
    keyId: 'key-1',
    vars: {
      customer: { country: 'AU', language: 'en', currency: 'AUD' },
      context: { trip_cost: 100 },
      partner: { subsidiary: 'web' },
      now: new Date('2026-01-01T00:00:00Z'),
    },
    ...extra,
  };
}

describe('selectConfig', () => {
  it('picks the highest priority, ties broken by the lowest id', () => {
    const r = selectConfig([cfg('b', { priority: 5 }), cfg('c', { priority: 10 }), cfg('a', { priority: 10 })], req(), evaluate);
    expect(r.ok && r.config.id).toBe('a');
    expect(r.trace.map((t) => t.config_id)).toEqual(['a', 'c', 'b']);
    expect(r.trace.find((t) => t.selected)?.config_id).toBe('a');
  });

  it('compares ids as plain strings (uppercase before lowercase)', () => {
    const r = selectConfig([cfg('b'), cfg('B'), cfg('a')], req(), evaluate);
    expect(r.ok && r.config.id).toBe('B');
  });

  it('treats a missing status as active and a missing priority as 0', () => {
    const r = selectConfig([cfg('x', { priority: -1 }), cfg('y')], req(), evaluate);
    expect(r.ok && r.config.id).toBe('y');
  });

  describe('step 1: candidates', () => {
    it('offer_not_found when no config is bound to the schema', () => {
      const r = selectConfig([cfg('a', { schema: 'other:v1' })], req(), evaluate);
      expect(r).toMatchObject({ ok: false, code: 'offer_not_found' });
      expect(r.trace[0]).toMatchObject({ schema_match: false, when: null });
    });

    it('offer_not_found when only inactive or draft configs exist for a live key', () => {
      const configs = [cfg('a', { status: 'inactive' }), cfg('b', { status: 'draft' })];
      const r = selectConfig(configs, req(), evaluate);
      expect(r).toMatchObject({ ok: false, code: 'offer_not_found' });
      expect(r.trace.every((t) => !t.status_ok)).toBe(true);
    });

    it('test keys see drafts, unless active_only', () => {
      const configs = [cfg('live', { priority: 1 }), cfg('draft', { status: 'draft', priority: 9 })];
      const asTest = selectConfig(configs, req({ keyMode: 'test' }), evaluate);
      expect(asTest.ok && asTest.config.id).toBe('draft');
      const activeOnly = selectConfig(configs, req({ keyMode: 'test', activeOnly: true }), evaluate);
      expect(activeOnly.ok && activeOnly.config.id).toBe('live');
      const asLive = selectConfig(configs, req({ keyMode: 'live' }), evaluate);
      expect(asLive.ok && asLive.config.id).toBe('live');
      const inactive = selectConfig([cfg('x', { status: 'inactive' })], req({ keyMode: 'test' }), evaluate);
      expect(inactive).toMatchObject({ ok: false, code: 'offer_not_found' });
    });
  });

  describe('step 2: exclusion and when', () => {
    it('drops excluded configs, then those whose when is false', () => {
      const configs = [cfg('a', { priority: 9 }), cfg('b', { priority: 5, when: "customer.country == 'AU'" }), cfg('c', { when: 'false' })];
      const r = selectConfig(configs, req({ excludeOfferIds: ['a'] }), evaluate);
      expect(r.ok && r.config.id).toBe('b');
      expect(r.trace.find((t) => t.config_id === 'a')).toMatchObject({ excluded: true, when: null });
      expect(r.trace.find((t) => t.config_id === 'c')).toMatchObject({ when: { expression: 'false', result: false }, access: null });
    });

    it('offer_not_found_no_match_context when every candidate is excluded or false', () => {
      expect(selectConfig([cfg('a')], req({ excludeOfferIds: new Set(['a']) }), evaluate)).toMatchObject({
        ok: false,
        code: 'offer_not_found_no_match_context',
      });
      const r = selectConfig([cfg('a', { when: "customer.country == 'AU'" })], req({ vars: { ...req().vars, customer: { country: 'NZ' } } }), evaluate);
      expect(r).toMatchObject({ ok: false, code: 'offer_not_found_no_match_context' });
    });

    it('does not evaluate when for non-candidates or excluded configs', () => {
      const ev = fakeEvaluator({ true: () => true });
      selectConfig(
        [cfg('a', { when: 'boom' }), cfg('b', { status: 'inactive', when: 'boom' }), cfg('c', { schema: 'x', when: 'boom' }), cfg('d', { when: 'true' })],
        req({ excludeOfferIds: ['a'] }),
        ev,
      );
      expect(ev.calls).toEqual(['true']);
    });

    it('a when that throws is offer_expression_error naming the config and expression', () => {
      const configs = [cfg('good', { priority: 1 }), cfg('bad', { when: 'context.missing > 1.0' })];
      const r = selectConfig(configs, req(), evaluate);
      expect(r).toMatchObject({
        ok: false,
        code: 'offer_expression_error',
        configId: 'bad',
        expression: 'context.missing > 1.0',
        detail: 'No such key: missing',
      });
      expect(r.ok === false && r.message).toContain('bad');
      expect(r.ok === false && r.message).toContain('No such key: missing');
      expect(r.trace.find((t) => t.config_id === 'bad')?.when).toEqual({ expression: 'context.missing > 1.0', error: 'No such key: missing' });
      expect(r.trace.find((t) => t.config_id === 'good')?.when).toEqual({ expression: null, result: true });
    });

    it('a when that returns a non-bool is offer_expression_error', () => {
      const r = selectConfig([cfg('a', { when: 'context.trip_cost' })], req(), evaluate);
      expect(r).toMatchObject({ ok: false, code: 'offer_expression_error', configId: 'a', expression: 'context.trip_cost' });
      expect(r.ok === false && r.message).toContain('bool');
    });

    it('reports the first failing config in priority order', () => {
      const configs = [cfg('z', { when: 'context.missing > 1.0' }), cfg('y', { priority: 3, when: 'context.trip_cost' })];
      const r = selectConfig(configs, req(), evaluate);
      expect(r).toMatchObject({ code: 'offer_expression_error', configId: 'y' });
    });

    it('an excluded config with a broken when does not fail the request', () => {
      const r = selectConfig([cfg('bad', { when: 'context.missing > 1.0' }), cfg('ok')], req({ excludeOfferIds: ['bad'] }), evaluate);
      expect(r.ok && r.config.id).toBe('ok');
    });
  });

  describe('step 3: access', () => {
    it('offer_not_found_access_denied when no matching config admits the request', () => {
      const r = selectConfig([cfg('a', { access: { key_modes: ['test'] } })], req(), evaluate);
      expect(r).toMatchObject({ ok: false, code: 'offer_not_found_access_denied' });
      expect(r.trace[0].access).toEqual({ admitted: false, denied_by: 'key_modes' });
    });

    it('falls through to a lower-priority config that admits the request', () => {
      const configs = [cfg('hi', { priority: 10, access: { subsidiaries: ['app'] } }), cfg('lo', { priority: 1, access: { subsidiaries: ['web'] } })];
      const r = selectConfig(configs, req(), evaluate);
      expect(r.ok && r.config.id).toBe('lo');
    });

    it('access is only checked after when passed (the outcomes stay distinct)', () => {
      const r = selectConfig([cfg('a', { when: 'false', access: { key_modes: ['test'] } })], req(), evaluate);
      expect(r).toMatchObject({ code: 'offer_not_found_no_match_context' });
    });
  });
});

describe('checkAccess', () => {
  const base = { keyMode: 'live', keyId: 'k1', vars: { customer: { country: 'AU' }, partner: { subsidiary: 'web' } } };

  it('admits when there is no access block or all lists admit', () => {
    expect(checkAccess(undefined, base)).toEqual({ admitted: true });
    expect(checkAccess({ subsidiaries: ['web', 'app'], key_modes: ['live'], key_ids: ['k1'], countries: ['AU', 'NZ'] }, base)).toEqual({ admitted: true });
  });

  it('each list can deny on its own', () => {
    expect(checkAccess({ subsidiaries: ['app'] }, base)).toEqual({ admitted: false, denied_by: 'subsidiaries' });
    expect(checkAccess({ key_modes: ['test'] }, base)).toEqual({ admitted: false, denied_by: 'key_modes' });
    expect(checkAccess({ key_ids: ['k2'] }, base)).toEqual({ admitted: false, denied_by: 'key_ids' });
    expect(checkAccess({ countries: ['NZ'] }, base)).toEqual({ admitted: false, denied_by: 'countries' });
  });

  it('a missing subsidiary or country is denied by a given list', () => {
    const bare = { keyMode: 'live', keyId: 'k1', vars: { customer: {}, partner: {} } };
    expect(checkAccess({ subsidiaries: ['web'] }, bare).admitted).toBe(false);
    expect(checkAccess({ countries: ['AU'] }, bare).admitted).toBe(false);
  });

  it('an empty list admits no one', () => {
    expect(checkAccess({ key_ids: [] }, base)).toEqual({ admitted: false, denied_by: 'key_ids' });
  });

  it('reads Map-shaped request objects too', () => {
    const vars = { customer: new Map([['country', 'AU']]), partner: new Map([['subsidiary', 'web']]) } as unknown as typeof base.vars;
    expect(checkAccess({ subsidiaries: ['web'], countries: ['AU'] }, { ...base, vars }).admitted).toBe(true);
  });

  it('countries compare case-insensitively', () => {
    expect(checkAccess({ countries: ['AU'] }, { ...base, vars: { ...base.vars, customer: { country: 'au' } } }).admitted).toBe(true);
  });
});
