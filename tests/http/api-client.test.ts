/** The desktop app's side of the contract over HTTP, against a real server on 127.0.0.1. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CSRF_HEADER, HttpApiClient, parseServerUrl, SESSION_COOKIE, sessionCookieChange } from '../../main/http/api-client';
import { type RunningServer, startServer } from '../../main/hosts/server';
import { errorMessages } from '../../shared/errors';
import { ADMIN, fastHasher, tempDir } from '../helpers/core';
import { noLimits } from '../sync/helpers';

let running: RunningServer | undefined;
const others: http.Server[] = [];

async function startDemoServer(): Promise<RunningServer> {
  running = await startServer({
    datafile: path.join(tempDir('api-client-'), 'server.sqlite'),
    setup: { admin: ADMIN, demo: true },
    hasher: fastHasher,
    port: 0,
    signInLimits: noLimits,
  });
  return running;
}

/** A plain HTTP server that is not ours, answering every request with `answer`. */
async function otherServer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<string> {
  const server = http.createServer(answer);
  others.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await running?.stop();
  running = undefined;
  for (const server of others.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function client(url: string, timeoutMs?: number): HttpApiClient {
  const parsed = parseServerUrl(url);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return new HttpApiClient(parsed.value, { timeoutMs });
}

describe('HttpApiClient against a real server', () => {
  it('logs in (keeping the session cookie), lists the demo sites, and logs out', async () => {
    const server = await startDemoServer();
    const api = client(server.url);
    expect(api.hasSession).toBe(false);

    const login = await api.login({ userName: ADMIN.userName, password: ADMIN.password });
    expect(login).toMatchObject({ ok: true, value: { user: { name: ADMIN.userName }, permissions: { editSyncSettings: true } } });
    expect(api.hasSession).toBe(true);

    const sites = await api.listSites({});
    expect(sites.ok && sites.value.rows.map((r) => r.name)).toEqual([
      'Tamaki Central Synchronisation Server',
      'Auckland Hospital',
      'Kawakawa',
      'Kopu HC',
      'Waikato',
    ]);
    const site = await api.getSite({ siteId: 3 });
    expect(site).toMatchObject({ ok: true, value: { name: 'Waikato' } });

    const out = await api.logout({});
    expect(out).toMatchObject({ ok: true, value: { user: null } });
    expect(api.hasSession).toBe(false);
    expect(await api.listSites({})).toEqual({ ok: false, error: { code: 'not_logged_in', message: errorMessages.not_logged_in } });
  });

  it('says the password is wrong in words, and keeps no session', async () => {
    const server = await startDemoServer();
    const api = client(server.url);
    const login = await api.login({ userName: ADMIN.userName, password: 'not the password' });
    expect(login).toEqual({ ok: false, error: { code: 'invalid_credentials', message: errorMessages.invalid_credentials } });
    expect(api.hasSession).toBe(false);
  });

  it('keeps each client’s login apart', async () => {
    const server = await startDemoServer();
    const first = client(server.url);
    const second = client(`${server.url}/`);
    await first.login({ userName: ADMIN.userName, password: ADMIN.password });
    expect((await first.listSites({})).ok).toBe(true);
    expect(await second.listSites({})).toMatchObject({ ok: false, error: { code: 'not_logged_in' } });
  });

  it('passes on the server’s validation errors unchanged', async () => {
    const server = await startDemoServer();
    const api = client(server.url);
    await api.login({ userName: ADMIN.userName, password: ADMIN.password });
    const result = await api.call('getSite', { siteId: -1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed', message: 'siteId: Site ID must be a positive number.' } });
  });

  it('says in words when the server is down', async () => {
    const server = await startDemoServer();
    const api = client(server.url);
    await api.login({ userName: ADMIN.userName, password: ADMIN.password });
    await server.stop();
    const result = await api.listSites({});
    expect(result).toEqual({
      ok: false,
      error: { code: 'server_unreachable', message: `Unable to reach the server at ${server.url}. Check the address and the network.` },
    });
  });

  it('gives up after the timeout, in words', async () => {
    const url = await otherServer(() => {
      // Never answers.
    });
    const result = await client(url, 300).whoAmI({});
    expect(result).toEqual({
      ok: false,
      error: { code: 'server_unreachable', message: `The server at ${url} did not answer within 1 second. Check the address and the network.` },
    });
  });

  it('tells a web server that is not ours apart from ours', async () => {
    const url = await otherServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Router login</html>');
    });
    const result = await client(url).whoAmI({});
    expect(result).toMatchObject({ ok: false, error: { code: 'server_not_recognised' } });
    expect(!result.ok && result.error.message).toBe(
      `The address ${url} answered, but not as an mSupply Sync Sites server (HTTP 200). Check the address: it should be the one the server shows when it starts.`,
    );
  });

  it('never follows a redirect, so the session cookie cannot leak to another address', async () => {
    const seen: (string | undefined)[] = [];
    const elsewhere = await otherServer((req, res) => {
      seen.push(req.headers.cookie);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, value: {} }));
    });
    let calls = 0;
    const url = await otherServer((_req, res) => {
      calls += 1;
      if (calls === 1) {
        res
          .writeHead(200, { 'content-type': 'application/json', 'set-cookie': `${SESSION_COOKIE}=secret-token; Path=/; HttpOnly` })
          .end(JSON.stringify({ ok: true, value: { user: { id: 1, name: 'admin' } } }));
      } else {
        res.writeHead(302, { location: `${elsewhere}/api/op/listSites` }).end();
      }
    });
    const api = client(url);
    expect((await api.call('login', { userName: 'admin', password: 'x' })).ok).toBe(true);
    const result = await api.listSites({});
    expect(result).toMatchObject({ ok: false, error: { code: 'server_not_recognised' } });
    expect(!result.ok && result.error.message).toContain(`it sent the app on to ${elsewhere}/api/op/listSites`);
    expect(seen).toEqual([]);
  });

  it('keeps only the session cookie and sends it back with the CSRF header', async () => {
    const received: http.IncomingHttpHeaders[] = [];
    const url = await otherServer((req, res) => {
      received.push(req.headers);
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': ['tracker=follow-me; Path=/', `${SESSION_COOKIE}=token-1; Path=/; HttpOnly; SameSite=Strict`],
        })
        .end(JSON.stringify({ ok: true, value: null }));
    });
    const api = client(url);
    await api.whoAmI({});
    await api.whoAmI({});
    expect(received[0]!.cookie).toBeUndefined();
    expect(received[1]!.cookie).toBe(`${SESSION_COOKIE}=token-1`);
    expect(received[1]![CSRF_HEADER]).toBe('1');
    expect(received[1]!['content-type']).toBe('application/json');
  });
});

describe('server addresses', () => {
  it.each([
    ['server:2048', 'http://server:2048'],
    ['192.168.1.5:2048', 'http://192.168.1.5:2048'],
    ['[::1]:2048', 'http://[::1]:2048'],
    ['  https://sync.example.org/  ', 'https://sync.example.org'],
    ['https://sync.example.org/msupply/', 'https://sync.example.org/msupply'],
    ['http://server:2048/?x=1#top', 'http://server:2048'],
  ])('accepts %j as %s', (typed, expected) => {
    expect(parseServerUrl(typed)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'Enter the address of the server, for example http://server:2048.'],
    ['ftp://server', 'Only http:// and https:// server addresses can be used, not ftp://.'],
    ['file:///etc/passwd', 'Only http:// and https:// server addresses can be used, not file://.'],
    ['javascript:alert(1)', 'Only http:// and https:// server addresses can be used, not javascript://.'],
    ['http://admin:secret@server:2048', 'Leave the user name and password out of the address: enter them in the Log in window.'],
    ['http://server:99999', '"http://server:99999" is not a server address. Enter one like http://server:2048.'],
  ])('refuses %j in words', (typed, message) => {
    expect(parseServerUrl(typed)).toMatchObject({ ok: false, error: { code: 'validation_failed', message } });
  });

  it('reads the session cookie out of Set-Cookie, including its removal', () => {
    expect(sessionCookieChange(`${SESSION_COOKIE}=abc; Path=/; HttpOnly`)).toEqual({ token: 'abc' });
    expect(sessionCookieChange(`${SESSION_COOKIE}=; Max-Age=0; Path=/`)).toEqual({ token: null });
    expect(sessionCookieChange(`${SESSION_COOKIE}=abc; Expires=Thu, 01 Jan 1970 00:00:00 GMT`)).toEqual({ token: null });
    expect(sessionCookieChange('other=abc')).toBeNull();
  });
});
