/**
 * The desktop app's one HTTP client inside Electron, for sync (the remote site's calls to its
 * central) and for File > Connect to server alike. It goes through Chromium's network stack, so it
 * honours the system proxy settings and the operating system's certificate store (a central with a
 * company CA works without extra setup). "Use js node HTTP client" and the headless server use
 * Node's own client instead (main/net/node-http-client.ts). Only usable after app 'ready', in main.
 *
 * Built on `net.request`, not `net.fetch`: with `redirect: 'manual'` net.fetch throws "Redirect was
 * cancelled" instead of answering the 3xx (electron/electron#43715), and it joins several
 * Set-Cookie headers into one with ", ", which breaks getSetCookie(). net.request reports a
 * redirect as an event (status and Location, which the callers put in words) and keeps each
 * Set-Cookie apart.
 */
import { net } from 'electron';
import {
  fetchWithTimeout,
  MAX_RESPONSE_BYTES,
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

/** Statuses whose answer has no body (the Response constructor refuses one). */
const nullBodyStatuses = new Set([101, 204, 205, 304]);

function headersFrom(electronHeaders: Record<string, string | string[]>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(electronHeaders)) {
    // set-cookie is always an array: each cookie stays its own header, so getSetCookie() reads them.
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * fetch() for the app's calls (string or no body, headers as a record, `redirect: 'manual'`
 * always), over Electron's net.request. A redirect answers as a Response with its 3xx status and
 * Location header, never followed: credentials travel on every call. The session's cookies and
 * HTTP cache are not used: each call carries exactly what the caller gives it.
 */
export function netFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const request = net.request({
      url,
      method: init.method ?? 'GET',
      redirect: 'manual',
      credentials: 'omit',
      useSessionCookies: false,
      cache: 'no-store',
      bypassCustomProtocolHandlers: true,
    });
    for (const [name, value] of Object.entries((init.headers ?? {}) as Record<string, string>)) request.setHeader(name, value);
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = () => {
      request.abort();
      settle(() => reject(abortError(signal!)));
    };
    signal?.addEventListener('abort', onAbort);

    request.on('redirect', (status: number, _method: string, redirectUrl: string, responseHeaders: Record<string, string | string[]>) => {
      // Not followed: the answer is the redirect itself, with the absolute address it points to.
      request.abort();
      const headers = headersFrom(responseHeaders);
      headers.set('location', redirectUrl);
      settle(() => resolve(new Response(null, { status, headers })));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let total = 0;
      const headers = headersFrom(response.headers);
      response.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > MAX_RESPONSE_BYTES) {
          request.abort();
          settle(() => reject(new SyncTransportError('bad_response', 'answer is too large')));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        const status = response.statusCode;
        const body = nullBodyStatuses.has(status) ? null : Buffer.concat(chunks);
        settle(() => resolve(new Response(body, { status, statusText: response.statusMessage, headers })));
      });
      response.on('error', (error: Error) => settle(() => reject(error)));
    });
    request.on('error', (error: Error) => settle(() => reject(error)));
    if (typeof init.body === 'string') request.write(init.body);
    request.end();
  });
}

/** The remote site's sync client over {@link netFetch}. */
export class NetHttpClient implements SyncHttpClient {
  readonly name = 'electron';

  request(request: SyncHttpRequest): Promise<SyncHttpResponse> {
    return fetchWithTimeout((url, init) => netFetch(url, init), request, {}, classifyNetError);
  }
}
