import { Injectable } from '@nestjs/common';

export type ConfigChangeListener = (partnerId: string) => void;

/**
 * Tells whoever caches partner configuration that it changed. Lower libs publish here instead
 * of importing upward; the Redis publisher of a later issue subscribes here too.
 */
@Injectable()
export class ConfigEvents {
  private readonly listeners = new Set<ConfigChangeListener>();

  onChange(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emitChange(partnerId: string): void {
    for (const l of this.listeners) l(partnerId);
  }
}
