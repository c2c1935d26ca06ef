/**
 * Quitting releases the datafile lock and closes the datafile (no -wal / -shm left) on every path,
 * with the fake behaving as Electron does: after `will-quit` only microtasks run, and `app.exit`
 * skips `before-quit` and `will-quit` altogether. The in-app central server runs (a new datafile's
 * active site is the central server), which is what needs event-loop turns to stop.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Menu } from 'electron';
import { runDesktopApp } from '../../main/electron/app';
import { desktopChannels, operationChannel } from '../../shared/ipc';
import { type BrowserWindow, electronEvent, fake, powerMonitor } from '../fakes/electron';
import { type BuiltLayout, builtLayout, freePort, invoke, prepare, quitApp, start } from './desktop-layout';

interface LeftBehind {
  lock: boolean;
  wal: boolean;
  shm: boolean;
}

describe('quitting the desktop app', () => {
  let layout: BuiltLayout;
  let datafile: string;
  let atExit: LeftBehind | null;

  beforeEach(() => {
    layout = builtLayout();
    datafile = path.join(layout.userData, 'datafile.sqlite');
    atExit = null;
  });
  afterEach(() => quitApp());

  function watchExit() {
    fake.atExit.push(() => {
      atExit = {
        lock: fs.existsSync(`${datafile}.lock`),
        wal: fs.existsSync(`${datafile}-wal`) && fs.statSync(`${datafile}-wal`).size > 0,
        shm: fs.existsSync(`${datafile}-shm`),
      };
    });
  }

  /** Starts on the default datafile, set up, with its in-app central server listening. */
  async function startAsCentral(): Promise<BrowserWindow> {
    await start(layout);
    watchExit();
    const window = fake.windows[0]!;
    await invoke(window, desktopChannels.setUpDatafile, { userName: 'boss', password: 'long enough 1', demo: false });
    await invoke(window, operationChannel('login'), { userName: 'boss', password: 'long enough 1' });
    const port = await freePort();
    const central = await invoke(window, operationChannel('setCentralServerPort'), { port });
    expect(central.value).toMatchObject({ running: true, port });
    expect(fs.existsSync(`${datafile}.lock`)).toBe(true);
    return window;
  }

  async function ended(): Promise<number> {
    for (let i = 0; i < 500 && fake.app.exitCode === null; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return fake.app.exitCode ?? -1;
  }

  it('when the window is closed', async () => {
    const window = await startAsCentral();
    window.close();
    expect(await ended()).toBe(0);
    expect(atExit).toEqual({ lock: false, wal: false, shm: false });
  });

  it('on File > Quit (Cmd+Q)', async () => {
    await startAsCentral();
    fake.app.quit();
    expect(await ended()).toBe(0);
    expect(atExit).toEqual({ lock: false, wal: false, shm: false });
    expect(fake.windows[0]!.isDestroyed()).toBe(true);
  });

  it('when the operating system shuts down (macOS and Linux: powerMonitor shutdown; the process ends next)', async () => {
    await startAsCentral();
    powerMonitor.emit('shutdown', electronEvent());
    // Nothing more runs: the system ends the process.
    fake.app.exit(0);
    expect(atExit).toEqual({ lock: false, wal: false, shm: false });
  });

  it('when Windows ends the session (the window gets session-end; the process ends next)', async () => {
    const window = await startAsCentral();
    window.emit('session-end', electronEvent());
    fake.app.exit(0);
    expect(atExit).toEqual({ lock: false, wal: false, shm: false });
  });

  it('on app.exit after a fatal error while starting', async () => {
    prepare(layout);
    watchExit();
    const realSetMenu = Menu.setApplicationMenu;
    Menu.setApplicationMenu = () => {
      throw new Error('menu failed');
    };
    try {
      await runDesktopApp({ argv: [], bundleDir: layout.bundleDir, logToConsole: false });
    } finally {
      Menu.setApplicationMenu = realSetMenu;
    }
    expect(fake.app.exitCode).toBe(1);
    expect(fake.errorBoxes[0]!.content).toContain('menu failed');
    expect(atExit).toEqual({ lock: false, wal: false, shm: false });
  });
});
