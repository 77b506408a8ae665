import type { OfferAccess, OfferConfig } from '@app/core';
import type { AccessList, AccessTrace, CelVars, Evaluate, SelectionRequest, SelectionResult, SelectionTraceEntry } from './rules.types';

/** Highest priority first, ties by lowest id (plain UTF-16 string order, not locale order). */
export function compareConfigs(a: OfferConfig, b: OfferConfig): number {
  const pa = a.priority ?? 0;
  const pb = b.priority ?? 0;
  if (pa !== pb) return pb - pa;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return 'timestamp';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'double';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A field of a request object; the CEL input may hold a Map where an object had odd keys. */
function fieldOf(obj: unknown, key: string): unknown {
  if (obj instanceof Map) return (obj as Map<unknown, unknown>).get(key);
  if (typeof obj === 'object' && obj !== null && Object.prototype.hasOwnProperty.call(obj, key)) {
    return (obj as Record<string, unknown>)[key];
  }
  return undefined;
}

/**
 * Access lists: every list that is given must admit the request; absent lists admit everyone. An empty
 * list admits no one (it is given, and contains nothing): deny by default. Countries compare
 * case-insensitively (ISO codes), the other lists exactly.
 */
export function checkAccess(
  access: OfferAccess | undefined,
  req: { keyMode: string; keyId: string; vars: Pick<CelVars, 'customer' | 'partner'> },
): AccessTrace {
  if (!access) return { admitted: true };
  const deny = (list: AccessList): AccessTrace => ({ admitted: false, denied_by: list });
  if (access.subsidiaries) {
    const subsidiary = stringOf(fieldOf(req.vars.partner, 'subsidiary'));
    if (subsidiary === undefined || !access.subsidiaries.includes(subsidiary)) return deny('subsidiaries');
  }
  if (access.key_modes && !(access.key_modes as string[]).includes(req.keyMode)) return deny('key_modes');
  if (access.key_ids && !access.key_ids.includes(req.keyId)) return deny('key_ids');
  if (access.countries) {
    const country = stringOf(fieldOf(req.vars.customer, 'country'))?.toUpperCase();
    if (country === undefined || !access.countries.some((c) => c.toUpperCase() === country)) return deny('countries');
  }
  return { admitted: true };
}

/**
 * Create Offer pipeline steps 1–4, in order, each with its own outcome:
 * 1. candidates: bound to the schema, status `active` (+ `draft` for test keys unless activeOnly)
 * 2. drop excluded ids, keep `when` true (an error or a non-bool is `offer_expression_error`)
 * 3. keep those whose `access` admits the request
 * 4. highest priority, ties lowest id.
 * Every `when` of step 2 is evaluated (also after an error) so the trace is complete; the first
 * error in priority order is the one reported.
 */
export function selectConfig(configs: readonly OfferConfig[], req: SelectionRequest, evaluate: Evaluate): SelectionResult {
  const excluded = new Set(req.excludeOfferIds ?? []);
  const ordered = [...configs].sort(compareConfigs);
  const trace: SelectionTraceEntry[] = [];

  let candidates = 0;
  const matched: Array<{ config: OfferConfig; entry: SelectionTraceEntry }> = [];
  let firstError: { configId: string; expression: string; message: string } | undefined;

  for (const config of ordered) {
    const status = config.status ?? 'active';
    const schemaMatch = config.schema === req.schemaId;
    const statusOk = status === 'active' || (status === 'draft' && req.keyMode === 'test' && !req.activeOnly);
    const entry: SelectionTraceEntry = {
      config_id: config.id,
      priority: config.priority ?? 0,
      schema_match: schemaMatch,
      status,
      status_ok: statusOk,
      excluded: excluded.has(config.id),
      when: null,
      access: null,
      selected: false,
    };
    trace.push(entry);
    if (!schemaMatch || !statusOk) continue;
    candidates++;
    if (entry.excluded) continue;

    if (config.when === undefined) {
      entry.when = { expression: null, result: true };
    } else {
      let value: unknown;
      try {
        value = evaluate(config.when, req.vars);
      } catch (e) {
        const message = errorMessage(e);
        entry.when = { expression: config.when, error: message };
        firstError ??= { configId: config.id, expression: config.when, message };
        continue;
      }
      if (typeof value !== 'boolean') {
        const message = `must evaluate to a bool, got ${describe(value)}`;
        entry.when = { expression: config.when, error: message };
        firstError ??= { configId: config.id, expression: config.when, message };
        continue;
      }
      entry.when = { expression: config.when, result: value };
    }
    if ('result' in entry.when && entry.when.result) matched.push({ config, entry });
  }

  if (candidates === 0) {
    return { ok: false, code: 'offer_not_found', message: 'No offer is configured for this schema', trace };
  }
  if (firstError) {
    return {
      ok: false,
      code: 'offer_expression_error',
      message: `Offer config ${firstError.configId}: expression \`${firstError.expression}\` failed: ${firstError.message}`,
      configId: firstError.configId,
      expression: firstError.expression,
      detail: firstError.message,
      trace,
    };
  }
  if (matched.length === 0) {
    return {
      ok: false,
      code: 'offer_not_found_no_match_context',
      message: 'No offer matches the request context',
      trace,
    };
  }

  let chosen: { config: OfferConfig; entry: SelectionTraceEntry } | undefined;
  for (const m of matched) {
    m.entry.access = checkAccess(m.config.access, req);
    if (m.entry.access.admitted && !chosen) chosen = m;
  }
  if (!chosen) {
    return {
      ok: false,
      code: 'offer_not_found_access_denied',
      message: 'No offer is available to this request',
      trace,
    };
  }
  chosen.entry.selected = true;
  return { ok: true, config: chosen.config, trace };
}
