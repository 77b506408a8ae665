/**
 * The admin key of this tab: in memory and in sessionStorage (so a reload keeps the session),
 * never in a cookie, a URL or a log. Also the unsaved bundle text per partner, for Preview.
 */

const KEY_ITEM = 'offers-console.admin-key';
const DRAFT_PREFIX = 'offers-console.bundle-draft.';

let adminKey: string | null = readItem(KEY_ITEM);

function readItem(name: string): string | null {
  try {
    return sessionStorage.getItem(name);
  } catch {
    return null;
  }
}

function writeItem(name: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(name);
    else sessionStorage.setItem(name, value);
  } catch {
    // storage refused (private mode, quota): the value lives in memory only
  }
}

export function currentAdminKey(): string | null {
  return adminKey;
}

export function signIn(key: string): void {
  adminKey = key;
  writeItem(KEY_ITEM, key);
}

export function signOut(): void {
  adminKey = null;
  writeItem(KEY_ITEM, null);
}

/** The editor's unsaved bundle text for a partner, if any. */
export function bundleDraft(code: string): string | null {
  return readItem(DRAFT_PREFIX + code);
}

export function saveBundleDraft(code: string, text: string | null): void {
  writeItem(DRAFT_PREFIX + code, text);
}
