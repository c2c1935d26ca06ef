/**
 * HTTP requests from a chosen loopback address (127.0.0.2, 127.0.0.3, ...): on Linux all of
 * 127.0.0.0/8 is this machine, so tests can play several clients on different addresses against a
 * server listening on 127.0.0.1. Also sends any Host header, which fetch does not allow.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface HttpFromOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Local address to send from (default: the system's choice, 127.0.0.1 on loopback). */
  from?: string;
}

export function httpFrom(url: string, options: HttpFromOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.from,
        agent: false,
        rejectUnauthorized: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}
