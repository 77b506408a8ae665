/**
 * Defence in depth: whatever a caller passes as before/after, key material never reaches the
 * audit log. Fields with a secret-looking name are dropped at any depth, and so is any string
 * that has the shape of one of our raw keys.
 */
const SECRET_FIELD_NAMES = new Set(['key', 'secret', 'keyhash', 'secretenc', 'password', 'token', 'apikey', 'adminkey', 'rawkey', 'signingsecret']);

/** the raw key shape of @app/partners (tag + base64url of 32 bytes) */
const RAW_KEY_SHAPE = /^ok_(live|test|admin)_[A-Za-z0-9_-]{43}$/;

const MAX_DEPTH = 32;

function isSecretName(name: string): boolean {
  return SECRET_FIELD_NAMES.has(name.toLowerCase().replace(/[_-]/g, ''));
}

export function scrubSecrets(value: unknown, depth = 0): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return RAW_KEY_SHAPE.test(value) ? '[redacted]' : value;
  if (typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (isSecretName(k) || v === undefined || typeof v === 'function') continue;
    out[k] = scrubSecrets(v, depth + 1);
  }
  return out;
}
