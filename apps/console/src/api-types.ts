/** The admin API's answers, as the console reads them. */
import type { MinorAmount } from './format';
import type { JsonSchema } from './sample-request';

export interface Partner {
  id: string;
  code: string;
  name: string;
  status: 'active' | 'suspended';
  default_schema: string | null;
  current_version: number;
  created_at: string;
  updated_at: string;
}

export interface BundleWriteResult {
  partner: string;
  version: number;
  applied_at: string;
}

export interface BundleVersion {
  version: number;
  source: string;
  created_by: string;
  created_at: string;
  current: boolean;
}

export interface OfferSchema {
  id: string;
  description?: string;
  json_schema: JsonSchema;
}

export interface ApiKey {
  id: string;
  name: string;
  mode: 'live' | 'test';
  prefix: string;
  signing: boolean;
  created_at: string;
  revoked_at: string | null;
}

export interface CreatedApiKey {
  id: string;
  key: string;
  prefix: string;
  mode: 'live' | 'test';
  name: string;
  created_at: string;
  secret?: string;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  format: string;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  created_at: string;
}

export interface CreatedWebhookEndpoint extends WebhookEndpoint {
  secret: string;
}

export interface WebhookDelivery {
  id: string;
  event_id: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  partner_code: string | null;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  created_at: string;
}

export interface AuditPage {
  items: AuditEntry[];
  next_before: string | null;
}

export type WhenTrace = { expression: string | null; result: boolean } | { expression: string; error: string };
export type AccessTrace = { admitted: true } | { admitted: false; denied_by: string };

export interface ConfigTrace {
  config_id: string;
  priority: number;
  schema_match: boolean;
  status: string;
  status_ok: boolean;
  excluded: boolean;
  when: WhenTrace | null;
  access: AccessTrace | null;
  selected: boolean;
}

export interface ProductTrace {
  code: string;
  ok: boolean;
  error?: { code: string; message: string };
  inputs?: unknown;
  price?: number;
  amounts?: Record<string, number>;
  experiment?: { key: string; variant: string };
}

export interface OfferTrace {
  schema: string;
  configs: ConfigTrace[];
  experiments: Array<{ key: string; variant: string; unit: string }>;
  products: ProductTrace[];
  content_language: string | null;
}

export interface PreviewResult {
  status: number;
  offer?: Record<string, unknown>;
  error?: { code?: string; message?: string; errors?: Record<string, string[]> };
  trace: OfferTrace;
  bundle_version: number | 'candidate';
}

export interface ConversionFigures {
  offers: number;
  confirmations: number;
  opt_outs: number;
  conversion_rate: number;
  premium_confirmed: MinorAmount[];
  cancellations: number;
  refunded: MinorAmount[];
  net_premium: MinorAmount[];
}

export interface AnalyticsRow extends ConversionFigures {
  offer_config_id: string;
  experiment_key: string | null;
  variant: string | null;
}

export interface AnalyticsDay {
  date: string;
  offer_config_id: string;
  offers: number;
  confirmations: number;
  opt_outs: number;
  conversion_rate: number;
}

export interface Analytics {
  partner: string;
  from: string;
  to: string;
  rows: AnalyticsRow[];
  totals: Array<ConversionFigures & { offer_config_id: string }>;
  daily?: AnalyticsDay[];
}

export interface Person {
  first_name?: string;
  last_name?: string;
  email?: string;
  country?: string;
}

export interface BookingQuote {
  id: string;
  code: string;
  name: string;
  status: string;
  policy_number: string;
  policy_start_date: string;
  policy_end_date: string | null;
  price: number;
  price_formatted: string;
  tax_formatted: string;
  confirmed_at: string;
  cancelled_at: string | null;
  refund_value?: number;
  refund_value_formatted?: string;
  adjustment_fee_formatted?: string;
  policy_coolingoff_date?: string;
  /** once cancelled: when; null in a cancellation preview */
  policy_cancellation_date?: string | null;
}

export interface Booking {
  id: string;
  status: string;
  offer_id: string;
  offer_config_id: string;
  currency: string;
  total_price: number;
  total_price_formatted: string;
  total_tax_formatted: string;
  partner_transaction_id: string | null;
  total_refund: number;
  total_refund_formatted: string;
  created_at: string;
  updated_at: string;
  policyholder: Person;
  quotes: BookingQuote[];
}

export interface CancellationPreview extends Booking {
  cancellation_id: string;
  confirm_before: string;
}

export interface BookingEvent {
  id: string;
  type: string;
  at: string;
  version: number;
  actor: { api_key_id?: string; admin_key_id?: string };
  idempotency_key: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}
