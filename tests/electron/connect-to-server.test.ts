/**
 * File > Connect to server...: the window's calls go through main to a real server on 127.0.0.1,
 * with the same sender check and payload validation as on a local datafile; the local datafile is
 * closed and unlocked meanwhile, and File > Open datafile... brings the app back to one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ipcMain } from 'electron';
import { DatafileHost } from '../../main/hosts/datafile-host';
import { AppWindows, refusedSenderMessage, registerIpcHandlers } from '../../main/electron/ipc';
import { LastServerFile } from '../../main/hosts/last-server';
import { createAppWindow } from '../../main/electron/window';
import { type RunningServer, startServer } from '../../main/hosts/server';
import { desktopChannels, invokeChannels, operationChannel } from '../../shared/ipc';
import { type BrowserWindow, fake } from '../fakes/electron';
import { appPage, fromWindow, invoke, rendererIndex } from './ipc-events';
import { ADMIN, fastHasher, tempDir } from '../helpers/core';
import { noLimits } from '../sync/helpers';

describe('connected to a server', () => {
  let server: RunningServer;
  let host: DatafileHost;
  let window: BrowserWindow;
  let localFile: string;
  let lastServer: LastServerFile;
  /** Every request main sends to a server, by path. */
  let sent: string[];

  beforeEach(async () => {
    fake.reset();
    server = await startServer({
      datafile: path.join(tempDir('server-'), 'server.sqlite'),
      setup: { admin: ADMIN, demo: true },
      hasher: fastHasher,
      port: 0,
      signInLimits: noLimits,
    });
    sent = [];
    const recordingFetch: typeof fetch = (input, init) => {
      sent.push(new URL(String(input)).pathname);
      return fetch(input, init);
    };
    host = new DatafileHost({ hasher: fastHasher, logError: () => {}, server: { fetch: recordingFetch, timeoutMs: 5000 } });
    localFile = path.join(tempDir(), 'local.sqlite');
    await host.open(localFile, { create: true });
    await host.setUp({ userName: 'local admin', password: 'local password 1', demo: false });
    const windows = new AppWindows();
    lastServer = new LastServerFile(path.join(tempDir('user-data-'), 'last-server.json'), () => {});
    registerIpcHandlers(ipcMain, { host, windows, lastServer, log: () => {} });
    createAppWindow({
      preload: '/app/dist/main/preload.js',
      rendererFolder: path.dirname(rendererIndex),
      host,
      windows,
      log: () => {},
    });
    window = fake.windows[fake.windows.length - 1]!;
  });

  afterEach(async () => {
    host.close();
    await server.stop();
  });

  async function connect(url = server.url) {
    return invoke(desktopChannels.connectToServer, fromWindow(window), { url });
  }

  it('forwards the window’s calls to the server and lists the sites of the server’s datafile', async () => {
    expect(window.title).toBe(`mSupply Sync Sites — ${fs.realpathSync(localFile)}`);

    expect(await connect()).toEqual({ ok: true, value: { location: server.url, open: true, needsSetup: false } });
    expect(window.title).toBe(`mSupply Sync Sites — ${server.url}`);
    // The page's <title> must not put the plain app name back.
    let kept = false;
    window.emit('page-title-updated', { preventDefault: () => (kept = true) }, 'mSupply Sync Sites');
    expect(kept).toBe(true);
    expect((await invoke(desktopChannels.datafileStatus, fromWindow(window))).value.location).toBe(server.url);
    // The local datafile is closed and its lock released while the app works on the server.
    expect(host.core).toBeNull();
    expect(fs.existsSync(`${fs.realpathSync(localFile)}.lock`)).toBe(false);

    // The local administrator does not exist on the server; the server's does.
    const local = await invoke(operationChannel('login'), fromWindow(window), { userName: 'local admin', password: 'local password 1' });
    expect(local).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    const login = await invoke(operationChannel('login'), fromWindow(window), { userName: ADMIN.userName, password: ADMIN.password });
    expect(login).toMatchObject({ ok: true, value: { user: { name: ADMIN.userName }, datafile: { isCentralServer: true } } });

    const sites = await invoke(operationChannel('listSites'), fromWindow(window), { search: 'wai' });
    expect(sites).toMatchObject({ ok: true, value: { rows: [{ siteId: 3, name: 'Waikato' }] } });
    // It really is the server's datafile that answers.
    expect(server.core.sites.listSites({ search: 'wai' }).rows).toHaveLength(1);
    expect(sent).toContain('/api/op/listSites');

    // The address is remembered for next time.
    expect(await invoke(desktopChannels.lastServerUrl, fromWindow(window))).toEqual({ ok: true, value: server.url });
  });

  it('still refuses a foreign sender on every channel, and sends nothing to the server', async () => {
    await connect();
    await invoke(operationChannel('login'), fromWindow(window), { userName: ADMIN.userName, password: ADMIN.password });
    sent = [];
    for (const channel of invokeChannels) {
      const result = await invoke(channel, fromWindow(window, 'https://example.org/'), { url: 'http://127.0.0.1:1' });
      expect(result).toEqual({ ok: false, error: { code: 'permission_denied', message: refusedSenderMessage } });
    }
    const subframe = await invoke(operationChannel('listSites'), fromWindow(window, appPage, { url: appPage }), {});
    expect(subframe.error.code).toBe('permission_denied');
    expect(sent).toEqual([]);
    expect(host.status().location).toBe(server.url);
  });

  it('validates each payload with the contract in main before anything is sent', async () => {
    await connect();
    await invoke(operationChannel('login'), fromWindow(window), { userName: ADMIN.userName, password: ADMIN.password });
    sent = [];
    for (const [operation, payload] of [
      ['listSites', { search: 42 }],
      ['getSite', { siteId: 'Waikato' }],
      ['saveSite', { siteId: 2, name: 'Waikato', sneaky: true }],
      ['deleteSite', 'not an object'],
    ] as const) {
      const result = await invoke(operationChannel(operation), fromWindow(window), payload);
      expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    }
    expect(await invoke(operationChannel('getSite'), fromWindow(window), { siteId: 0 })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: 'siteId: Site ID must be a positive number.' },
    });
    expect(sent).toEqual([]);
  });

  it('keeps the datafile open when the server cannot be reached or the address is wrong', async () => {
    const stopped = await startServer({ datafile: path.join(tempDir(), 's.sqlite'), setup: { admin: ADMIN }, hasher: fastHasher, port: 0 });
    await stopped.stop();
    expect(await connect(stopped.url)).toEqual({
      ok: false,
      error: { code: 'server_unreachable', message: `Unable to reach the server at ${stopped.url}. Check the address and the network.` },
    });
    expect(await connect('ftp://server')).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await invoke(desktopChannels.connectToServer, fromWindow(window), { url: '' })).toMatchObject({
      ok: false,
      error: { message: 'Enter the address of the server, for example http://server:2048.' },
    });
    expect(await invoke(desktopChannels.connectToServer, fromWindow(window), { url: server.url, extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
    expect(host.status().location).toBe(fs.realpathSync(localFile));
    expect(window.title).toBe(`mSupply Sync Sites — ${fs.realpathSync(localFile)}`);
    expect(await invoke(desktopChannels.lastServerUrl, fromWindow(window))).toEqual({ ok: true, value: null });
  });

  it('goes back to a local datafile, logged out, and ends the login on the server', async () => {
    await connect();
    await invoke(operationChannel('login'), fromWindow(window), { userName: ADMIN.userName, password: ADMIN.password });

    const reopened = await host.open(localFile);
    expect(reopened).toMatchObject({ ok: true, value: { location: fs.realpathSync(localFile), open: true } });
    expect(window.title).toBe(`mSupply Sync Sites — ${fs.realpathSync(localFile)}`);
    expect(fs.readFileSync(`${fs.realpathSync(localFile)}.lock`, 'utf8')).toContain(String(process.pid));
    expect((await invoke(operationChannel('whoAmI'), fromWindow(window), {})).value.user).toBeNull();
    const local = await invoke(operationChannel('login'), fromWindow(window), { userName: 'local admin', password: 'local password 1' });
    expect(local).toMatchObject({ ok: true, value: { user: { name: 'local admin' } } });
    // Leaving the server logs the window out there too.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent[sent.length - 1]).toBe('/api/op/logout');
  });
});
