import type { KeyMode } from './entities/api-key.entity';
import type { PartnerRateLimits, PartnerStatus } from './entities/partner.entity';

export const PARTNER_CODE_PATTERN = /^[A-Z0-9_-]{2,32}$/;

/** A partner as the rest of the app sees it (never the entity). */
export interface PartnerView {
  id: string;
  code: string;
  name: string;
  status: PartnerStatus;
  defaultSchema: string | null;
  rateLimits: PartnerRateLimits | null;
  /** number of the bundle version in force; 0 before the first bundle */
  currentVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What the audit log keeps of a partner (snake_case, as the admin API shows it). */
export interface PartnerSnapshot {
  code: string;
  name: string;
  status: PartnerStatus;
  default_schema: string | null;
  rate_limits: PartnerRateLimits | null;
  current_version: number;
}

export interface CreatePartnerInput {
  code: string;
  name: string;
  status?: PartnerStatus;
  defaultSchema?: string | null;
  rateLimits?: PartnerRateLimits | null;
}

export interface UpdatePartnerInput {
  name?: string;
  status?: PartnerStatus;
  /** null clears the overrides (the default rate limits apply) */
  rateLimits?: PartnerRateLimits | null;
}

export interface ApiKeyView {
  id: string;
  partnerCode: string;
  name: string;
  mode: KeyMode;
  prefix: string;
  signing: boolean;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface CreateApiKeyInput {
  mode: KeyMode;
  name?: string;
  signing?: boolean;
}

/** Returned once, at creation: the only time the raw key (and secret) exist outside the caller. */
export interface CreatedApiKey {
  id: string;
  key: string;
  prefix: string;
  mode: KeyMode;
  name: string;
  signing: boolean;
  /** the signing secret (signing keys only): shown once, stored only encrypted */
  secret?: string;
  createdAt: Date;
}

/** The partner key a request authenticated with (what guards attach to the request). */
export interface AuthenticatedKey {
  keyId: string;
  partnerId: string;
  partnerCode: string;
  partnerStatus: PartnerStatus;
  mode: KeyMode;
}

/** A partner request with only `X-Api-Key`. */
export type ApiKeyAuthOutcome =
  | { ok: true; auth: AuthenticatedKey }
  /** `invalid`: missing, unknown or revoked; `signature_required`: a signing key without a signature */
  | { ok: false; reason: 'invalid' | 'signature_required' };

/** Why a signed request was refused: for logs and tests; clients get one body for all. */
export type SignatureFailure =
  | 'malformed'
  | 'unsupported_algorithm'
  | 'key_mismatch'
  | 'date_not_signed'
  | 'date_missing'
  | 'date_skew'
  | 'header_missing'
  | 'unknown_key'
  | 'not_signing_key'
  | 'secret_unavailable'
  | 'bad_signature';

export type SignedAuthOutcome = { ok: true; auth: AuthenticatedKey } | { ok: false; reason: SignatureFailure };

/** What the signature check needs of an HTTP request (the guard adapts Express to it). */
export interface SignedRequestInput {
  /** the `Authorization` header */
  authorization: string;
  /** `X-Api-Key`, when also sent */
  apiKey: string | undefined;
  method: string;
  /** the path as sent, without the query string */
  path: string;
  /** one header value by lower-case name */
  header(name: string): string | undefined;
}

export interface AdminKeyView {
  id: string;
  name: string;
  prefix: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface CreatedAdminKey {
  id: string;
  key: string;
  prefix: string;
  name: string;
  createdAt: Date;
}

/** Who an admin request authenticated as. */
export interface AdminPrincipal {
  /** "bootstrap" for ADMIN_API_KEY, else "admin-key:<prefix>" */
  actor: string;
  /** null for the bootstrap key */
  keyId: string | null;
}

export function partnerSnapshot(p: PartnerView): PartnerSnapshot {
  return {
    code: p.code,
    name: p.name,
    status: p.status,
    default_schema: p.defaultSchema,
    rate_limits: p.rateLimits,
    current_version: p.currentVersion,
  };
}
