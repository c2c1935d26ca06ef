/**
 * Issue 10, findings 4-6: one server per datafile (the same lock as the desktop app), the sync API
 * following the datafile's role live, and the Host allow-list against DNS rebinding. Real HTTP on
 * 127.0.0.1; the second server is a real `npm run server` process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DatafileHost } from '../../main/hosts/datafile-host';
import { type RunningServer, startServer } from '../../main/hosts/server';
import { lockFileOf } from '../../main/services/datafile-lock';
import { parseCli } from '../../scripts/server';
import { SESSION_COOKIE } from '../../shared/http-api';
import { ADMIN, fastHasher, tempDir } from '../helpers/core';
import { httpFrom } from '../helpers/http-from';
import { WAIKATO, setSitePassword, syncHeadersFor } from '../sync/helpers';

const root = path.resolve(__dirname, '..', '..');
let running: RunningServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function runServerProcess(datafile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'server.ts'), '--datafile', datafile, '--port', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function startOnFile(extra: Partial<Parameters<typeof startServer>[0]> = {}) {
  const datafile = path.join(tempDir('server-guards-'), 'central.sqlite');
  running = await startServer({ datafile, setup: { admin: ADMIN, demo: true }, hasher: fastHasher, port: 0, ...extra });
  return datafile;
}

describe('finding 4: npm run server takes the datafile lock', () => {
  it('a second server process on the same datafile refuses to start, naming the holder, and exits non-zero', async () => {
    const datafile = await startOnFile();
    expect(fs.readFileSync(lockFileOf(fs.realpathSync(datafile)), 'utf8')).toContain(String(process.pid));
    const second = await runServerProcess(datafile);
    expect(second.code).not.toBe(0);
    expect(second.output).toContain('The central server could not start');
    expect(second.output).toContain('already open');
    expect(second.output).toContain(`the central server (npm run server) (process ${process.pid} on this computer)`);
    expect(second.output).not.toMatch(/listening on/);

    // The desktop app is refused the same way, and the lock goes when the server stops.
    const desktop = new DatafileHost({ hasher: fastHasher });
    const opened = await desktop.open(datafile);
    expect(opened.ok).toBe(false);
    if (!opened.ok) expect(opened.error.code).toBe('datafile_in_use');
    await running!.stop();
    running = undefined;
    expect(fs.existsSync(lockFileOf(fs.realpathSync(datafile)))).toBe(false);
    running = await startServer({ datafile, hasher: fastHasher, port: 0 });
  }, 60_000);

  it('a second server in the same process is refused too', async () => {
    const datafile = await startOnFile();
    await expect(startServer({ datafile, hasher: fastHasher, port: 0 })).rejects.toThrow(/already open/);
  });
});

describe("finding 5: the sync API follows the datafile's role live", () => {
  it('after Set site as active on another site, /sync/v5/* refuses in words; it answers again once central', async () => {
    await startOnFile();
    const { core, url } = running!;
    await setSitePassword(core, WAIKATO, 'waikato password');
    const site = () => httpFrom(`${url}/sync/v5/site`, { headers: syncHeadersFor() });
    expect((await site()).status).toBe(200);

    const api = (operation: string, input: unknown, cookie?: string) =>
      httpFrom(`${url}/api/op/${operation}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sync-sites': '1', ...(cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {}) },
        body: JSON.stringify(input),
      });
    const login = await api('login', ADMIN);
    const cookie = String(login.headers['set-cookie']).match(new RegExp(`${SESSION_COOKIE}=([^;]*)`))![1]!;
    expect((await api('setActiveSite', { siteId: WAIKATO, confirmed: true }, cookie)).json.ok).toBe(true);

    const refused = await site();
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('not_central_server');
    expect(refused.json.error.message).toMatch(/not the central server/);
    const push = await httpFrom(`${url}/sync/v5/queued_records`, {
      method: 'POST',
      headers: { ...syncHeadersFor(), 'content-type': 'application/json' },
      body: JSON.stringify({ records: [], remaining: 0 }),
    });
    expect(push.json.error.code).toBe('not_central_server');

    expect((await api('setActiveSite', { siteId: 1, confirmed: true }, cookie)).json.ok).toBe(true);
    expect((await site()).status).toBe(200);
  });
});

describe('finding 6: the Host header must be a name this server answers to', () => {
  it('refuses a rebound name (with a matching Origin) on the admin API and the sync API', async () => {
    await startOnFile();
    const { url, port } = running!;
    const evil = `evil.example:${port}`;
    const login = await httpFrom(`${url}/api/op/login`, {
      method: 'POST',
      headers: { host: evil, origin: `http://${evil}`, 'content-type': 'application/json', 'x-sync-sites': '1' },
      body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(421);
    expect(login.json).toMatchObject({ ok: false, error: { code: 'permission_denied' } });
    expect(login.json.error.message).toContain('evil.example');
    expect(login.headers['set-cookie']).toBeUndefined();
    const page = await httpFrom(`${url}/`, { headers: { host: evil } });
    expect(page.status).toBe(421);
    const sync = await httpFrom(`${url}/sync/v5/site`, { headers: { ...syncHeadersFor(), host: evil } });
    expect(sync.status).toBe(421);
    expect(sync.json.error.code).toBe('host_not_allowed');

    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'app.localhost']) {
      const ok = await httpFrom(`${url}/api/op/whoAmI`, {
        method: 'POST',
        headers: { host, 'content-type': 'application/json', 'x-sync-sites': '1' },
        body: '{}',
      });
      expect([host, ok.status]).toEqual([host, 200]);
    }
  });

  it('answers to the names given with --public-url and --allowed-host', async () => {
    const cli = parseCli(['--datafile', 'x.sqlite', '--public-url', 'https://Central.Example.org:2048/', '--allowed-host', 'sync.example.net']);
    expect(cli.allowedHosts).toEqual(['sync.example.net', 'central.example.org']);
    expect(() => parseCli(['--datafile', 'x.sqlite', '--public-url', 'central'])).toThrow(/--public-url/);
    await startOnFile({ allowedHosts: cli.allowedHosts });
    const { url, port } = running!;
    for (const host of [`central.example.org:${port}`, `SYNC.example.net:${port}`]) {
      expect((await httpFrom(`${url}/sync/v5/site`, { headers: { host } })).status).toBe(401);
    }
    expect((await httpFrom(`${url}/sync/v5/site`, { headers: { host: `other.example.org:${port}` } })).status).toBe(421);
  });
});
