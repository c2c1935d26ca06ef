/**
 * Node's own HTTP client (node:http and node:https): what the site's "Use js node HTTP client"
 * checkbox picks, and the client of the headless tools and tests.
 *
 * Not Node's fetch: a sync answer of several megabytes went through fetch's web streams chunk by
 * chunk, and reading one took 8–24 ms after the answer had arrived against 4–8 ms here (10,000
 * stock lines, 3 MB, measured side by side); a run's first call also paid about 60 ms for loading
 * fetch. Initialising a site reads ten such answers per 100,000 lines (docs/benchmark-history.md,
 * "Initialising a remote"). What fetch did for us is done here: the time limit on the whole
 * exchange, the size limit on the answer, compressed answers, no redirects followed, kept-alive
 * connections.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import {
  classifyNodeError,
  MAX_RESPONSE_BYTES,
  type SyncHttpClient,
  type SyncHttpRequest,
  type SyncHttpResponse,
  SyncTransportError,
} from './http-client';

/** The answer's body as sent before compression, or null for an encoding this client cannot read. */
function decoded(response: http.IncomingMessage): Readable | null {
  const encoding = String(response.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding === 'identity' || encoding === '') return response;
  if (encoding === 'gzip' || encoding === 'x-gzip') return response.pipe(zlib.createGunzip());
  if (encoding === 'deflate') return response.pipe(zlib.createInflate());
  if (encoding === 'br') return response.pipe(zlib.createBrotliDecompress());
  return null;
}

function headersOf(response: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export class NodeHttpClient implements SyncHttpClient {
  readonly name = 'node';
  /** Connections kept open between calls (a run makes dozens); an idle one does not keep the process running. */
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  constructor(private readonly limit = MAX_RESPONSE_BYTES) {}

  request(request: SyncHttpRequest): Promise<SyncHttpResponse> {
    return new Promise<SyncHttpResponse>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        reject(new SyncTransportError('unable_to_connect', 'invalid URL'));
        return;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        reject(new SyncTransportError('unable_to_connect', `unsupported protocol ${url.protocol}`));
        return;
      }
      const secure = url.protocol === 'https:';

      // The first outcome wins; whatever the connection reports after it is of no interest.
      let settled = false;
      let timedOut = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const fail = (error: unknown) => settle(() => reject(classifyNodeError(error, timedOut)));

      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
      // node:http never follows a redirect: a 3xx comes back as it is, as fetch's redirect: 'manual' did.
      const call = (secure ? https : http).request(url, { method: request.method, headers, agent: secure ? this.agents.https : this.agents.http });
      const timer = setTimeout(() => {
        timedOut = true;
        call.destroy(new Error('the exchange took longer than its time limit'));
      }, request.timeoutMs);
      call.on('error', fail);
      call.on('response', (response) => {
        response.on('error', fail);
        const refuse = (detail: string) => {
          fail(new SyncTransportError('bad_response', detail));
          call.destroy();
        };
        const declared = Number(response.headers['content-length'] ?? 0);
        if (declared > this.limit) return refuse(`answer of ${declared} bytes is too large`);
        const body = decoded(response);
        if (!body) return refuse(`answer in an unknown encoding: ${String(response.headers['content-encoding']).slice(0, 40)}`);
        const chunks: Buffer[] = [];
        let total = 0;
        body.on('error', fail);
        body.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > this.limit) refuse('answer is too large');
          else chunks.push(chunk);
        });
        body.on('end', () =>
          settle(() => resolve({ status: response.statusCode ?? 0, headers: headersOf(response), body: Buffer.concat(chunks).toString('utf8') })),
        );
      });
      call.end(request.body);
    });
  }
}
