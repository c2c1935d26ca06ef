/**
 * A sync HTTP client over node:http, for renderer tests: jsdom has no fetch, so the remote site's
 * own client cannot run there. It behaves like it: any HTTP answer resolves, no answer rejects with
 * a SyncTransportError.
 */
import http from 'node:http';
import { type SyncHttpClient, SyncTransportError } from '../../main/net/http-client';

export interface NodeHttpSyncClientOptions {
  /** Send every call to this port instead of the URL's (a test server on a random port). */
  port?: () => number;
  /** false: behave like a dropped network. */
  reachable?: () => boolean;
  delayMs?: () => number;
}

export function nodeHttpSyncClient(options: NodeHttpSyncClientOptions = {}): SyncHttpClient {
  return {
    name: 'node-http',
    async request(request) {
      if (options.reachable && !options.reachable()) throw new SyncTransportError('unable_to_connect', 'ECONNREFUSED (test)');
      const delay = options.delayMs?.() ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const url = new URL(request.url);
      if (options.port) url.port = String(options.port());
      return new Promise((resolve, reject) => {
        const call = http.request(url, { method: request.method, headers: request.headers, timeout: request.timeoutMs }, (answer) => {
          let body = '';
          answer.setEncoding('utf8');
          answer.on('data', (chunk) => (body += chunk));
          answer.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(answer.headers)) headers[name.toLowerCase()] = String(value);
            resolve({ status: answer.statusCode ?? 0, headers, body });
          });
        });
        call.on('timeout', () => call.destroy(new Error('timed out')));
        call.on('error', (error) => reject(new SyncTransportError('unable_to_connect', error.message)));
        call.end(request.body);
      });
    },
  };
}
