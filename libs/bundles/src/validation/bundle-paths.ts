/**
 * Bundle problem paths read like property access: `offer_configs[0].products[1].pricing.premium`,
 * `offer_configs[0].content.en.products.WARRANTY_2Y.title`, `schemas[0].json_schema.properties.x.pattern`.
 */
const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

export function childPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const part = PLAIN_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (!base) return part.startsWith('[') ? part : key;
  return part.startsWith('[') ? `${base}${part}` : `${base}.${part}`;
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * A JSON pointer inside `data` (rooted at `base`) as a bundle path; a numeric token is an index
 * only where the data there is an array (content languages or product codes may look numeric).
 */
export function pointerToPath(base: string, pointer: string, data: unknown): string {
  if (!pointer) return base;
  let path = base;
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const token = unescapePointerToken(raw);
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(token)) {
      const index = Number(token);
      path = childPath(path, index);
      node = node[index];
    } else {
      path = childPath(path, token);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[token] : undefined;
    }
  }
  return path;
}
