import { Injectable } from '@nestjs/common';

/**
 * Where a change was made: `local` — written by this instance (after its commit); `remote` —
 * announced by another instance through the shared invalidation channel (see RedisModule).
 * Only local changes are published, so a received message is never sent on again.
 */
export type ConfigChangeOrigin = 'local' | 'remote';

export type ConfigChangeListener = (partnerId: string, origin: ConfigChangeOrigin) => void;

/**
 * Tells whoever caches partner configuration that it changed. Lower libs publish here instead
 * of importing upward; the Redis invalidation bus subscribes here too and replays other
 * instances' changes as `remote` ones.
 */
@Injectable()
export class ConfigEvents {
  private readonly listeners = new Set<ConfigChangeListener>();
  private readonly resyncListeners = new Set<() => void>();

  onChange(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Call after the change is committed. */
  emitChange(partnerId: string, origin: ConfigChangeOrigin = 'local'): void {
    for (const l of this.listeners) l(partnerId, origin);
  }

  /**
   * "Changes may have been missed" (the invalidation channel was disconnected): whatever is
   * cached from before should be dropped and read again.
   */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  emitResync(): void {
    for (const l of this.resyncListeners) l();
  }
}
