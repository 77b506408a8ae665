import type { Request } from 'express';
import type { AuthenticatedKey } from '@app/partners';

/** What the guards attach to the request. */
export interface AuthRequest extends Request {
  /** set by PartnerApiKeyGuard */
  auth?: AuthenticatedKey;
  /** set by AdminKeyGuard: "bootstrap" or "admin-key:<prefix>" */
  actor?: string;
}

/** one header value; a repeated header is joined by Node and so never a valid key */
export function headerValue(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}
