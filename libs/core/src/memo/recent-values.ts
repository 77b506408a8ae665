/**
 * A bounded memo for pure, cheap-to-recompute values that recur on the request path (formatted
 * amounts, decimals, date texts): when full it is emptied at once rather than tracking recency,
 * which keeps a hit to one Map lookup. Only for values that are immutable and depend on the key
 * alone.
 */
export class RecentValues<K, V> {
  private readonly values = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K, compute: (key: K) => V): V {
    let value = this.values.get(key);
    if (value === undefined) {
      value = compute(key);
      if (this.values.size >= this.limit) this.values.clear();
      this.values.set(key, value);
    }
    return value;
  }

  get size(): number {
    return this.values.size;
  }
}
