/**
 * The desktop shell around the datafile: a second launch during start-up, reconnecting to the last
 * server, the macOS Window menu, Help > About and Help > Open logs folder, and the log file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startDesktopApp } from '../../main/electron/app';
import { startServer } from '../../main/hosts/server';
import { desktopChannels, operationChannel } from '../../shared/ipc';
import { ADMIN, fastHasher, tempDir } from '../helpers/core';
import { noLimits } from '../sync/helpers';
import { fake } from '../fakes/electron';
import { type BuiltLayout, type MenuItem, builtLayout, flush, invoke, menuItem, prepare, quitApp, start } from './desktop-layout';

describe('the desktop shell', () => {
  let layout: BuiltLayout;
  beforeEach(() => {
    layout = builtLayout();
  });
  afterEach(() => quitApp());

  it('brings the window forward (shown, even before ready-to-show) on a second launch made during start-up', async () => {
    prepare(layout);
    const starting = startDesktopApp({ argv: [], bundleDir: layout.bundleDir, logToConsole: false });
    // The second launch arrives while the datafile is still being opened.
    fake.app.emit('second-instance', {}, ['msupply-sync-sites'], process.cwd());
    await starting;
    const [window] = fake.windows;
    expect(window!.isVisible()).toBe(true);
    expect(window!.focuses).toBe(1);

    // Later launches too, for a window minimised or never shown.
    window!.minimize();
    fake.app.emit('second-instance', {}, [], process.cwd());
    expect(window!.isMinimized()).toBe(false);
    expect(window!.focuses).toBe(2);
  });

  it('connects again at start-up to the server it was on when it quit, and not after going back to a datafile', async () => {
    const server = await startServer({
      datafile: path.join(tempDir('server-'), 'server.sqlite'),
      setup: { admin: ADMIN, demo: true },
      hasher: fastHasher,
      port: 0,
      signInLimits: noLimits,
    });
    const defaultDatafile = path.join(layout.userData, 'datafile.sqlite');
    try {
      await start(layout);
      await invoke(fake.windows[0]!, desktopChannels.connectToServer, { url: server.url });
      await quitApp();

      await start(layout);
      const [window] = fake.windows;
      expect((await invoke(window!, desktopChannels.datafileStatus)).value).toEqual({ location: server.url, open: true, needsSetup: false });
      expect(fs.existsSync(`${defaultDatafile}.lock`)).toBe(false);
      // Through Electron's net, like sync.
      expect(fake.netRequests.map((r) => new URL(r.url).origin)).toContain(server.url);
      const login = await invoke(window!, operationChannel('login'), { userName: ADMIN.userName, password: ADMIN.password });
      expect(login.ok).toBe(true);

      fake.dialogAnswers.open = { canceled: false, filePaths: [defaultDatafile] };
      menuItem('File', 'Open datafile...').click!();
      await flush();
      await quitApp();

      await start(layout);
      expect((await invoke(fake.windows[0]!, desktopChannels.datafileStatus)).value.location).toBe(defaultDatafile);
    } finally {
      await server.stop();
    }
  });

  it('opens the datafile and says why when the last server does not answer at start-up', async () => {
    fs.mkdirSync(layout.userData, { recursive: true });
    fs.writeFileSync(path.join(layout.userData, 'last-server.json'), JSON.stringify({ url: 'http://127.0.0.1:9', reconnect: true }));
    await start(layout);
    await flush();
    expect((await invoke(fake.windows[0]!, desktopChannels.datafileStatus)).value.location).toBe(path.join(layout.userData, 'datafile.sqlite'));
    expect(fake.messageBoxes).toEqual([
      expect.objectContaining({
        message: 'The app could not connect again to the server at http://127.0.0.1:9.',
        detail: expect.stringContaining('File > Connect to server...'),
      }),
    ]);
  });

  it('has a Window menu on macOS only, and a Help menu everywhere', async () => {
    const { menuTemplate } = await import('../../main/electron/menu');
    const { menuWords } = await import('../../main/electron/menu-language');
    const actions = {
      newDatafile() {},
      openDatafile() {},
      backUpDatafile() {},
      sendMenuCommand() {},
      showAbout() {},
      openLogsFolder() {},
      chooseLanguage() {},
    };
    const words = { language: 'en', t: menuWords('en') } as const;
    const mac = menuTemplate(actions, { isDevelopment: false, platform: 'darwin', ...words }) as MenuItem[];
    expect(mac.map((m) => m.label)).toEqual(['mSupply Sync Sites', '&File', '&Edit', '&Special', '&View', '&Language', '&Window', '&Help']);
    expect(mac.find((m) => m.label === '&Window')!.submenu!.map((i) => i.role ?? 'separator')).toEqual(['minimize', 'zoom', 'separator', 'front']);
    const windows = menuTemplate(actions, { isDevelopment: false, platform: 'win32', ...words }) as MenuItem[];
    expect(windows.map((m) => m.label)).toEqual(['&File', '&Edit', '&Special', '&View', '&Language', '&Help']);
    expect(windows.at(-1)!.role).toBe('help');
  });

  it('shows the app, Electron, Node and datafile versions in Help > About', async () => {
    await start(layout);
    const window = fake.windows[0]!;
    await invoke(window, desktopChannels.setUpDatafile, { userName: 'boss', password: 'long enough 1', demo: false });
    menuItem('Help', 'About mSupply Sync Sites').click!();
    await flush();
    const journal = JSON.parse(fs.readFileSync(path.resolve('db/migrations/meta/_journal.json'), 'utf8')).entries;
    const about = fake.messageBoxes[0] as { message: string; detail: string };
    expect(about.message).toBe('mSupply Sync Sites 0.0.0-test');
    expect(about.detail).toContain(`Node ${process.versions.node}`);
    expect(about.detail).toContain('Electron');
    expect(about.detail).toContain(`Migrations in this app: ${journal.length} (${journal[journal.length - 1].tag})`);
    expect(about.detail).toContain(`Datafile schema version ${journal.length}: ${path.join(layout.userData, 'datafile.sqlite')}`);
  });

  it('keeps a log file in the platform’s logs folder, opened by Help > Open logs folder, with refusals and never a password', async () => {
    await start(layout);
    const window = fake.windows[0]!;
    const logs = fake.app.getPath('logs');
    menuItem('Help', 'Open logs folder').click!();
    await flush();
    expect(fake.openedPaths).toEqual([logs]);

    await invoke(window, desktopChannels.setUpDatafile, { userName: 'boss', password: 'long enough 1', demo: false });
    for (let i = 0; i < 9; i++) await invoke(window, operationChannel('login'), { userName: 'boss', password: `wrong secret ${i}` });
    const text = fs.readFileSync(path.join(logs, 'main.log'), 'utf8');
    expect(text).toMatch(/\[info\] mSupply Sync Sites 0\.0\.0-test started/);
    expect(text).toMatch(/\[warn\] Login (refused|locked)/);
    expect(text).not.toContain('wrong secret');
    expect(text).not.toContain('long enough 1');
  });
});
