/**
 * Bundle problem paths as the server writes them (`offer_configs[0].products[1].pricing.premium`,
 * `offer_configs[0].content["fr-CA"].title`, `bundle` for the whole document) and where such a
 * path lies in the JSON text of the editor, found through its Lezer JSON syntax tree.
 */
import type { SyntaxNode, Tree } from '@lezer/common';

export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;
const ROOT_PATH = 'bundle';

/** Returns the segments of a bundle path, [] for the whole bundle, or null when it is not one. */
export function parseBundlePath(path: string): PathSegment[] | null {
  if (path === '' || path === ROOT_PATH) return [];
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '[') {
      if (path[i + 1] === '"') {
        const end = closingQuote(path, i + 2);
        if (end < 0 || path[end + 1] !== ']') return null;
        try {
          segments.push(JSON.parse(path.slice(i + 1, end + 1)) as string);
        } catch {
          return null;
        }
        i = end + 2;
      } else {
        const end = path.indexOf(']', i);
        const digits = end < 0 ? '' : path.slice(i + 1, end);
        if (!/^(0|[1-9][0-9]*)$/.test(digits)) return null;
        segments.push(Number(digits));
        i = end + 1;
      }
      continue;
    }
    if (ch === '.') {
      if (segments.length === 0) return null;
      i++;
    } else if (segments.length > 0) {
      return null;
    }
    let end = i;
    while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
    const key = path.slice(i, end);
    if (!PLAIN_KEY.test(key)) return null;
    segments.push(key);
    i = end;
  }
  return segments;
}

/** Index of the `"` that closes a JSON string whose content starts at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** Writes segments back as a bundle path (the inverse of parseBundlePath). */
export function formatBundlePath(segments: readonly PathSegment[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) path += path ? `.${segment}` : segment;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path || ROOT_PATH;
}

export interface TextRange {
  from: number;
  to: number;
  /** false: the path itself is not in the text (a missing property, say); the range is its nearest ancestor's */
  exact: boolean;
}

const VALUE_NODES = new Set(['Object', 'Array', 'String', 'Number', 'True', 'False', 'Null']);

function valueChildren(node: SyntaxNode): SyntaxNode[] {
  const values: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (VALUE_NODES.has(child.name)) values.push(child);
  return values;
}

function propertyValue(node: SyntaxNode, key: string, text: string): { name: SyntaxNode; value: SyntaxNode } | null {
  let found: { name: SyntaxNode; value: SyntaxNode } | null = null;
  for (let property = node.firstChild; property; property = property.nextSibling) {
    if (property.name !== 'Property') continue;
    const name = property.getChild('PropertyName');
    if (!name) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.slice(name.from, name.to));
    } catch {
      continue;
    }
    const value = valueChildren(property)[0];
    // the last of duplicate keys wins, as in JSON.parse
    if (parsed === key && value) found = { name, value };
  }
  return found;
}

/**
 * Where `segments` lie in `text` (parsed into `tree` by the JSON grammar): a primitive value's own
 * range; for an object or array, its property name (or its opening bracket inside an array), so a
 * mark stays short. Null when not even the document's top value is there.
 */
export function locatePath(tree: Tree, text: string, segments: readonly PathSegment[]): TextRange | null {
  const top = valueChildren(tree.topNode)[0];
  if (!top) return null;
  let node = top;
  let name: SyntaxNode | null = null;
  let exact = true;
  for (const segment of segments) {
    let next: { name: SyntaxNode | null; value: SyntaxNode } | null = null;
    if (typeof segment === 'number' && node.name === 'Array') {
      const item = valueChildren(node)[segment];
      if (item) next = { name: null, value: item };
    } else if (node.name === 'Object') {
      next = propertyValue(node, String(segment), text);
    }
    if (!next) {
      exact = false;
      break;
    }
    node = next.value;
    name = next.name;
  }
  if (node.name === 'Object' || node.name === 'Array') {
    if (name) return { from: name.from, to: name.to, exact };
    return { from: node.from, to: node.from + 1, exact };
  }
  return { from: node.from, to: node.to, exact };
}
