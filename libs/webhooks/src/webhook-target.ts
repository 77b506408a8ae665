import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

/**
 * Decides whether a webhook URL may be called (the README's "Webhooks": safe targets).
 *
 * Used twice: when an endpoint is created or its URL changed (a refusal there is a 422
 * `webhook_url_invalid`), and before every delivery attempt, so that a name which later
 * resolves to an internal address (DNS rebinding) is refused too. The caller must then
 * connect to exactly the `address` returned by {@link resolveWebhookTarget} (keeping the
 * URL's hostname for the Host header and TLS SNI), never resolve the name a second time.
 *
 * Reasons are short sentences meant for API errors and delivery logs: they may name the
 * host and the address, never the query string (which may carry a token) nor the userinfo.
 */

export interface WebhookTargetPolicy {
  /** `WEBHOOK_ALLOW_HTTP`: accept `http://` URLs as well as `https://`. */
  allowHttp: boolean;
  /** `WEBHOOK_ALLOW_PRIVATE_NETWORKS`: accept loopback, private and link-local targets. */
  allowPrivateNetworks: boolean;
}

export type Resolve = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

export type WebhookUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export type WebhookTargetCheck = { ok: true; url: URL; address: string; family: 4 | 6 } | { ok: false; reason: string };

export const MAX_WEBHOOK_URL_LENGTH = 2000;

/** Every address a name resolves to (A and AAAA), in the resolver's order. */
export const resolveAll: Resolve = async (hostname) => {
  const addresses = await lookup(hostname, { all: true, verbatim: true });
  return addresses.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

// ---------------------------------------------------------------------------------------------
// Address classification, with node's net.BlockList (no hand-written bit arithmetic).

type V4Range = readonly [network: string, prefix: number];
type V6Range = readonly [network: string, prefix: number];

/** IPv4 special-purpose ranges (IANA registry), by kind. Anything else is public. */
const V4_RANGES: Record<Exclude<AddressKind, 'public'>, readonly V4Range[]> = {
  loopback: [['127.0.0.0', 8]],
  unspecified: [['0.0.0.0', 8]], // "this network", 0.0.0.0 included
  'link-local': [['169.254.0.0', 16]], // includes 169.254.169.254, the cloud metadata endpoint
  private: [
    ['10.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['100.64.0.0', 10], // carrier-grade NAT (also Alibaba's metadata 100.100.100.200)
    ['192.0.0.0', 24], // IETF protocol assignments, not globally reachable
    ['198.18.0.0', 15], // benchmarking, used as internal space
  ],
  multicast: [['224.0.0.0', 4]],
  reserved: [
    ['240.0.0.0', 4], // includes the broadcast 255.255.255.255
    ['192.0.2.0', 24], // documentation (TEST-NET-1/2/3)
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
  ],
};

/** IPv6 ranges that do not embed an IPv4 address, by kind. */
const V6_RANGES: Record<Exclude<AddressKind, 'public'>, readonly V6Range[]> = {
  loopback: [['::1', 128]],
  unspecified: [['::', 128]],
  'link-local': [['fe80::', 10]],
  private: [
    ['fc00::', 7], // unique local (includes AWS's metadata fd00:ec2::254)
    ['fec0::', 10], // deprecated site-local
    ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ],
  multicast: [['ff00::', 8]],
  reserved: [
    ['100::', 64], // discard-only
    ['2001:db8::', 32], // documentation
  ],
};

/**
 * IPv6 prefixes whose last 32 bits are an IPv4 address, judged as that IPv4 address:
 * IPv4-mapped, IPv4-compatible (deprecated, but still routed by some stacks) and NAT64.
 */
const V4_EMBEDDING_V6_PREFIXES = ['::ffff:', '::', '64:ff9b::'] as const;

/** 6to4 (2002::/16) carries its IPv4 address in bits 16..47. */
function sixToFourNetwork(v4: string): string {
  const [a, b, c, d] = v4.split('.').map(Number);
  const hex = (hi: number, lo: number) => (hi * 256 + lo).toString(16);
  return `2002:${hex(a, b)}:${hex(c, d)}::`;
}

const KIND_ORDER: ReadonlyArray<Exclude<AddressKind, 'public'>> = ['loopback', 'unspecified', 'link-local', 'private', 'multicast', 'reserved'];

const BLOCK_LISTS: ReadonlyArray<readonly [Exclude<AddressKind, 'public'>, BlockList]> = KIND_ORDER.map((kind) => {
  const list = new BlockList();
  for (const [network, prefix] of V4_RANGES[kind]) {
    list.addSubnet(network, prefix, 'ipv4');
    for (const v6Prefix of V4_EMBEDDING_V6_PREFIXES) {
      list.addSubnet(`${v6Prefix}${network}`, 96 + prefix, 'ipv6');
    }
    list.addSubnet(sixToFourNetwork(network), 16 + prefix, 'ipv6');
  }
  for (const [network, prefix] of V6_RANGES[kind]) list.addSubnet(network, prefix, 'ipv6');
  return [kind, list] as const;
});

/** IPv6 space that is either global unicast (2000::/3) or carries an IPv4 address judged above. */
const V6_ROUTABLE = new BlockList();
V6_ROUTABLE.addSubnet('2000::', 3, 'ipv6');
for (const v6Prefix of V4_EMBEDDING_V6_PREFIXES) V6_ROUTABLE.addSubnet(`${v6Prefix}0.0.0.0`, 96, 'ipv6');

/**
 * The kind of an IP address (IPv4 dotted, or IPv6 with or without brackets / zone id).
 * Anything that is not a valid IP address, and IPv6 outside global unicast, is `reserved`.
 */
export function addressKind(address: string): AddressKind {
  let candidate = address.trim();
  if (candidate.startsWith('[') && candidate.endsWith(']')) candidate = candidate.slice(1, -1);
  const zone = candidate.indexOf('%');
  if (zone !== -1) candidate = candidate.slice(0, zone);
  const version = isIP(candidate);
  if (version === 0) return 'reserved';
  const family = version === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of BLOCK_LISTS) {
    if (list.check(candidate, family)) return kind;
  }
  if (family === 'ipv6' && !V6_ROUTABLE.check(candidate, 'ipv6')) return 'reserved';
  return 'public';
}

/** Kinds refused whatever the settings. */
const ALWAYS_REFUSED: ReadonlySet<AddressKind> = new Set(['unspecified', 'multicast', 'reserved']);

function isAllowedKind(kind: AddressKind, policy: WebhookTargetPolicy): boolean {
  if (kind === 'public') return true;
  if (ALWAYS_REFUSED.has(kind)) return false;
  return policy.allowPrivateNetworks; // loopback, private, link-local
}

const KIND_PHRASE: Record<AddressKind, string> = {
  public: 'a public address',
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

// ---------------------------------------------------------------------------------------------
// URL checks.

/** Cloud metadata host names, refused as link-local unless private networks are allowed. */
const METADATA_NAMES: ReadonlySet<string> = new Set(['metadata.google.internal', 'metadata']);

/** The URL's hostname without IPv6 brackets; `null` when it is a name, not an IP literal. */
function literalAddress(url: URL): string | null {
  const host = url.hostname;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isIP(bare) === 0 ? null : bare;
}

/** Lower-case name without the trailing root dot(s), for comparing against special names. */
function normalisedName(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, '');
}

function nameKind(hostname: string): AddressKind | null {
  const name = normalisedName(hostname);
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (METADATA_NAMES.has(name)) return 'link-local';
  return null;
}

/**
 * Synchronous checks: syntax, scheme, credentials, fragment, length, and, when the host is an
 * IP literal or a special name (localhost, metadata), the address rules.
 * The URL parser normalises decimal, hex and octal IPv4 forms to dotted quads before the check.
 * Callers should store `url.href` (normalised) rather than the input.
 */
export function checkWebhookUrlSyntax(url: string, policy: WebhookTargetPolicy): WebhookUrlCheck {
  if (typeof url !== 'string' || url.trim() === '') {
    return { ok: false, reason: 'The URL is empty.' };
  }
  if (url.length > MAX_WEBHOOK_URL_LENGTH) {
    return { ok: false, reason: `The URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters.` };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'The URL is not a valid absolute URL.' };
  }
  if (parsed.href.length > MAX_WEBHOOK_URL_LENGTH) {
    return { ok: false, reason: `The URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters.` };
  }

  const scheme = parsed.protocol;
  if (scheme !== 'https:' && !(scheme === 'http:' && policy.allowHttp)) {
    if (scheme === 'http:') {
      return { ok: false, reason: 'The URL must use https:// (http:// is not allowed).' };
    }
    const allowed = policy.allowHttp ? 'https:// or http://' : 'https://';
    return { ok: false, reason: `The URL scheme "${scheme.slice(0, -1).slice(0, 20)}" is not allowed; use ${allowed}.` };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return { ok: false, reason: 'The URL must not contain a user name or password.' };
  }
  if (parsed.hostname === '') {
    return { ok: false, reason: 'The URL has no host.' };
  }
  // '#' only survives serialisation as the fragment delimiter (elsewhere it is percent-encoded),
  // so this also catches an empty fragment ("https://x/#").
  if (parsed.hash !== '' || parsed.href.includes('#')) {
    return { ok: false, reason: 'The URL must not contain a fragment (#…).' };
  }

  const host = parsed.hostname;
  const literal = literalAddress(parsed);
  if (literal !== null) {
    const kind = addressKind(literal);
    if (!isAllowedKind(kind, policy)) {
      return { ok: false, reason: `The URL host ${host} is ${KIND_PHRASE[kind]}.` };
    }
    return { ok: true, url: parsed };
  }
  const special = nameKind(host);
  if (special !== null && !isAllowedKind(special, policy)) {
    return { ok: false, reason: `The URL host ${host} is ${KIND_PHRASE[special]}.` };
  }
  return { ok: true, url: parsed };
}

function dnsErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code)) return code;
  }
  return undefined;
}

const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);

/**
 * The syntax check, then every address the host resolves to must be allowed (one refused
 * address refuses the URL). Returns the first resolved address: connect to exactly that one.
 */
export async function resolveWebhookTarget(url: string, policy: WebhookTargetPolicy, resolve: Resolve = resolveAll): Promise<WebhookTargetCheck> {
  const syntax = checkWebhookUrlSyntax(url, policy);
  if (!syntax.ok) return syntax;
  const parsed = syntax.url;
  const host = parsed.hostname;

  const literal = literalAddress(parsed);
  if (literal !== null) {
    // Already judged by the syntax check.
    return { ok: true, url: parsed, address: literal, family: isIP(literal) === 6 ? 6 : 4 };
  }

  let addresses: Array<{ address: string; family: 4 | 6 }>;
  try {
    addresses = await resolve(host);
  } catch (error) {
    const code = dnsErrorCode(error);
    if (code === undefined || NOT_FOUND_CODES.has(code)) {
      return { ok: false, reason: `The URL host ${host} does not resolve.` };
    }
    return { ok: false, reason: `The URL host ${host} does not resolve (DNS error ${code}).` };
  }
  if (!Array.isArray(addresses) || addresses.length === 0) {
    return { ok: false, reason: `The URL host ${host} does not resolve.` };
  }

  for (const { address } of addresses) {
    const kind = addressKind(address);
    if (!isAllowedKind(kind, policy)) {
      const shown = isIP(address) === 0 ? 'an invalid address' : address;
      return { ok: false, reason: `The URL host ${host} resolves to ${shown}, ${KIND_PHRASE[kind]}.` };
    }
  }
  // Every address passed addressKind, so each is a valid IP (an IPv6 zone id is kept).
  const address = addresses[0].address;
  return { ok: true, url: parsed, address, family: isIP(address) === 6 ? 6 : 4 };
}
