import path from 'node:path';
import { DatafileHost } from '../../main/hosts/datafile-host';
import { AppWindows, refusedSenderMessage, registerIpcHandlers } from '../../main/electron/ipc';
import { createAppWindow } from '../../main/electron/window';
import { operationNames } from '../../shared/contract';
import { desktopChannels, invokeChannels, operationChannel } from '../../shared/ipc';
import { ADMIN, fastHasher, tempDir } from '../helpers/core';
import { ipcMain } from 'electron';
import { type BrowserWindow, type IpcEvent, fake } from '../fakes/electron';
import { appPage, fromWindow, invoke, rendererIndex } from './ipc-events';

function openWindow(host: DatafileHost, windows: AppWindows): BrowserWindow {
  createAppWindow({
    preload: '/app/dist/main/preload.js',
    rendererFolder: path.dirname(rendererIndex),
    host,
    windows,
    log: () => {},
  });
  return fake.windows[fake.windows.length - 1]!;
}

async function newHost(options: { setUp?: boolean } = {}): Promise<DatafileHost> {
  const host = new DatafileHost({ hasher: fastHasher, logError: () => {} });
  const opened = await host.open(path.join(tempDir(), 'datafile.sqlite'), { create: true });
  expect(opened.ok).toBe(true);
  if (options.setUp !== false) {
    expect(await host.setUp({ userName: ADMIN.userName, password: ADMIN.password, demo: true })).toMatchObject({ ok: true });
  }
  return host;
}

describe('the IPC handlers', () => {
  let host: DatafileHost;
  let windows: AppWindows;
  let window: BrowserWindow;

  beforeEach(async () => {
    fake.reset();
    host = await newHost();
    windows = new AppWindows();
    registerIpcHandlers(ipcMain, { host, windows, log: () => {} });
    window = openWindow(host, windows);
  });
  afterEach(() => host.close());

  it('has exactly one handler per contract operation plus the desktop commands, and nothing else', () => {
    expect([...fake.handlers.keys()].sort()).toEqual([...invokeChannels].sort());
    for (const operation of operationNames) expect(fake.handlers.has(operationChannel(operation))).toBe(true);
    // The desktop commands: datafileStatus, setUpDatafile, connectToServer, lastServerUrl, setDeviceLanguage.
    expect(fake.handlers.size).toBe(operationNames.length + 5);
  });

  it('lets the app window log in and list the sites through the contract', async () => {
    const login = await invoke(operationChannel('login'), fromWindow(window), { userName: ADMIN.userName, password: ADMIN.password });
    expect(login).toMatchObject({ ok: true, value: { user: { name: ADMIN.userName } } });
    const sites = await invoke(operationChannel('listSites'), fromWindow(window), {});
    expect(sites.ok).toBe(true);
    expect(sites.value.rows.map((r: { name: string }) => r.name)).toContain('Waikato');
  });

  const foreignSenders: [string, (w: BrowserWindow) => IpcEvent][] = [
    ['another webContents', () => ({ sender: { id: 99_999 }, senderFrame: { url: appPage, parent: null } })],
    ['a frame inside the page', (w) => fromWindow(w, appPage, { url: appPage })],
    ['the window after navigating elsewhere', (w) => fromWindow(w, 'https://example.org/')],
    ['a file on disk', (w) => fromWindow(w, 'file:///tmp/evil/index.html')],
    ['another host on the app scheme', (w) => fromWindow(w, 'app://evil/index.html')],
    ['a frame that is gone', (w) => ({ sender: { id: w.webContents.id }, senderFrame: null })],
  ];

  it.each(foreignSenders)('refuses %s on every channel, and no service is called', async (_name, eventOf) => {
    const core = host.core!;
    const spies = [
      jest.spyOn(core.users, 'authenticate'),
      jest.spyOn(core.sites, 'listSites'),
      jest.spyOn(core.sites, 'saveSite'),
      jest.spyOn(core.sites, 'deleteSite'),
    ];
    for (const channel of invokeChannels) {
      const result = await invoke(channel, eventOf(window), { userName: ADMIN.userName, password: ADMIN.password });
      expect(result).toEqual({ ok: false, error: { code: 'permission_denied', message: refusedSenderMessage } });
    }
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('refuses a window once it is closed', async () => {
    const event = fromWindow(window);
    window.close();
    const result = await invoke(operationChannel('login'), event, { userName: ADMIN.userName, password: ADMIN.password });
    expect(result.error.code).toBe('permission_denied');
  });

  it('answers a malformed payload with validation_failed, and no service is called', async () => {
    const core = host.core!;
    const authenticate = jest.spyOn(core.users, 'authenticate');
    const listSites = jest.spyOn(core.sites, 'listSites');
    const saveSite = jest.spyOn(core.sites, 'saveSite');

    expect(await invoke(operationChannel('login'), fromWindow(window), { userName: 'admin' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: expect.stringContaining('password') },
    });
    await invoke(operationChannel('login'), fromWindow(window), { userName: ADMIN.userName, password: ADMIN.password });
    authenticate.mockClear();
    for (const [operation, payload] of [
      ['listSites', { search: 42 }],
      ['listSites', { sort: { column: 'password', direction: 'asc' } }],
      ['saveSite', { siteId: 2, name: 'Waikato', sneaky: true }],
      ['saveSite', 'not an object'],
    ] as const) {
      const result = await invoke(operationChannel(operation), fromWindow(window), payload);
      expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    }
    expect(authenticate).not.toHaveBeenCalled();
    expect(listSites).not.toHaveBeenCalled();
    expect(saveSite).not.toHaveBeenCalled();
  });

  it('keeps one login per window', async () => {
    const second = openWindow(host, windows);
    await invoke(operationChannel('login'), fromWindow(window), { userName: ADMIN.userName, password: ADMIN.password });
    expect((await invoke(operationChannel('whoAmI'), fromWindow(window), {})).value.user.name).toBe(ADMIN.userName);
    expect((await invoke(operationChannel('whoAmI'), fromWindow(second), {})).value.user).toBeNull();
    expect((await invoke(operationChannel('listSites'), fromWindow(second), {})).error.code).toBe('not_logged_in');
  });
});

describe('a new datafile through the desktop commands', () => {
  let host: DatafileHost;
  let window: BrowserWindow;
  beforeEach(async () => {
    fake.reset();
    host = await newHost({ setUp: false });
    const windows = new AppWindows();
    registerIpcHandlers(ipcMain, { host, windows, log: () => {} });
    window = openWindow(host, windows);
  });
  afterEach(() => host.close());

  it('reports that it needs its first administrator, refuses login until then, then is set up', async () => {
    const status = await invoke(desktopChannels.datafileStatus, fromWindow(window));
    expect(status).toEqual({ ok: true, value: { location: expect.stringContaining('datafile.sqlite'), open: false, needsSetup: true } });
    const login = await invoke(operationChannel('login'), fromWindow(window), { userName: 'admin', password: 'whatever1' });
    expect(login.ok).toBe(false);

    const short = await invoke(desktopChannels.setUpDatafile, fromWindow(window), { userName: 'boss', password: 'short', demo: false });
    expect(short).toMatchObject({ ok: false, error: { code: 'validation_failed', message: expect.stringContaining('at least 8') } });

    const setUp = await invoke(desktopChannels.setUpDatafile, fromWindow(window), { userName: 'boss', password: 'long enough 1', demo: false });
    expect(setUp).toMatchObject({ ok: true, value: { open: true, needsSetup: false } });
    expect(JSON.stringify(setUp)).not.toContain('long enough 1');
    expect(await invoke(operationChannel('login'), fromWindow(window), { userName: 'boss', password: 'long enough 1' })).toMatchObject({
      ok: true,
    });
    const again = await invoke(desktopChannels.setUpDatafile, fromWindow(window), { userName: 'x', password: 'long enough 2', demo: false });
    expect(again).toMatchObject({ ok: false, error: { message: 'This datafile is already set up.' } });
  });

  it('is not set up by a foreign sender', async () => {
    const result = await invoke(desktopChannels.setUpDatafile, fromWindow(window, 'https://example.org/'), {
      userName: 'intruder',
      password: 'long enough 1',
      demo: false,
    });
    expect(result.error.code).toBe('permission_denied');
    expect(host.status().needsSetup).toBe(true);
  });
});
