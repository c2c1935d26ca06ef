/** The contract over HTTP for browser workstations: sessions, CSRF protection, throttling, errors. */
import path from 'node:path';
import { openCore } from '../../main/core';
import { SESSION_COOKIE } from '../../main/http/admin-api';
import { type RunningServer, startServer } from '../../main/hosts/server';
import { ADMIN, dumpContent, fastHasher, tempDir, viewerOf } from '../helpers/core';

let running: RunningServer;

async function start(extra: Parameters<typeof startServer>[0] = {}) {
  const core = await openCore(path.join(tempDir('admin-api-'), 'server.sqlite'), {
    create: true,
    hasher: fastHasher,
    setup: { admin: ADMIN, demo: true },
  });
  running = await startServer({ core, port: 0, ...extra });
  return running;
}

afterEach(async () => {
  await running?.stop();
  running?.core.close();
});

interface Answer {
  status: number;
  body: { ok: boolean; value?: any; error?: { code: string; message: string } };
  cookie: string | undefined;
  setCookie: string | null;
}

async function call(operation: string, input: unknown, cookie?: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${running.url}/api/op/${operation}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-sync-sites': '1',
      ...(cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {}),
      ...headers,
    },
    body: JSON.stringify(input),
  });
  const setCookie = response.headers.get('set-cookie');
  const match = setCookie?.match(new RegExp(`${SESSION_COOKIE}=([^;]*)`));
  return { status: response.status, body: await response.json(), cookie: match?.[1] || undefined, setCookie };
}

async function login(userName = ADMIN.userName, password = ADMIN.password): Promise<string> {
  const answer = await call('login', { userName, password });
  expect(answer.body.ok).toBe(true);
  return answer.cookie!;
}

describe('the admin API over HTTP', () => {
  it('logs in with a session cookie that is HttpOnly and SameSite, and answers calls in the contract terms', async () => {
    await start();
    const answer = await call('login', ADMIN);
    expect(answer.status).toBe(200);
    expect(answer.body.value.user.name).toBe('admin');
    expect(answer.setCookie).toMatch(/HttpOnly/i);
    expect(answer.setCookie).toMatch(/SameSite=Strict/i);
    expect(answer.setCookie).not.toMatch(/Secure/i); // plain HTTP on loopback
    const sites = await call('listSites', {}, answer.cookie);
    expect(sites.body.value.rows[0].name).toBe('Tamaki Central Synchronisation Server');
  });

  it('needs a login for everything but login and who-am-I', async () => {
    await start();
    const anonymous = await call('listSites', {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ ok: false, error: { code: 'not_logged_in', message: 'Please log in first.' } });
    const forged = await call('listSites', {}, 'made-up-session-token');
    expect(forged.body.error?.code).toBe('not_logged_in');
  });

  it('refuses requests without the header or from another origin (cross-site request forgery)', async () => {
    await start();
    const cookie = await login();
    const before = dumpContent(running.core);
    const noHeader = await fetch(`${running.url}/api/op/deleteSite`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${cookie}` },
      body: JSON.stringify({ siteId: 5, confirmed: true }),
    });
    expect(noHeader.status).toBe(403);
    const otherOrigin = await call('deleteSite', { siteId: 5, confirmed: true }, cookie, { origin: 'https://evil.example' });
    expect(otherOrigin.status).toBe(403);
    expect(otherOrigin.body.error?.message).toMatch(/refused/);
    // A form post (not JSON) cannot get through either.
    const form = await fetch(`${running.url}/api/op/deleteSite`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-sync-sites': '1', cookie: `${SESSION_COOKIE}=${cookie}` },
      body: 'siteId=5&confirmed=true',
    });
    expect(form.status).toBe(415);
    expect((await form.json()).ok).toBe(false);
    expect(dumpContent(running.core)).toBe(before);
    const sameOrigin = await call('whoAmI', {}, cookie, { origin: running.url });
    expect(sameOrigin.body.ok).toBe(true);
  });

  it('validates inputs with the contract and answers with its errors', async () => {
    await start();
    const cookie = await login();
    const bad = await call('getSite', { siteId: 'one' }, cookie);
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('validation_failed');
    const missing = await call('getSite', { siteId: 999 }, cookie);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'site_not_found', message: 'There is no site with site ID 999.' });
    const unknown = await call('dropEverything', {}, cookie);
    expect(unknown.body.error?.code).toBe('validation_failed');
    const garbage = await fetch(`${running.url}/api/op/listSites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sync-sites': '1', cookie: `${SESSION_COOKIE}=${cookie}` },
      body: '{"search": ',
    });
    expect(garbage.status).toBe(400);
    const text = await garbage.text();
    expect(JSON.parse(text)).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(text).not.toMatch(/at \w+ \(|node_modules/);
  });

  it('checks the permission again on every call', async () => {
    await start();
    await viewerOf(running.core);
    const cookie = await login('viewer', 'just looking 123');
    const list = await call('listSites', {}, cookie);
    expect(list.body.ok).toBe(true);
    const denied = await call('deleteSite', { siteId: 5, confirmed: true }, cookie);
    expect(denied.status).toBe(403);
    expect(denied.body.error?.code).toBe('permission_denied');
    // Given the permission while logged in: the next call may edit.
    const viewerId = (running.core.datafile.sqlite.prepare("select id from user where name = 'viewer'").get() as { id: number }).id;
    running.core.datafile.sqlite.prepare("insert into user_permission (user_id, permission) values (?, 'edit_sync_settings')").run(viewerId);
    const asked = await call('deleteSite', { siteId: 4, confirmed: false }, cookie);
    expect(asked.body.error?.code).toBe('site_has_stores');
  });

  it('ends the session at logout and after a period without calls', async () => {
    let now = Date.now();
    await start({ adminApi: { sessions: { idleMs: 60_000, now: () => now } } });
    const cookie = await login();
    expect((await call('listSites', {}, cookie)).body.ok).toBe(true);
    now += 59_000;
    expect((await call('listSites', {}, cookie)).body.ok).toBe(true);
    now += 61_000;
    expect((await call('listSites', {}, cookie)).body.error?.code).toBe('not_logged_in');

    const second = await login();
    const out = await call('logout', {}, second);
    expect(out.setCookie).toMatch(new RegExp(`${SESSION_COOKIE}=;`));
    expect((await call('listSites', {}, second)).body.error?.code).toBe('not_logged_in');
  });

  it('gives a new session token at each login', async () => {
    await start();
    const first = await login();
    const again = await call('login', ADMIN, first);
    expect(again.cookie).toBeDefined();
    expect(again.cookie).not.toBe(first);
    expect((await call('listSites', {}, first)).body.error?.code).toBe('not_logged_in');
  });

  it('slows down and then refuses repeated failed logins, even with the right password', async () => {
    await start({
      adminApi: {
        loginLimits: {
          perName: { slowAfter: 2, delayMs: 50, maxDelayMs: 100, lockAfter: 4, lockMs: 60_000, windowMs: 60_000 },
        },
      },
    });
    const times: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const started = Date.now();
      const wrong = await call('login', { userName: 'admin', password: `guess ${i}` });
      times.push(Date.now() - started);
      expect(wrong.body.error?.code).toBe('invalid_credentials');
    }
    expect(times[3]!).toBeGreaterThanOrEqual(45);
    const locked = await call('login', ADMIN);
    expect(locked.status).toBe(429);
    expect(locked.body.error?.code).toBe('too_many_attempts');
    expect(locked.cookie).toBeUndefined();
    // Another user is not locked out by it.
    await viewerOf(running.core);
    expect((await call('login', { userName: 'viewer', password: 'just looking 123' })).body.ok).toBe(true);
  });

  it('serves the Synchronisation window with a strict Content Security Policy', async () => {
    await start();
    const page = await fetch(`${running.url}/`);
    const html = await page.text();
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toContain('<div id="root">');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    // The sync API is still there beside it, with its own error envelope.
    const sync = await fetch(`${running.url}/sync/v5/site`);
    expect(sync.status).toBe(401);
    expect((await sync.json()).error.code).toBe('authorisation_missing');
  });
});
