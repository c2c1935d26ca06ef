/**
 * How the contract travels over HTTP, named once for the three that speak it: the server
 * (main/http/admin-api.ts), the browser transport (renderer/api/transport.ts) and the desktop app
 * connected to a server (main/http/api-client.ts).
 */
import type { OperationName } from './operations';

/** The session token, in an HttpOnly, SameSite=Strict cookie. */
export const SESSION_COOKIE = 'sync_sites_session';
/** Every call carries `x-sync-sites: 1`: a page of another site cannot set it without a CORS preflight. */
export const CSRF_HEADER = 'x-sync-sites';

export function operationPath(operation: OperationName | string): string {
  return `/api/op/${operation}`;
}
