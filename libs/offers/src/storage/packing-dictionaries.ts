import { packingDictionary, type PackingDictionary } from '@app/core';

/**
 * Which packing dictionary (see @app/core packed-json.ts) the offers of each offer configuration
 * of a bundle version are packed against, as one side knows it: the event loop
 * (PackingDictionaries, which writes them) or a build thread (told by the event loop).
 */

/** A dictionary as it travels to a build thread: its configuration, and its text. */
export interface SharedDictionary {
  scope: string;
  text: string;
}

/** The key of an offer configuration of a bundle version. */
export function packingScope(partnerId: string, offerConfigId: string, bundleVersion: number): string {
  return `${partnerId}\u0000${offerConfigId}\u0000${bundleVersion}`;
}

export class PackingDictionaryRegistry {
  private readonly byScope = new Map<string, PackingDictionary>();
  private readonly texts: SharedDictionary[] = [];

  /** Keeps the dictionary of `scope` (the first one given: a dictionary never changes) and makes it readable (unpackJson). */
  add(scope: string, text: string): PackingDictionary {
    const known = this.byScope.get(scope);
    if (known) return known;
    const dictionary = packingDictionary(text);
    this.byScope.set(scope, dictionary);
    this.texts.push({ scope, text });
    return dictionary;
  }

  get(scope: string): PackingDictionary | undefined {
    return this.byScope.get(scope);
  }

  has(scope: string): boolean {
    return this.byScope.has(scope);
  }

  /** every dictionary kept, in the order they came */
  all(): readonly SharedDictionary[] {
    return this.texts;
  }
}
