/** What changed between two bundle versions, path by path (the console lists it above the side-by-side diff). */
import { formatBundlePath, type PathSegment } from './bundle-path';

export interface PathChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(before: unknown, after: unknown, at: PathSegment[], out: PathChange[]): void {
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) {
      if (i >= before.length) out.push({ path: formatBundlePath([...at, i]), change: 'added' });
      else if (i >= after.length) out.push({ path: formatBundlePath([...at, i]), change: 'removed' });
      else walk(before[i], after[i], [...at, i], out);
    }
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of Object.keys(before)) {
      if (!Object.hasOwn(after, key)) out.push({ path: formatBundlePath([...at, key]), change: 'removed' });
      else walk(before[key], after[key], [...at, key], out);
    }
    for (const key of Object.keys(after)) if (!Object.hasOwn(before, key)) out.push({ path: formatBundlePath([...at, key]), change: 'added' });
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path: formatBundlePath(at), change: 'changed' });
}

/** Every path where `after` differs from `before`: in `before` order, then what `after` adds. */
export function diffPaths(before: unknown, after: unknown): PathChange[] {
  const out: PathChange[] = [];
  walk(before, after, [], out);
  return out;
}

/** A bundle as the editor and the diff show it. */
export function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
