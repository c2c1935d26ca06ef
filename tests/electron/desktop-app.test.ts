/**
 * Electron main as a whole, under the fake electron: a built layout in a temp folder (with the Node
 * build of better-sqlite3 standing in for the Electron one, since the fake runs under Node).
 */
import fs from 'node:fs';
import path from 'node:path';
import { startDesktopApp } from '../../main/electron/app';
import { acquireDatafileLock } from '../../main/services/datafile-lock';
import { desktopChannels, operationChannel } from '../../shared/ipc';
import { startServer } from '../../main/hosts/server';
import { ADMIN, fastHasher, tempDir } from '../helpers/core';
import { fake } from '../fakes/electron';
import { type MenuItem, builtLayout, flush, invoke, menuItem, quitApp, start } from './desktop-layout';

describe('the desktop app', () => {
  let layout: ReturnType<typeof builtLayout>;
  beforeEach(() => {
    layout = builtLayout();
  });
  afterEach(() => quitApp());

  it('starts on a new datafile in the user-data folder that asks for its first administrator', async () => {
    await start(layout);
    expect(fake.app.sandboxEnabled).toBe(true);
    expect(fake.windows).toHaveLength(1);
    const [window] = fake.windows;
    expect(window!.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });

    const status = await invoke(window!, desktopChannels.datafileStatus);
    expect(status.value).toEqual({ location: path.join(layout.userData, 'datafile.sqlite'), open: false, needsSetup: true });
    expect(fs.readFileSync(path.join(layout.userData, 'datafile.sqlite.lock'), 'utf8')).toContain(String(process.pid));

    const setUp = await invoke(window!, desktopChannels.setUpDatafile, { userName: 'boss', password: 'long enough 1', demo: true });
    expect(setUp.value).toMatchObject({ open: true, needsSetup: false });
    const login = await invoke(window!, operationChannel('login'), { userName: 'boss', password: 'long enough 1' });
    expect(login.value.datafile.activeSiteName).toBe('Tamaki Central Synchronisation Server');
    // The remote-site operations are wired in, with this machine's hardware ID.
    const remote = await invoke(window!, operationChannel('getRemoteSync'), {});
    expect(remote).toMatchObject({ ok: true, value: { configured: false, hardwareId: expect.stringMatching(/^[0-9a-f]{64}$/) } });
  });

  it('sends show-sites to the window from Special > Show Sites...', async () => {
    await start(layout);
    menuItem('Special', 'Show Sites...').click!();
    expect(fake.windows[0]!.webContents.sent).toEqual([{ channel: desktopChannels.menuCommand, args: ['show-sites'] }]);
  });

  it('sends show-users to the window from Special > Users...', async () => {
    await start(layout);
    menuItem('Special', 'Users...').click!();
    expect(fake.windows[0]!.webContents.sent).toEqual([{ channel: desktopChannels.menuCommand, args: ['show-users'] }]);
  });

  it('offers reload only while developing', async () => {
    await start(layout);
    const roles = () => ((fake.applicationMenu!.template as MenuItem[]).find((m) => m.label === '&View')!.submenu ?? []).map((i) => i.role);
    expect(roles()).toContain('reload');
    await quitApp();

    fake.reset();
    fake.app.isPackaged = true;
    fake.app.appPath = layout.appPath;
    fake.app.paths = { userData: layout.userData, documents: layout.appPath, logs: path.join(layout.userData, 'logs') };
    // Packaged, the pieces come from the resources folder.
    const resources = tempDir('resources-');
    fs.cpSync(path.join(layout.appPath, 'dist', 'migrations'), path.join(resources, 'migrations'), { recursive: true });
    fs.cpSync(path.join(layout.appPath, 'native', 'electron', `${process.platform}-${process.arch}`), path.join(resources, 'native'), {
      recursive: true,
    });
    const resourcesPath = Object.getOwnPropertyDescriptor(process, 'resourcesPath');
    Object.defineProperty(process, 'resourcesPath', { value: resources, configurable: true });
    try {
      await startDesktopApp({ argv: [], bundleDir: layout.bundleDir, logToConsole: false });
    } finally {
      if (resourcesPath) Object.defineProperty(process, 'resourcesPath', resourcesPath);
      else delete (process as { resourcesPath?: string }).resourcesPath;
    }
    expect(fake.errorBoxes).toEqual([]);
    expect(roles()).not.toContain('reload');
    expect(roles()).not.toContain('toggleDevTools');
  });

  it('opens another datafile from File > Open datafile..., and refuses one already open elsewhere in words', async () => {
    await start(layout);
    const [window] = fake.windows;

    const other = path.join(tempDir(), 'other.sqlite');
    fake.dialogAnswers.open = { canceled: false, filePaths: [other] };
    menuItem('File', 'Open datafile...').click!();
    await flush();
    expect(fake.messageBoxes).toEqual([expect.objectContaining({ type: 'error', detail: expect.stringContaining('not found') })]);

    const busy = path.join(tempDir(), 'busy.sqlite');
    fake.dialogAnswers.save = { canceled: false, filePath: busy };
    const elsewhere = acquireDatafileLock(busy, { pid: 4242, host: 'RECEPTION-PC' });
    menuItem('File', 'New datafile...').click!();
    await flush();
    expect(fake.messageBoxes[1]).toMatchObject({
      message: 'The datafile could not be opened.',
      detail: expect.stringMatching(/already open in another window or program.*RECEPTION-PC/),
    });
    expect((await invoke(window!, desktopChannels.datafileStatus)).value.location).toBe(path.join(layout.userData, 'datafile.sqlite'));
    elsewhere.release();

    menuItem('File', 'New datafile...').click!();
    await flush();
    expect((await invoke(window!, desktopChannels.datafileStatus)).value).toEqual({ location: fs.realpathSync(busy), open: false, needsSetup: true });
    expect(window!.webContents.reloads).toBe(1);
    // The previous datafile is closed and unlocked.
    expect(fs.existsSync(path.join(layout.userData, 'datafile.sqlite.lock'))).toBe(false);
  });

  it('connects to a server from File > Connect to server..., and comes back with File > Open datafile...', async () => {
    const server = await startServer({
      datafile: path.join(tempDir('server-'), 'server.sqlite'),
      setup: { admin: ADMIN, demo: true },
      hasher: fastHasher,
      port: 0,
    });
    try {
      await start(layout);
      const [window] = fake.windows;
      const defaultDatafile = path.join(layout.userData, 'datafile.sqlite');
      expect(window!.title).toBe(`mSupply Sync Sites — ${defaultDatafile}`);

      // The menu asks the window for the address; the window sends it back with connectToServer.
      menuItem('File', 'Connect to server...').click!();
      expect(window!.webContents.sent).toEqual([{ channel: desktopChannels.menuCommand, args: ['connect-to-server'] }]);
      expect((await invoke(window!, desktopChannels.lastServerUrl)).value).toBeNull();
      const connected = await invoke(window!, desktopChannels.connectToServer, { url: `${server.url}/` });
      expect(connected).toEqual({ ok: true, value: { location: server.url, open: true, needsSetup: false } });
      expect(window!.title).toBe(`mSupply Sync Sites — ${server.url}`);
      expect(fs.existsSync(`${defaultDatafile}.lock`)).toBe(false);
      expect(JSON.parse(fs.readFileSync(path.join(layout.userData, 'last-server.json'), 'utf8'))).toEqual({ url: server.url, reconnect: true });

      await invoke(window!, operationChannel('login'), { userName: ADMIN.userName, password: ADMIN.password });
      const sites = await invoke(window!, operationChannel('listSites'), {});
      expect(sites.value.rows.map((r: { name: string }) => r.name)).toContain('Kopu HC');

      fake.dialogAnswers.open = { canceled: false, filePaths: [defaultDatafile] };
      menuItem('File', 'Open datafile...').click!();
      await flush();
      expect((await invoke(window!, desktopChannels.datafileStatus)).value).toEqual({ location: defaultDatafile, open: false, needsSetup: true });
      expect(window!.title).toBe(`mSupply Sync Sites — ${defaultDatafile}`);
      expect(window!.webContents.reloads).toBe(1);
      expect(fs.existsSync(`${defaultDatafile}.lock`)).toBe(true);
      // Offered again next time.
      expect((await invoke(window!, desktopChannels.lastServerUrl)).value).toBe(server.url);
    } finally {
      await server.stop();
    }
  });

  it('leaves the default datafile to the instance already running', async () => {
    fake.reset();
    fake.app.singleInstanceLock = false;
    await startDesktopApp({ argv: [], bundleDir: layout.bundleDir });
    expect(fake.app.quitCalls).toBe(1);
    expect(fake.windows).toHaveLength(0);
  });

  it('says in words when the Electron build of SQLite is missing', async () => {
    fs.rmSync(path.join(layout.appPath, 'native'), { recursive: true });
    await start(layout);
    expect(fake.errorBoxes[0]!.content).toContain('npm run electron:native');
    expect(fake.windows).toHaveLength(0);
  });
});
