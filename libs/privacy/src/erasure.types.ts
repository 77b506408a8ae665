import type { ChangeContext } from '@app/audit';
import type { LookupKind } from './lookup-key';

/** Whom to erase: a partner's customer, by e-mail or by the partner's own customer id (exactly one). */
export interface ErasureRequest {
  partnerCode: string;
  email?: string;
  customerId?: string;
}

export interface ErasureResult {
  /** the erasure's id, also in the audit log (`target_id`) */
  id: string;
  /** offers erased (their request, response and everything stored about them) */
  offers: number;
  /** bookings erased (with their quotes, events, priced changes and webhook deliveries) */
  bookings: number;
  completedAt: Date;
}

export type ErasureContext = ChangeContext;

/** The identifier an erasure looks for, normalised (an e-mail lower-cased). */
export interface Identifier {
  kind: LookupKind;
  value: string;
}

/** The audit action of an erasure. */
export const ERASURE_AUDIT_ACTION = 'privacy.erasure';
