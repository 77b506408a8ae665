import { InvalidError } from '@app/core';
import type { OfferQuery } from '@app/offers';

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

function list(v: unknown): string[] {
  const parts = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return parts
    .flatMap((p) => (typeof p === 'string' ? p.split(',') : []))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The query switches of Create Offer (docs/api.md, "Create Offer"); `exclude_offer_ids` as a comma list and/or repeated. */
export function parseOfferQuery(q: Record<string, unknown>): OfferQuery {
  const problems: Record<string, string[]> = {};
  const bool = (name: string, def: boolean): boolean => {
    const raw = q[name];
    if (raw === undefined || raw === '') return def;
    const v: unknown = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (typeof v === 'string' && TRUE.has(v.toLowerCase())) return true;
    if (typeof v === 'string' && FALSE.has(v.toLowerCase())) return false;
    problems[`query.${name}`] = ['must be true or false'];
    return def;
  };
  const query: OfferQuery = {
    includeContent: bool('include_content', true),
    activeOnly: bool('active_only', false),
    extraFields: new Set(list(q.extra_fields)),
    excludeOfferIds: list(q.exclude_offer_ids),
  };
  if (Object.keys(problems).length > 0) throw new InvalidError('offer_validation_error', 'Invalid query parameters', problems);
  return query;
}
