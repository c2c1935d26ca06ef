/**
 * The contract over HTTP from the other end: the desktop app working against a server (File >
 * Connect to server...) instead of a local datafile. Each operation is `POST <server>/api/op/<op>`
 * (main/http/admin-api.ts) and answers with the contract's Result, so the windows cannot tell
 * the difference. Every failure on the way (bad address, no answer, a server that is not ours)
 * becomes an error value in words, never a thrown exception.
 *
 * No electron and no fastify import: Electron main bundles this file, and tests run it under Node.
 */
import { type OperationName, operationNames, type SyncSitesApi } from '../../shared/contract';
import { appError, type AppError, isResult, type Result } from '../../shared/errors';
import { CSRF_HEADER, operationPath, SESSION_COOKIE } from '../../shared/http-api';
import { classifyNodeError, readBodyLimited, type SyncTransportError } from '../net/http-client';

export { CSRF_HEADER, SESSION_COOKIE };

/** Long enough for a login, whose password hashing is deliberately slow on the server. */
export const DEFAULT_SERVER_TIMEOUT_MS = 20_000;

export interface HttpApiClientOptions {
  timeoutMs?: number;
  /** Node's fetch unless a test or another runtime provides its own (Electron's net: main/electron). */
  fetch?: typeof fetch;
  /** How that fetch's errors read (default: Node's error codes). */
  classifyError?: (error: unknown, timedOut: boolean) => SyncTransportError;
}

const exampleAddress = 'http://server:2048';

/**
 * Checks a server address as a person typed it and returns it in one spelling (no trailing slash).
 * A bare `host:port` means http, as in the address the server prints when it starts.
 */
export function parseServerUrl(raw: string): Result<string> {
  const typed = raw.trim();
  if (!typed) return invalidUrl(`Enter the address of the server, for example ${exampleAddress}.`);
  const withScheme = /^(\[[0-9a-f:.]+\]|[\w.-]+)(:\d+)?(\/.*)?$/i.test(typed) ? `http://${typed}` : typed;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return invalidUrl(`"${typed}" is not a server address. Enter one like ${exampleAddress}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return invalidUrl(`Only http:// and https:// server addresses can be used, not ${url.protocol}//.`);
  }
  if (url.username || url.password) {
    return invalidUrl('Leave the user name and password out of the address: enter them in the Log in window.');
  }
  if (!url.hostname) return invalidUrl(`"${typed}" has no server name. Enter one like ${exampleAddress}.`);
  const pathname = url.pathname.replace(/\/+$/, '');
  return { ok: true, value: `${url.origin}${pathname}` };
}

function invalidUrl(message: string): Result<never> {
  return { ok: false, error: appError('validation_failed', message, { issues: [{ field: 'url', message }] }) };
}

function inSeconds(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

/**
 * What a Set-Cookie header means for our session cookie: a new token, removal (empty value or
 * expiry in the past), or nothing (another cookie).
 */
export function sessionCookieChange(setCookie: string, now = Date.now()): { token: string | null } | null {
  const [pair = '', ...attributes] = setCookie.split(';');
  const equals = pair.indexOf('=');
  if (equals < 0 || pair.slice(0, equals).trim() !== SESSION_COOKIE) return null;
  const token = pair.slice(equals + 1).trim();
  for (const attribute of attributes) {
    const [name = '', value = ''] = attribute.split('=').map((part) => part.trim());
    if (name.toLowerCase() === 'max-age' && Number(value) <= 0) return { token: null };
    if (name.toLowerCase() === 'expires' && Date.parse(value) <= now) return { token: null };
  }
  return { token: token || null };
}

// The class gets one method per contract operation in its constructor; this declaration types them.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface HttpApiClient extends SyncSitesApi {}

/**
 * One login on one server. Holds only the server's session cookie, in memory, and sends it back
 * only to that server: redirects are never followed, so the cookie cannot leak to another host.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class HttpApiClient {
  private sessionToken: string | null = null;
  private readonly timeoutMs: number;
  private readonly doFetch: typeof fetch;
  private readonly classifyError: (error: unknown, timedOut: boolean) => SyncTransportError;

  /** The address must already be checked by {@link parseServerUrl}; {@link HttpApiClient.connect} does both. */
  constructor(
    readonly url: string,
    options: HttpApiClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SERVER_TIMEOUT_MS;
    this.doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
    this.classifyError = options.classifyError ?? classifyNodeError;
    for (const operation of operationNames) {
      (this as unknown as Record<string, (input: unknown) => Promise<Result<unknown>>>)[operation] = (input) => this.call(operation, input);
    }
  }

  /** True while the server has given this client a session (between login and logout). */
  get hasSession(): boolean {
    return this.sessionToken !== null;
  }

  /** Forgets the session without telling the server (it ends there by itself when idle). */
  forgetSession(): void {
    this.sessionToken = null;
  }

  /** One operation; `input` is sent as given (the server validates it again with the contract). */
  async call(operation: OperationName, input: unknown, options: { timeoutMs?: number } = {}): Promise<Result<unknown>> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', [CSRF_HEADER]: '1' };
      if (this.sessionToken) headers.cookie = `${SESSION_COOKIE}=${this.sessionToken}`;
      let response: Response;
      try {
        response = await this.doFetch(`${this.url}${operationPath(operation)}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input ?? {}),
          redirect: 'manual',
          signal: controller.signal,
        });
      } catch (error) {
        return { ok: false, error: this.unreachable(error, timedOut, timeoutMs) };
      }
      this.takeSessionCookie(response);
      let body: unknown;
      try {
        body = JSON.parse(await readBodyLimited(response));
      } catch (error) {
        if (timedOut) return { ok: false, error: this.unreachable(error, true, timeoutMs) };
        body = undefined;
      }
      if (!isResult(body)) return { ok: false, error: this.notOurServer(response) };
      // Logged out on the server, whatever the answer: a stale token must not be sent again.
      if (operation === 'logout') this.sessionToken = null;
      return body;
    } finally {
      clearTimeout(timer);
    }
  }

  private takeSessionCookie(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const change = sessionCookieChange(header);
      if (change) this.sessionToken = change.token;
    }
  }

  private unreachable(error: unknown, timedOut: boolean, timeoutMs: number): AppError {
    const failure = this.classifyError(error, timedOut);
    switch (failure.kind) {
      case 'timed_out':
        return appError(
          'server_unreachable',
          `The server at ${this.url} did not answer within ${inSeconds(timeoutMs)}. Check the address and the network.`,
        );
      case 'certificate_not_trusted':
        return appError(
          'server_unreachable',
          `The server at ${this.url} did not show a certificate this computer trusts (${failure.detail}). Ask whoever runs the server which address to use.`,
        );
      default:
        return appError('server_unreachable', `Unable to reach the server at ${this.url}. Check the address and the network.`);
    }
  }

  private notOurServer(response: Response): AppError {
    const redirect = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
    const detail = redirect ? `HTTP ${response.status}, it sent the app on to ${redirect}` : `HTTP ${response.status}`;
    return appError(
      'server_not_recognised',
      `The address ${this.url} answered, but not as an mSupply Sync Sites server (${detail}). Check the address: it should be the one the server shows when it starts.`,
    );
  }
}
