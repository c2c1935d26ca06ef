/**
 * The remote side: Enabling sync and Check connection against a real central server (and against
 * servers that misbehave), with the remote in its own datafile.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import packageJson from '../../../package.json';
import { getSetting, setSetting } from '../../../db/settings';
import { createHandlers, dispatch } from '../../../main/api/core-api';
import type { Core } from '../../../main/core';
import { sha256Hex } from '../../../main/services/passwords';
import type { SyncHttpClient, SyncHttpRequest } from '../../../main/net/http-client';
import { AppFailure } from '../../../shared/errors';
import { ADMIN, adminOf, dumpContent, unchangedDraft, viewerOf } from '../../helpers/core';
import { type Central, WAIKATO, newRemote, selfSignedCertificate, setSitePassword, siteRow, startCentral } from '../helpers';

const PASSWORD = 'waikato password';

let central: Central;
let remote: Core;

beforeEach(async () => {
  central = await startCentral();
  await setSitePassword(central.core, WAIKATO, PASSWORD);
  remote = await newRemote();
});

afterEach(async () => {
  remote.close();
  await central.stop();
});

async function enable(core: Core, input: { centralUrl: string; siteName?: string; password?: string }) {
  return core.connection.enableSync(await adminOf(core), { siteName: 'Waikato', password: PASSWORD, ...input });
}

const check = (core: Core = remote) => core.connection.checkConnection();

async function expectFailure(promise: Promise<unknown>, code: string): Promise<AppFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppFailure);
    expect((error as AppFailure).error.code).toBe(code);
    return error as AppFailure;
  }
  throw new Error(`expected ${code}`);
}

/** A one-route HTTP server standing in for a central server; counts the calls it gets. */
async function stubServer(answer: (req: http.IncomingMessage, res: http.ServerResponse, call: number) => void) {
  let calls = 0;
  const seen: http.IncomingHttpHeaders[] = [];
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    calls += 1;
    seen.push(req.headers);
    paths.push(`${req.method} ${req.url}`);
    answer(req, res, calls);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => calls,
    seen,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

describe('Enabling sync', () => {
  it('stores the central URL, site name and the SHA-256 of the password, never the password', async () => {
    expect(remote.connection.getRemoteSync()).toEqual({ configured: false, centralUrl: null, siteName: null, hardwareId: 'remote-device-1' });
    const view = await enable(remote, { centralUrl: `${central.url}/` });
    expect(view).toEqual({ configured: true, centralUrl: central.url, siteName: 'Waikato', hardwareId: 'remote-device-1' });
    expect(JSON.stringify(view)).not.toContain(sha256Hex(PASSWORD));

    const stored = getSetting(remote.datafile.sqlite, 'remote_sync');
    expect(stored).toEqual({ centralUrl: central.url, siteName: 'Waikato', passwordSha256: sha256Hex(PASSWORD) });
    expect(dumpContent(remote)).not.toContain(PASSWORD);
  });

  it.each(['ftp://central.example.org', 'central.example.org', 'http://', 'http://user:secret@central.example.org', 'javascript:alert(1)'])(
    'refuses %s as "Invalid url"',
    async (centralUrl) => {
      const failure = await expectFailure(enable(remote, { centralUrl }), 'validation_failed');
      expect(failure.error.message).toBe('Invalid url');
      expect(getSetting(remote.datafile.sqlite, 'remote_sync')).toBeUndefined();
    },
  );

  it('needs the sync settings permission', async () => {
    const viewer = await viewerOf(remote);
    await expectFailure(
      remote.connection.enableSync(viewer, { centralUrl: central.url, siteName: 'Waikato', password: PASSWORD }),
      'permission_denied',
    );
  });

  it('Check connection before Enabling sync says sync is not set up', async () => {
    await expectFailure(check(), 'sync_not_configured');
  });
});

describe('Check connection against the central server', () => {
  it('connects, and the central records this machine as the site', async () => {
    await enable(remote, { centralUrl: central.url });
    const result = await check();
    expect(result).toEqual({
      outcome: 'connected',
      message: 'Connection successful: the central server knows this site as Waikato.',
      centralSiteName: 'Waikato',
    });
    expect(siteRow(central.core, WAIKATO)).toMatchObject({
      hardwareId: 'remote-device-1',
      appName: 'mSupply Sync Sites',
      appVersion: packageJson.version,
      syncVersion: 14,
      type: 'standalone',
    });
  });

  it('changes nothing on the remote except remembering the central site id on first contact', async () => {
    await enable(remote, { centralUrl: central.url });
    const before = JSON.parse(dumpContent(remote));
    await check();
    const after = JSON.parse(dumpContent(remote));
    const rememberedSetting = (dump: any) => JSON.parse(dump.setting.find((s: any) => s.key === 'remote_sync').value);
    expect(rememberedSetting(after)).toEqual({ ...rememberedSetting(before), centralSiteUuid: siteRow(central.core, WAIKATO).uuid });
    after.setting = after.setting.filter((s: any) => s.key !== 'remote_sync');
    before.setting = before.setting.filter((s: any) => s.key !== 'remote_sync');
    expect(after).toEqual(before);

    const snapshot = dumpContent(remote);
    expect((await check()).outcome).toBe('connected');
    expect(dumpContent(remote)).toBe(snapshot);
  });

  it('works through the contract API (dispatch) for a logged-in user', async () => {
    const handlers = createHandlers(remote);
    const session = { userId: null };
    expect((await dispatch(handlers, session, 'checkConnection', {})).ok).toBe(false);
    await dispatch(handlers, session, 'login', { userName: ADMIN.userName, password: ADMIN.password });
    const enabled = await dispatch(handlers, session, 'enableSync', { centralUrl: central.url, siteName: 'waikato', password: PASSWORD });
    expect(enabled.ok).toBe(true);
    const checked = await dispatch(handlers, session, 'checkConnection', {});
    expect(checked).toEqual({ ok: true, value: expect.objectContaining({ outcome: 'connected', centralSiteName: 'Waikato' }) });
  });

  it('Site name not found', async () => {
    await enable(remote, { centralUrl: central.url, siteName: 'Waikatoo' });
    expect(await check()).toEqual({ outcome: 'site_name_not_found', message: 'Site name not found' });
  });

  it('Incorrect password', async () => {
    await enable(remote, { centralUrl: central.url, password: 'not the password' });
    expect(await check()).toEqual({ outcome: 'site_incorrect_password', message: 'Incorrect password' });
    expect(getSetting(remote.datafile.sqlite, 'remote_sync')?.centralSiteUuid).toBeUndefined();
  });

  it('Incorrect hardware ID when another device already has the site', async () => {
    await enable(remote, { centralUrl: central.url });
    const otherMachine = await newRemote({ hardwareId: 'another-machine' });
    try {
      await enable(otherMachine, { centralUrl: central.url });
      expect((await check(otherMachine)).outcome).toBe('connected');
      expect(await check()).toEqual({ outcome: 'site_incorrect_hardware_id', message: 'Incorrect hardware ID' });
    } finally {
      otherMachine.close();
    }
  });

  it('Site has no store', async () => {
    const admin = await adminOf(central.core);
    const draft = unchangedDraft(central.core, WAIKATO);
    const storeIds = central.core.sites.getSite({ siteId: WAIKATO }).stores.map((s) => s.storeId);
    expect((await central.core.sites.saveSite(admin, { ...draft, removeStoreIds: storeIds })).status).toBe('saved');
    await enable(remote, { centralUrl: central.url });
    expect(await check()).toEqual({ outcome: 'site_has_no_store', message: 'Site has no store' });
  });

  it('Site mismatch: the URL now leads to another central whose site of that name is a different record', async () => {
    await enable(remote, { centralUrl: central.url });
    expect((await check()).outcome).toBe('connected');

    const otherCentral = await startCentral();
    try {
      await setSitePassword(otherCentral.core, WAIKATO, PASSWORD);
      await enable(remote, { centralUrl: otherCentral.url });
      expect(await check()).toEqual({ outcome: 'site_mismatch', message: 'Site mismatch' });
      // The remembered id is kept: the datafile still belongs to the first central's Waikato.
      expect(getSetting(remote.datafile.sqlite, 'remote_sync')?.centralSiteUuid).toBe(siteRow(central.core, WAIKATO).uuid);

      // Moving back to the original central (e.g. its new address) connects again.
      await enable(remote, { centralUrl: central.url });
      expect((await check()).outcome).toBe('connected');
    } finally {
      await otherCentral.stop();
    }
  });

  it('Sync API version is not compatible, with the range the server supports', async () => {
    const stub = await stubServer((_req, res) =>
      json(res, 409, { error: { code: 'api_version_incompatible', message: 'no', data: { min: 15, max: 20 } } }),
    );
    try {
      await enable(remote, { centralUrl: stub.url });
      expect(await check()).toEqual({
        outcome: 'api_version_incompatible',
        message: 'Sync API version is not compatible (the server supports 15 to 20)',
      });
    } finally {
      await stub.close();
    }
  });

  it('sends the sync headers of sync-v5.md', async () => {
    const stub = await stubServer((_req, res) =>
      json(res, 200, { id: 'uuid-1', siteId: 3, code: '3', name: 'Waikato', initialisationStatus: 'new' }),
    );
    try {
      await enable(remote, { centralUrl: `${stub.url}/msupply` });
      expect((await check()).outcome).toBe('connected');
      expect(stub.paths).toEqual(['GET /msupply/sync/v5/site']);
      const headers = stub.seen[0]!;
      expect(headers).toMatchObject({
        authorization: `Basic ${Buffer.from(`Waikato:${sha256Hex(PASSWORD)}`).toString('base64')}`,
        'msupply-site-uuid': 'remote-device-1',
        'app-name': 'mSupply Sync Sites',
        'app-version': packageJson.version,
        version: '14',
      });
    } finally {
      await stub.close();
    }
  });

  it('Too many failed attempts when the central has locked the site', async () => {
    const locked = await startCentral({
      signInLimits: {
        perName: { slowAfter: 100, delayMs: 0, maxDelayMs: 0, lockAfter: 1, lockMs: 60_000, windowMs: 60_000 },
      },
    });
    try {
      await setSitePassword(locked.core, WAIKATO, PASSWORD);
      await enable(remote, { centralUrl: locked.url, password: 'wrong' });
      expect((await check()).outcome).toBe('site_incorrect_password');
      await enable(remote, { centralUrl: locked.url });
      expect((await check()).outcome).toBe('too_many_attempts');
    } finally {
      await locked.stop();
    }
  });
});

describe('Check connection when the server cannot be reached or misbehaves', () => {
  it('Unable to connect to server: nothing listens on the port', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    await enable(remote, { centralUrl: `http://127.0.0.1:${port}` });
    expect(await check()).toEqual({ outcome: 'unable_to_connect', message: 'Unable to connect to server' });
  });

  it('The server did not answer in time: a server that accepts and stays silent, tried again with a longer timeout', async () => {
    const sockets: net.Socket[] = [];
    // Requests, not connections: Node 24's fetch (undici) may open a spare connection after an
    // abort that never carries a request.
    let requests = 0;
    const silent = net.createServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => (requests += 1));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const impatient = await newRemote({ retry: { attempts: 2, firstTimeoutMs: 150, timeoutGrowth: 2, retryPauseMs: 10 } });
    try {
      await enable(impatient, { centralUrl: `http://127.0.0.1:${port}` });
      const started = performance.now();
      expect(await check(impatient)).toEqual({ outcome: 'timed_out', message: 'The server did not answer in time' });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(150 + 300);
      expect(elapsed).toBeLessThan(3000);
      expect(requests).toBe(2);
    } finally {
      impatient.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('Invalid url stored in the settings (e.g. by an older version)', async () => {
    setSetting(remote.datafile.sqlite, 'remote_sync', {
      centralUrl: 'ftp://old.example.org',
      siteName: 'Waikato',
      passwordSha256: sha256Hex(PASSWORD),
    });
    expect(await check()).toEqual({ outcome: 'invalid_url', message: 'Invalid url' });
  });

  it("The server's certificate is not trusted: HTTPS with a self-signed certificate", async () => {
    const certificate = selfSignedCertificate();
    if (!certificate) {
      console.warn('openssl is not available: skipping the HTTPS certificate test');
      return;
    }
    const secure = await startCentral({ tls: { cert: certificate.cert, key: certificate.key } });
    try {
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      await setSitePassword(secure.core, WAIKATO, PASSWORD);
      await enable(remote, { centralUrl: secure.url });
      expect(await check()).toEqual({ outcome: 'certificate_not_trusted', message: "The server's certificate is not trusted" });
    } finally {
      await secure.stop();
    }
  });

  it('503 busy answers mean wait and try again', async () => {
    const stub = await stubServer((_req, res, call) =>
      call < 3
        ? json(res, 503, { error: { code: 'sync_is_running', message: 'busy', data: null } }, { 'retry-after': '0' })
        : json(res, 200, { id: 'uuid-1', siteId: 3, code: '3', name: 'Waikato', initialisationStatus: 'new' }),
    );
    try {
      await enable(remote, { centralUrl: stub.url });
      expect((await check()).outcome).toBe('connected');
      expect(stub.calls()).toBe(3);
    } finally {
      await stub.close();
    }
  });

  it('a central that stays busy: a bounded number of tries, then a message', async () => {
    const stub = await stubServer((_req, res) =>
      json(res, 503, { error: { code: 'integration_in_progress', message: 'busy', data: null } }, { 'retry-after': '0' }),
    );
    try {
      await enable(remote, { centralUrl: stub.url });
      expect(await check()).toEqual({ outcome: 'server_error', message: 'The central server is busy. Try again in a few minutes.' });
      expect(stub.calls()).toBe(4);
    } finally {
      await stub.close();
    }
  });

  it('an answer that is not from an mSupply central server', async () => {
    const stub = await stubServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>Welcome to nginx</html>');
    });
    try {
      await enable(remote, { centralUrl: stub.url });
      const result = await check();
      expect(result.outcome).toBe('server_error');
      expect(result.message).toMatch(/not understood/);
    } finally {
      await stub.close();
    }
  });
});

describe('which HTTP client the remote uses', () => {
  it('Electron\'s net client unless the active site\'s "Use js node HTTP client" box is ticked', async () => {
    const used: string[] = [];
    const fakeElectron: SyncHttpClient = {
      name: 'electron',
      async request(_request: SyncHttpRequest) {
        used.push('electron');
        return { status: 200, headers: {}, body: JSON.stringify({ id: siteRow(central.core, WAIKATO).uuid, name: 'Waikato', siteId: 3 }) };
      },
    };
    const desktop = await newRemote({ electronClient: fakeElectron });
    try {
      await enable(desktop, { centralUrl: central.url });
      expect((await check(desktop)).outcome).toBe('connected');
      expect(used).toEqual(['electron']);
      expect(siteRow(central.core, WAIKATO).hardwareId).toBe('');

      const admin = await adminOf(desktop);
      const activeSiteId = desktop.sites.activeSiteId();
      await desktop.sites.saveSite(admin, { ...unchangedDraft(desktop, activeSiteId), useJsNodeHttpClient: true });
      // Node's client reaches the real central, which now records the device; the fake saw nothing more.
      expect((await check(desktop)).outcome).toBe('connected');
      expect(used).toEqual(['electron']);
      expect(siteRow(central.core, WAIKATO).hardwareId).toBe('remote-device-1');
    } finally {
      desktop.close();
    }
  });
});
