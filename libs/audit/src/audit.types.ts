/** Who makes a change and under which request: passed by the HTTP layer to every writing service. */
export interface ChangeContext {
  /** e.g. "admin-key:ok_admin_1a2b" or "bootstrap" or "system" */
  actor: string;
  requestId?: string | null;
}

export interface AuditInput {
  /** e.g. "admin-key:ok_admin_1a2b" or "bootstrap" or "system" */
  actor: string;
  /** e.g. "partner.create", "bundle.write", "api_key.revoke" */
  action: string;
  partnerCode?: string | null;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

export interface AuditEntryView {
  id: string;
  actor: string;
  action: string;
  partnerCode: string | null;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  createdAt: Date;
}

export interface AuditListQuery {
  partnerCode?: string;
  action?: string;
  /** inclusive */
  from?: Date;
  /** exclusive */
  to?: Date;
  /** default 50, at most 500 */
  limit?: number;
  /** id of the last entry of the previous page: entries strictly older than it */
  before?: string;
}

export interface AuditPage {
  items: AuditEntryView[];
  /** pass as `before` to get the next (older) page; null on the last page */
  nextBefore: string | null;
}

export const AUDIT_DEFAULT_LIMIT = 50;
export const AUDIT_MAX_LIMIT = 500;
