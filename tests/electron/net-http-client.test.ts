/**
 * The desktop app's one Electron HTTP client (net.request), against real servers on 127.0.0.1 and
 * the fake's net, which behaves as Electron documents: redirects are reported in words with their
 * status and Location, several Set-Cookie headers stay apart, Chromium's unsafe ports fail.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { net } from 'electron';
import { NetHttpClient, netFetch } from '../../main/electron/net-http-client';
import { HttpApiClient } from '../../main/http/api-client';
import { classifyNetError } from '../../main/electron/net-http-client';
import { fake } from '../fakes/electron';

let server: http.Server;
let base: string;
let lastCookie: string | undefined;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url?.startsWith('/moved')) {
      response.writeHead(301, { location: 'https://central.example.org/sync/v5/site' });
      response.end();
      return;
    }
    if (request.url?.startsWith('/api/op/login')) {
      response.setHeader('set-cookie', ['other=1; Path=/', 'sync_sites_session=abc123; Path=/; HttpOnly; Expires=Wed, 21 Oct 2099 07:28:00 GMT']);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ ok: true, value: { userName: 'boss' } }));
      return;
    }
    lastCookie = request.headers.cookie;
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({ method: request.method, body, cookie: request.headers.cookie ?? null, site: request.headers['msupply-site-uuid'] ?? null }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => fake.reset());

describe("Electron's net, as the fake has it", () => {
  it('net.fetch with redirect manual throws instead of answering the 3xx, and merges Set-Cookie (why the app does not use it)', async () => {
    await expect(net.fetch(`${base}/moved`, { redirect: 'manual' })).rejects.toThrow('Redirect was cancelled');
    const answer = await net.fetch(`${base}/api/op/login`, { method: 'POST' });
    expect(answer.headers.getSetCookie()).toHaveLength(1);
  });
});

describe('the Electron HTTP client', () => {
  it('answers a redirect with its status and Location instead of following it', async () => {
    const answer = await netFetch(`${base}/moved`, { method: 'POST', body: '{}', redirect: 'manual' });
    expect(answer.status).toBe(301);
    expect(answer.headers.get('location')).toBe('https://central.example.org/sync/v5/site');
    expect(fake.netRequests[0]!.options).toMatchObject({ redirect: 'manual', credentials: 'omit', useSessionCookies: false, cache: 'no-store' });
  });

  it('sends the method, headers and body, and reads the answer', async () => {
    const client = new NetHttpClient();
    const answer = await client.request({
      method: 'POST',
      url: `${base}/sync`,
      headers: { 'msupply-site-uuid': 'abc' },
      body: '{"a":1}',
      timeoutMs: 5000,
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ method: 'POST', body: '{"a":1}', cookie: null, site: 'abc' });
  });

  it('reads each Set-Cookie apart, so Connect to server keeps its session', async () => {
    const answer = await netFetch(`${base}/api/op/login`, { method: 'POST' });
    expect(answer.headers.getSetCookie()).toEqual(['other=1; Path=/', expect.stringMatching(/^sync_sites_session=abc123/)]);

    const client = new HttpApiClient(base, { fetch: netFetch as typeof fetch, classifyError: classifyNetError });
    await client.call('login', { userName: 'boss', password: 'x' });
    expect(client.hasSession).toBe(true);
    await client.call('listSites', {});
    expect(lastCookie).toBe('sync_sites_session=abc123');
  });

  it('says a server that redirects is not ours, with the status and where it sent the app', async () => {
    const client = new HttpApiClient(`${base}/moved`, { fetch: netFetch as typeof fetch, classifyError: classifyNetError });
    const result = await client.call('whoAmI', {});
    expect(!result.ok && result.error.message).toContain('HTTP 301, it sent the app on to https://central.example.org/sync/v5/site');
  });

  it('fails on a port Chromium refuses, as unable to connect with the reason kept for the log', async () => {
    const client = new NetHttpClient();
    await expect(client.request({ method: 'GET', url: 'http://127.0.0.1:6000/', headers: {}, timeoutMs: 2000 })).rejects.toMatchObject({
      kind: 'unable_to_connect',
      detail: 'ERR_UNSAFE_PORT',
    });
  });

  it('times out in words', async () => {
    const client = new NetHttpClient();
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      await expect(client.request({ method: 'GET', url, headers: {}, timeoutMs: 200 })).rejects.toMatchObject({ kind: 'timed_out' });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
