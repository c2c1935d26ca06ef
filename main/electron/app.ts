/**
 * Electron main, composed: one locked-down window over the open datafile (or the server it is
 * connected to), the IPC handlers, the application menu and the File > New / Open datafile commands. The rules live in the modules it
 * wires (DatafileHost, the services, the contract); this file only talks to Electron.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BrowserWindow, Menu, app, dialog, ipcMain, type OpenDialogOptions } from 'electron';
import type { MenuCommand } from '../../shared/bridge';
import { desktopChannels } from '../../shared/ipc';
import { DatafileHost } from '../hosts/datafile-host';
import { AppWindows, registerIpcHandlers } from './ipc';
import { LastServerFile } from '../hosts/last-server';
import { appLocations, missingPieces } from './locations';
import { menuTemplate } from './menu';
import { NetHttpClient } from './net-http-client';
import { createAppWindow } from './window';

export interface DesktopAppOptions {
  argv?: string[];
  /** The folder of the main bundle; tests point it at a built layout of their own. */
  bundleDir?: string;
}

const datafileFilters: OpenDialogOptions['filters'] = [
  { name: 'mSupply sync datafiles', extensions: ['sqlite'] },
  { name: 'All files', extensions: ['*'] },
];

/** `--datafile=<path>` opens that datafile instead of the one in the user-data folder. */
export function datafileArgument(argv: readonly string[]): string | null {
  for (const arg of argv) {
    if (arg.startsWith('--datafile=')) return arg.slice('--datafile='.length) || null;
  }
  return null;
}

export async function startDesktopApp(options: DesktopAppOptions = {}): Promise<void> {
  const explicitDatafile = datafileArgument(options.argv ?? process.argv);
  // The default datafile has one window at a time: a second start focuses the first one instead.
  if (!explicitDatafile && !app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  await app.whenReady();

  const locations = appLocations({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    appPath: app.getAppPath(),
    bundleDir: options.bundleDir ?? __dirname,
    userDataPath: app.getPath('userData'),
  });
  const problems = missingPieces(locations);
  if (problems.length > 0) {
    dialog.showErrorBox('mSupply Sync Sites cannot start', problems.join('\n\n'));
    app.quit();
    return;
  }

  const host = new DatafileHost({
    openOptions: { nativeBinding: locations.nativeBinding, migrationsFolder: locations.migrationsFolder },
    remote: {
      hardwareIdFallbackFile: locations.hardwareIdFallbackFile,
      electronClient: new NetHttpClient(),
      appVersion: app.getVersion(),
    },
    // While the datafile is the central server, remote sites reach it on its central_server_port.
    centralServer: { log: (message) => console.log(message), credentialKeyFile: locations.credentialKeyFile },
    syncAutomatically: true,
  });
  const windows = new AppWindows();
  registerIpcHandlers(ipcMain, { host, windows, lastServer: new LastServerFile(locations.lastServerFile) });
  app.on('will-quit', () => host.close());
  process.on('exit', () => host.close());

  const opened = await host.open(explicitDatafile ?? locations.defaultDatafile, { create: true });
  const mainWindow = openWindow();
  if (!opened.ok) showOpenFailure(mainWindow, opened.error.message);

  function openWindow(): BrowserWindow {
    const window = createAppWindow({ ...locations, host, windows });
    window.on('closed', () => app.quit());
    return window;
  }

  app.on('second-instance', () => {
    if (mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  async function switchDatafile(file: string, create: boolean): Promise<void> {
    const result = await host.open(file, { create });
    if (!result.ok) {
      showOpenFailure(mainWindow, result.error.message);
      return;
    }
    // The page starts again from datafileStatus: new datafile, nobody logged in.
    if (!mainWindow.isDestroyed()) mainWindow.webContents.reload();
  }

  const actions = {
    async openDatafile() {
      const chosen = await dialog.showOpenDialog(mainWindow, {
        title: 'Open datafile',
        properties: ['openFile'],
        filters: datafileFilters,
      });
      const file = chosen.filePaths[0];
      if (!chosen.canceled && file) await switchDatafile(file, false);
    },
    async newDatafile() {
      const chosen = await dialog.showSaveDialog(mainWindow, {
        title: 'New datafile',
        buttonLabel: 'Create',
        defaultPath: path.join(app.getPath('documents'), 'New datafile.sqlite'),
        filters: datafileFilters,
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      });
      if (chosen.canceled || !chosen.filePath) return;
      // Never replace a file: a datafile holds a system's sites and stores.
      if (fs.existsSync(chosen.filePath) && fs.statSync(chosen.filePath).size > 0) {
        await dialog.showMessageBox(mainWindow, {
          type: 'error',
          message: 'A file with that name already exists.',
          detail: `${chosen.filePath}\n\nChoose another name for the new datafile, or use File > Open datafile... to open this one.`,
        });
        return;
      }
      await switchDatafile(chosen.filePath, true);
    },
    sendMenuCommand(command: MenuCommand) {
      if (!mainWindow.isDestroyed()) mainWindow.webContents.send(desktopChannels.menuCommand, command);
    },
  };
  const run = (action: () => Promise<void>) => () => {
    action().catch((error: unknown) => console.error('Menu command failed:', error));
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        { openDatafile: run(actions.openDatafile), newDatafile: run(actions.newDatafile), sendMenuCommand: actions.sendMenuCommand },
        { isDevelopment: !app.isPackaged, platform: process.platform },
      ),
    ),
  );
}

function showOpenFailure(window: BrowserWindow, message: string): void {
  const options = { type: 'error' as const, message: 'The datafile could not be opened.', detail: message };
  void (window.isDestroyed() ? dialog.showMessageBox(options) : dialog.showMessageBox(window, options));
}
