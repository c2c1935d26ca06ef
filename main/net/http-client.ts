/**
 * How a remote site talks HTTP to its central server. Two implementations sit behind this one
 * interface: Node's own HTTP client (node-http-client.ts) and Electron's `net`
 * (main/electron/net-http-client.ts, which uses the system's proxy settings and certificate store).
 * The site's "Use js node HTTP client" checkbox picks Node's.
 */

export interface SyncHttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The whole exchange (connect, headers and body) must finish within this time. */
  timeoutMs: number;
}

export interface SyncHttpResponse {
  status: number;
  /** Header names in lowercase. */
  headers: Record<string, string>;
  body: string;
}

/** Why no answer came back: each maps to words Check connection shows. */
export type SyncTransportFailure = 'unable_to_connect' | 'timed_out' | 'certificate_not_trusted' | 'bad_response';

export class SyncTransportError extends Error {
  constructor(
    readonly kind: SyncTransportFailure,
    /** Technical detail for logs (an error code such as ECONNREFUSED); never shown as the message. */
    readonly detail: string,
  ) {
    super(`${kind}: ${detail}`);
    this.name = 'SyncTransportError';
  }
}

export interface SyncHttpClient {
  /** For logs and tests: 'node' or 'electron'. */
  readonly name: string;
  /** Resolves with any HTTP answer (including 4xx/5xx); rejects only with {@link SyncTransportError}. */
  request(request: SyncHttpRequest): Promise<SyncHttpResponse>;
}

/** A central's answer larger than this is refused: the sync routes answer with small JSON documents. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

const certificateErrorCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const timeoutErrorCodes = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** Turns whatever Node's fetch or node:http threw into one of the transport failures. */
export function classifyNodeError(error: unknown, timedOut: boolean): SyncTransportError {
  if (error instanceof SyncTransportError) return error;
  const codes = errorCodes(error);
  const detail = codes[codes.length - 1] ?? (error instanceof Error ? error.name : 'unknown');
  if (codes.some((c) => certificateErrorCodes.has(c))) return new SyncTransportError('certificate_not_trusted', detail);
  if (timedOut || codes.some((c) => timeoutErrorCodes.has(c))) return new SyncTransportError('timed_out', detail);
  return new SyncTransportError('unable_to_connect', detail);
}

/** Reads a fetch Response body as text, refusing more than `limit` bytes. */
export async function readBodyLimited(response: Response, limit = MAX_RESPONSE_BYTES): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await response.body?.cancel();
    throw new SyncTransportError('bad_response', `answer of ${declared} bytes is too large`);
  }
  if (!response.body) return '';
  // A declared length within the limit, not compressed (so the length is the body's), is read whole:
  // a sync answer of several megabytes arrives sooner so than chunk by chunk through the reader below.
  const encoding = response.headers.get('content-encoding') ?? 'identity';
  if (response.headers.has('content-length') && encoding === 'identity') return Buffer.from(await response.arrayBuffer()).toString('utf8');
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new SyncTransportError('bad_response', 'answer is too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key.toLowerCase()] = value;
  });
  return headers;
}

/**
 * One exchange over a fetch implementation with a time limit for the whole of it; shared by the
 * Node and Electron clients, which differ only in the fetch they use and how they read its errors.
 */
export async function fetchWithTimeout<Init extends RequestInit>(
  fetchImpl: (url: string, init: Init) => Promise<Response>,
  request: SyncHttpRequest,
  extraInit: Partial<Init>,
  classify: (error: unknown, timedOut: boolean) => SyncTransportError,
): Promise<SyncHttpResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  try {
    const response = await fetchImpl(request.url, {
      ...extraInit,
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
      // Credentials travel on every call: never follow a redirect with them; report it instead.
      redirect: 'manual',
    } as Init);
    const body = await readBodyLimited(response);
    return { status: response.status, headers: headersOf(response), body };
  } catch (error) {
    throw classify(error, timedOut);
  } finally {
    clearTimeout(timer);
  }
}
