/**
 * The remote site's HTTP client inside Electron: `net.fetch` goes through Chromium's network stack,
 * so it honours the system proxy settings and the operating system's certificate store (a central
 * server with a company CA works without extra setup). Used unless the active site's
 * "Use js node HTTP client" checkbox is ticked. Only usable after app 'ready', in the main process.
 */
import { net } from 'electron';
import {
  fetchWithTimeout,
  type SyncHttpClient,
  type SyncHttpRequest,
  type SyncHttpResponse,
  SyncTransportError,
} from '../net/http-client';

/** Chromium's net error names (net::ERR_...) arrive in the error message; they decide the failure kind. */
export function classifyNetError(error: unknown, timedOut: boolean): SyncTransportError {
  if (error instanceof SyncTransportError) return error;
  const text = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error);
  const netError = /net::(ERR_[A-Z0-9_]+)/.exec(text)?.[1] ?? (error instanceof Error ? error.name : 'unknown');
  if (/^ERR_(CERT_|SSL_|BAD_SSL_CLIENT_AUTH)/.test(netError)) return new SyncTransportError('certificate_not_trusted', netError);
  if (timedOut || netError === 'ERR_TIMED_OUT' || netError === 'ERR_CONNECTION_TIMED_OUT') {
    return new SyncTransportError('timed_out', netError);
  }
  return new SyncTransportError('unable_to_connect', netError);
}

export class NetHttpClient implements SyncHttpClient {
  readonly name = 'electron';

  request(request: SyncHttpRequest): Promise<SyncHttpResponse> {
    return fetchWithTimeout(
      (url, init: RequestInit & { bypassCustomProtocolHandlers?: boolean }) => net.fetch(url, init),
      request,
      // Chromium would otherwise answer from its HTTP cache or attach the browser session's cookies.
      { cache: 'no-store', credentials: 'omit', bypassCustomProtocolHandlers: true },
      classifyNetError,
    );
  }
}
