import { ERASED } from './lookup-key';
import type { FieldPath } from './scrub';

/**
 * A create-offer request is validated against its partner's JSON Schema again after the sale (a
 * quote for update re-validates it; the warm-up rehearses the latest requests). A personal field
 * whose schema would refuse "[erased]" (a `format` such as email, date or ipv4, a `pattern`, an
 * `enum`, a type other than string, a length) is removed instead, so the erased request still
 * reads as the partner's schema says (unless the field is required).
 */

type SchemaNode = Record<string, unknown>;

function isNode(v: unknown): v is SchemaNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** a local `$ref` (`#/definitions/x`, `#/$defs/x`) resolved in `root`; other refs are not followed */
function resolve(root: SchemaNode, node: SchemaNode, depth = 0): SchemaNode | undefined {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  if (depth > 16 || !ref.startsWith('#/')) return undefined;
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    const name = part.replace(/~1/g, '/').replace(/~0/g, '~');
    target = isNode(target) ? target[name] : undefined;
  }
  return isNode(target) ? resolve(root, target, depth + 1) : undefined;
}

/** The schemas a value at `path` must satisfy (its node and the nodes of its `allOf`), as far as they can be told. */
export function schemasAt(root: unknown, path: FieldPath): SchemaNode[] {
  if (!isNode(root)) return [];
  let nodes: SchemaNode[] = [root];
  for (const segment of path) {
    const next: SchemaNode[] = [];
    for (const node of withAllOf(root, nodes)) {
      let child: unknown;
      if (typeof segment === 'number') child = Array.isArray(node.items) ? node.items[segment] : node.items;
      else if (isNode(node.properties) && isNode(node.properties[segment])) child = node.properties[segment];
      else if (isNode(node.additionalProperties)) child = node.additionalProperties;
      if (isNode(child)) {
        const resolved = resolve(root, child);
        if (resolved) next.push(resolved);
      }
    }
    nodes = next;
    if (nodes.length === 0) return [];
  }
  return withAllOf(root, nodes);
}

function withAllOf(root: SchemaNode, nodes: SchemaNode[]): SchemaNode[] {
  const out: SchemaNode[] = [];
  const add = (node: SchemaNode, depth: number): void => {
    const resolved = resolve(root, node);
    if (!resolved) return;
    out.push(resolved);
    if (depth < 8 && Array.isArray(resolved.allOf)) for (const part of resolved.allOf) if (isNode(part)) add(part, depth + 1);
  };
  for (const n of nodes) add(n, 0);
  return out;
}

/** whether `node` refuses the text "[erased]" */
function refuses(node: SchemaNode): boolean {
  const types = node.type === undefined ? undefined : Array.isArray(node.type) ? node.type : [node.type];
  if (types !== undefined && !types.includes('string')) return true;
  if (typeof node.format === 'string') return true;
  if (typeof node.pattern === 'string') {
    try {
      if (!new RegExp(node.pattern, 'u').test(ERASED)) return true;
    } catch {
      return true;
    }
  }
  if (Array.isArray(node.enum) && !node.enum.includes(ERASED)) return true;
  if ('const' in node && node.const !== ERASED) return true;
  if (typeof node.minLength === 'number' && ERASED.length < node.minLength) return true;
  if (typeof node.maxLength === 'number' && ERASED.length > node.maxLength) return true;
  return false;
}

/** Whether the request schema `root` refuses "[erased]" at `path` (false when the schema says nothing about it). */
export function schemaRefusesErased(root: unknown, path: FieldPath): boolean {
  return schemasAt(root, path).some(refuses);
}
