/**
 * Electron main, composed: one locked-down window over the open datafile (or the server it is
 * connected to), the IPC handlers, the application menu and its commands, the desktop log, and a
 * quit that lets go of the datafile on every path. The rules live in the modules it wires
 * (DatafileHost, the services, the contract); this file only talks to Electron.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BrowserWindow, Menu, app, dialog, ipcMain, powerMonitor, protocol, shell, type OpenDialogOptions } from 'electron';
import { readJournal } from '../../db/migrations-folder';
import type { Core } from '../core';
import type { MenuCommand } from '../../shared/bridge';
import { desktopChannels } from '../../shared/ipc';
import { DatafileHost } from '../hosts/datafile-host';
import { backUpDatafileFromMenu } from './backup-datafile';
import { AppWindows, registerIpcHandlers } from './ipc';
import { LastServerFile } from '../hosts/last-server';
import { appLocations, missingPieces } from './locations';
import { menuTemplate } from './menu';
import { appSchemePrivileges } from './app-page';
import { type DesktopLog, centralServerLogStream, openDesktopLog } from './desktop-log';
import { NetHttpClient, classifyNetError, netFetch } from './net-http-client';
import { showSyncIndicators } from './sync-indicators';
import { createAppWindow } from './window';

export interface DesktopAppOptions {
  argv?: string[];
  /** The folder of the main bundle; tests point it at a built layout of their own. */
  bundleDir?: string;
  /** Echo the log to the terminal too (default: while developing, not when packaged). */
  logToConsole?: boolean;
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

/** How long a quit waits for the central server to finish its calls before closing anyway. */
const SHUTDOWN_WAIT_MS = 5000;

export async function startDesktopApp(options: DesktopAppOptions = {}): Promise<void> {
  const explicitDatafile = datafileArgument(options.argv ?? process.argv);
  // The default datafile has one window at a time: a second start focuses the first one instead.
  if (!explicitDatafile && !app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // Before anything slow (ready, opening the datafile), so a second launch during start-up is not
  // lost: the window is brought forward as soon as there is one.
  let mainWindow: BrowserWindow | null = null;
  let broughtForwardWhenOpen = false;
  app.on('second-instance', () => {
    if (mainWindow && !mainWindow.isDestroyed()) bringForward(mainWindow);
    else broughtForwardWhenOpen = true;
  });
  protocol.registerSchemesAsPrivileged([appSchemePrivileges]);
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
  const log = openDesktopLog(app.getPath('logs'), { alsoToConsole: options.logToConsole ?? !app.isPackaged });
  const problems = missingPieces(locations);
  if (problems.length > 0) {
    log.error(`The app cannot start: ${problems.join(' ')}`);
    dialog.showErrorBox('mSupply Sync Sites cannot start', problems.join('\n\n'));
    app.quit();
    return;
  }
  log.info(`mSupply Sync Sites ${app.getVersion()} started (Electron ${process.versions.electron ?? '?'}, Node ${process.versions.node}).`);

  const host = new DatafileHost({
    openOptions: { nativeBinding: locations.nativeBinding, migrationsFolder: locations.migrationsFolder },
    remote: {
      hardwareIdFallbackFile: locations.hardwareIdFallbackFile,
      electronClient: new NetHttpClient(),
      appVersion: app.getVersion(),
    },
    // Connect to server goes through the same Electron client as sync (proxy, OS certificates).
    server: { fetch: netFetch as typeof fetch, classifyError: classifyNetError },
    // While the datafile is the central server, remote sites reach it on its central_server_port.
    centralServer: {
      log: (message) => log.info(message),
      serverOptions: { logger: { level: 'warn', stream: centralServerLogStream(log) } },
      credentialKeyFile: locations.credentialKeyFile,
    },
    syncAutomatically: true,
    logError: (what, error) => log.error(`${what} failed`, error),
    logSecurity: (details, message) => log.warn(`${message} ${JSON.stringify(details)}`),
    onCoreOpened: (core) => followSyncRuns(core, log),
  });
  holdQuitUntilClosed(host, log);
  try {
    const lastServer = new LastServerFile(locations.lastServerFile, (what, error) => log.error(`${what} failed`, error));
    const windows = new AppWindows();
    registerIpcHandlers(ipcMain, { host, windows, lastServer, log: (message) => log.warn(message) });

    const opened = await openAtStart(host, lastServer, explicitDatafile ?? locations.defaultDatafile, explicitDatafile !== null, log);
    const window = createAppWindow({ ...locations, host, windows, log: (message) => log.warn(message) });
    mainWindow = window;
    showSyncIndicators(host, window);
    window.on('closed', () => app.quit());
    // Windows ends the session without before-quit: the datafile is closed while the process may still run.
    window.on('session-end', () => host.closeNow());
    if (broughtForwardWhenOpen) bringForward(window);
    if (opened.problem) showOpenFailure(window, opened.problem.message, opened.problem.detail);

    const switchDatafile = async (file: string, create: boolean): Promise<void> => {
      const result = await host.open(file, { create });
      if (!result.ok) {
        showOpenFailure(window, 'The datafile could not be opened.', result.error.message);
        return;
      }
      lastServer.left();
      // The page starts again from datafileStatus: new datafile, nobody logged in.
      if (!window.isDestroyed()) window.webContents.reload();
    };

    const actions = {
      async openDatafile() {
        const chosen = await dialog.showOpenDialog(window, {
          title: 'Open datafile',
          properties: ['openFile'],
          filters: datafileFilters,
        });
        const file = chosen.filePaths[0];
        if (!chosen.canceled && file) await switchDatafile(file, false);
      },
      async newDatafile() {
        const chosen = await dialog.showSaveDialog(window, {
          title: 'New datafile',
          buttonLabel: 'Create',
          defaultPath: path.join(app.getPath('documents'), 'New datafile.sqlite'),
          filters: datafileFilters,
          properties: ['createDirectory', 'showOverwriteConfirmation'],
        });
        if (chosen.canceled || !chosen.filePath) return;
        // Never replace a file: a datafile holds a system's sites and stores.
        if (fs.existsSync(chosen.filePath) && fs.statSync(chosen.filePath).size > 0) {
          await dialog.showMessageBox(window, {
            type: 'error',
            message: 'A file with that name already exists.',
            detail: `${chosen.filePath}\n\nChoose another name for the new datafile, or use File > Open datafile... to open this one.`,
          });
          return;
        }
        await switchDatafile(chosen.filePath, true);
      },
      sendMenuCommand(command: MenuCommand) {
        if (!window.isDestroyed()) window.webContents.send(desktopChannels.menuCommand, command);
      },
      async showAbout() {
        const about = aboutText({
          appVersion: app.getVersion(),
          versions: process.versions,
          datafile: host.status().location,
          schemaVersion: host.datafileVersion(),
          migrationsFolder: locations.migrationsFolder,
        });
        const options = { type: 'info' as const, title: 'About mSupply Sync Sites', message: about.message, detail: about.detail };
        await (window.isDestroyed() ? dialog.showMessageBox(options) : dialog.showMessageBox(window, options));
      },
      async openLogsFolder() {
        fs.mkdirSync(log.folder, { recursive: true });
        const failure = await shell.openPath(log.folder);
        if (failure) log.warn(`The logs folder ${log.folder} could not be opened: ${failure}`);
      },
    };
    const run = (action: () => Promise<void>) => () => {
      action().catch((error: unknown) => log.error('Menu command', error));
    };
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate(
          {
            openDatafile: run(actions.openDatafile),
            newDatafile: run(actions.newDatafile),
            backUpDatafile: run(() =>
              backUpDatafileFromMenu(window, { host, defaultFolder: app.getPath('documents'), nativeBinding: locations.nativeBinding }),
            ),
            sendMenuCommand: actions.sendMenuCommand,
            showAbout: run(actions.showAbout),
            openLogsFolder: run(actions.openLogsFolder),
          },
          { isDevelopment: !app.isPackaged, platform: process.platform },
        ),
      ),
    );
  } catch (error) {
    // The caller ends the process with app.exit, which runs no quit events: let go of the datafile now.
    log.error('Starting the app', error);
    host.closeNow();
    throw error;
  }
}

function bringForward(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  // A window whose page never fired ready-to-show would otherwise stay hidden.
  window.show();
  window.focus();
}

/**
 * Quit, whichever way it comes, lets go of the datafile before the process ends. Electron runs only
 * microtasks after `will-quit`, and the in-app central server needs event-loop turns to stop, so
 * the first `before-quit` is held (preventDefault) until the host has shut down, then the quit is
 * made again. `will-quit`, an OS shutdown and the process's exit close synchronously as a last
 * resort (app.exit skips the quit events: its callers call host.closeNow() first).
 */
function holdQuitUntilClosed(host: DatafileHost, log: DesktopLog): void {
  let state: 'running' | 'shutting-down' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'shutting-down') return;
    state = 'shutting-down';
    let timer: NodeJS.Timeout | undefined;
    const tooLong = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.warn(`The central server did not stop within ${SHUTDOWN_WAIT_MS / 1000} seconds; closing the datafile anyway.`);
        resolve();
      }, SHUTDOWN_WAIT_MS);
    });
    void Promise.race([host.shutdown(), tooLong])
      .catch((error: unknown) => log.error('Closing the datafile', error))
      .finally(() => {
        clearTimeout(timer);
        host.closeNow();
        state = 'closed';
        log.info('mSupply Sync Sites quit.');
        app.quit();
      });
  });
  app.on('will-quit', () => host.closeNow());
  // macOS and Linux: the system is shutting down or restarting; the process may end at any moment.
  powerMonitor.on('shutdown', () => host.closeNow());
  process.on('exit', () => host.closeNow());
}

/**
 * The datafile (or server) at start-up: the server the app was on when it last quit, if it answers;
 * otherwise the datafile. Says in words what could not be opened or reached.
 */
async function openAtStart(
  host: DatafileHost,
  lastServer: LastServerFile,
  datafile: string,
  datafileAsked: boolean,
  log: DesktopLog,
): Promise<{ problem: { message: string; detail: string } | null }> {
  const serverUrl = datafileAsked ? null : lastServer.reconnectUrl();
  let serverProblem: string | null = null;
  if (serverUrl) {
    const connected = await host.connectToServer({ url: serverUrl });
    if (connected.ok) {
      log.info(`Connected again to the server at ${serverUrl}.`);
      return { problem: null };
    }
    serverProblem = connected.error.message;
    log.warn(`Could not connect again to the server at ${serverUrl}: ${serverProblem}`);
  }
  const opened = await host.open(datafile, { create: true });
  if (!opened.ok) return { problem: { message: 'The datafile could not be opened.', detail: opened.error.message } };
  if (serverProblem) {
    return {
      problem: {
        message: `The app could not connect again to the server at ${serverUrl}.`,
        detail: `${serverProblem}\n\nThe datafile on this computer is open instead. Use File > Connect to server... to try again.`,
      },
    };
  }
  return { problem: null };
}

/** Each sync run's outcome goes to the desktop log (what and when, never a credential). */
function followSyncRuns(core: Core, log: DesktopLog): void {
  core.syncRunner.events.on('runFinished', () => {
    try {
      const status = core.syncRunner.status();
      if (status.lastError) log.warn(`Sync failed: ${status.lastError}`);
      else log.info(`Sync finished: ${status.waitingOut} record(s) waiting to go out, ${status.refused} refused.`);
    } catch (error) {
      log.error('Reading the sync status', error);
    }
  });
}

export interface AboutInputs {
  appVersion: string;
  versions: NodeJS.ProcessVersions;
  datafile: string | null;
  schemaVersion: number | null;
  migrationsFolder: string;
}

/** Help > About: the versions an administrator (or support) asks for. */
export function aboutText(inputs: AboutInputs): { message: string; detail: string } {
  let latestMigration = 'unknown';
  try {
    const journal = readJournal(inputs.migrationsFolder);
    latestMigration = `${journal.length} (${journal[journal.length - 1]?.tag ?? 'none'})`;
  } catch {
    // shown as unknown
  }
  const datafileLine =
    inputs.schemaVersion === null
      ? inputs.datafile
        ? `Connected to the server at ${inputs.datafile}`
        : 'No datafile open'
      : `Datafile schema version ${inputs.schemaVersion}: ${inputs.datafile}`;
  return {
    message: `mSupply Sync Sites ${inputs.appVersion}`,
    detail: [
      `Electron ${inputs.versions.electron ?? 'not running in Electron'}`,
      `Chromium ${inputs.versions.chrome ?? '-'}`,
      `Node ${inputs.versions.node}`,
      `Migrations in this app: ${latestMigration}`,
      datafileLine,
    ].join('\n'),
  };
}

function showOpenFailure(window: BrowserWindow, message: string, detail: string): void {
  const options = { type: 'error' as const, message, detail };
  void (window.isDestroyed() ? dialog.showMessageBox(options) : dialog.showMessageBox(window, options));
}

/** The entry's whole job: start, and on a fatal error say so and end the process. */
export async function runDesktopApp(options: DesktopAppOptions = {}): Promise<void> {
  try {
    await startDesktopApp(options);
  } catch (error) {
    console.error('The app could not start:', error);
    dialog.showErrorBox('mSupply Sync Sites cannot start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  }
}
