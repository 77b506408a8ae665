import { Injectable } from '@nestjs/common';
import { ConfigEvents } from '@app/core';
import type { AuthenticatedKey } from './partners.types';

/**
 * A small bounded TTL cache. Every invalidation bumps a generation; a value read from the
 * database before an invalidation is not cached after it (`set` with a stale generation is a
 * no-op), so a lookup racing a revocation cannot put the revoked key back.
 */
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; expiresAt: number }>();
  private gen = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get generation(): number {
    return this.gen;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string, now = Date.now()): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= now) {
      this.map.delete(key);
      return undefined;
    }
    return hit.value;
  }

  /** `generation` is the value of `this.generation` read before the lookup that produced `value` */
  set(key: string, value: V, generation: number, now = Date.now()): void {
    if (generation !== this.gen) return;
    this.map.delete(key);
    if (this.map.size >= this.maxEntries) {
      // Map iterates in insertion order: the first entry is the oldest
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, { value, expiresAt: now + this.ttlMs });
  }

  delete(key: string): void {
    this.gen++;
    this.map.delete(key);
  }

  deleteWhere(predicate: (value: V) => boolean): void {
    this.gen++;
    for (const [k, v] of this.map) if (predicate(v.value)) this.map.delete(k);
  }

  clear(): void {
    this.gen++;
    this.map.clear();
  }
}

/** What authentication needs of a key, cached by key hash (never a plaintext secret). */
export interface CachedKeyAuth {
  auth: AuthenticatedKey;
  signing: boolean;
  /** SecretBox envelope of the signing secret, opened per request */
  secretEnc: string | null;
}

/** How long an authenticated key is trusted without a database read, on this instance. */
export const AUTH_CACHE_TTL_MS = 1000;
const AUTH_CACHE_MAX_ENTRIES = 10_000;

/**
 * Partner-key lookups by key hash. Revocations, and partner changes announced on ConfigEvents
 * (PATCH /admin/partners, bundle writes), invalidate it at once on this instance; the 1 s TTL
 * bounds what another instance can still serve.
 */
@Injectable()
export class ApiKeyAuthCache extends TtlCache<CachedKeyAuth> {
  constructor(events: ConfigEvents) {
    super(AUTH_CACHE_TTL_MS, AUTH_CACHE_MAX_ENTRIES);
    events.onChange((partnerId) => this.invalidatePartner(partnerId));
  }

  invalidatePartner(partnerId: string): void {
    this.deleteWhere((k) => k.auth.partnerId === partnerId);
  }
}
