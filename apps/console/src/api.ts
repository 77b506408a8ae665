/**
 * Calls to the admin API with the session's key (`X-Admin-Key`). Errors become ApiError (the
 * API's error envelope); a 401 anywhere ends the session and tells the app to show the sign-in.
 */
import type { Partner } from './api-types';
import { currentAdminKey, signOut } from './session';

export interface ErrorEnvelope {
  type?: string;
  code?: string;
  message?: string;
  errors?: Record<string, string[]>;
  error_id?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** path → messages (a bundle path, a JSON pointer or a field name) */
    readonly problems: Record<string, string[]> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Sent on window when a 401 has ended the session. */
export const SIGNED_OUT_EVENT = 'console-signed-out';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toApiError(status: number, body: unknown, statusText: string): ApiError {
  const envelope: ErrorEnvelope = isObject(body) ? body : {};
  const problems: Record<string, string[]> = {};
  if (isObject(envelope.errors)) {
    for (const [path, messages] of Object.entries(envelope.errors)) {
      problems[path] = Array.isArray(messages) ? messages.map(String) : [String(messages)];
    }
  }
  return new ApiError(status, envelope.code ?? `http_${status}`, envelope.message ?? (statusText || `HTTP ${status}`), problems);
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** One admin API call with an explicit key (sign-in checks a key before keeping it). */
export async function requestWithKey<T>(key: string, method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-Admin-Key': key };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached');
  }
  const parsed = await readBody(response);
  if (!response.ok) throw toApiError(response.status, parsed, response.statusText);
  return parsed as T;
}

/** One admin API call with the session's key; a 401 signs out. */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const key = currentAdminKey();
  if (key === null) {
    window.dispatchEvent(new CustomEvent(SIGNED_OUT_EVENT));
    throw new ApiError(401, 'signed_out', 'Signed out');
  }
  try {
    return await requestWithKey<T>(key, method, path, body);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && currentAdminKey() === key) {
      signOut();
      window.dispatchEvent(new CustomEvent(SIGNED_OUT_EVENT));
    }
    throw error;
  }
}

/** `/admin/partners/{code}` + rest, the code escaped. */
export function partnerPath(code: string, rest = ''): string {
  return `/admin/partners/${encodeURIComponent(code)}${rest}`;
}

/** An error of any kind as an ApiError (a thrown non-API error becomes `client_error`). */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
}

/** A partner by code from the list (undefined when there is none: no 404 to log in the browser). */
export async function findPartner(code: string): Promise<Partner | undefined> {
  const list = await api<{ items: Partner[] }>('GET', '/admin/partners');
  return list.items.find((p) => p.code === code);
}
