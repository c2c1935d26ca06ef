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
import { menuTemplate, productName } from './menu';
import { DeviceLanguageFile, type MenuWords, menuLanguage, menuWords } from './menu-language';
import type { SpokenLanguage } from '../../shared/locales/languages';
import type { ApiSession } from '../api/core-api';
import type { WhoAmI } from '../../shared/contract';
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

const datafileFilters = (t: MenuWords): OpenDialogOptions['filters'] => [
  { name: t('dialog.datafiles'), extensions: ['sqlite'] },
  { name: t('dialog.all-files'), extensions: ['*'] },
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
  // The menu and main's dialogs: this computer's language until someone signs in (menu-language.ts).
  const deviceLanguage = new DeviceLanguageFile(locations.languageFile, (what, error) => log.error(`${what} failed`, error));
  const systemLanguages = [...app.getPreferredSystemLanguages(), app.getLocale()];
  let language: SpokenLanguage = menuLanguage({ userLanguage: null, deviceLanguage: deviceLanguage.read(), systemLanguages });
  let t = menuWords(language);
  const problems = missingPieces(locations);
  if (problems.length > 0) {
    log.error(`The app cannot start: ${problems.join(' ')}`);
    dialog.showErrorBox(t('dialog.cannot-start', { product: productName }), problems.join('\n\n'));
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
    let showMenu = (): void => undefined;
    const windowSession = (): ApiSession | null =>
      mainWindow && !mainWindow.isDestroyed() ? windows.sessionOfWindow(mainWindow.webContents.id) : null;
    // One at a time, in order: a sign-in followed at once by a language choice ends in the choice.
    let languageFollowed: Promise<void> = Promise.resolve();
    const followLanguage = (session = windowSession()): Promise<void> => {
      languageFollowed = languageFollowed
        .then(async () => {
          const who = session ? await host.dispatch(session, 'whoAmI', {}) : null;
          const userLanguage = who?.ok ? ((who.value as WhoAmI).user?.language ?? null) : null;
          const next = menuLanguage({ userLanguage, deviceLanguage: deviceLanguage.read(), systemLanguages });
          if (next === language) return;
          language = next;
          t = menuWords(next);
          showMenu();
        })
        .catch((error: unknown) => log.error('Following the language', error));
      return languageFollowed;
    };
    registerIpcHandlers(ipcMain, {
      host,
      windows,
      lastServer,
      log: (message) => log.warn(message),
      language: {
        chooseForDevice: (chosen) => deviceLanguage.write(chosen),
        sessionChanged: (session) => void followLanguage(session),
      },
    });

    const opened = await openAtStart(host, lastServer, explicitDatafile ?? locations.defaultDatafile, explicitDatafile !== null, log, t);
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
        showOpenFailure(window, t('dialog.open-failed'), result.error.message);
        return;
      }
      lastServer.left();
      // The page starts again from datafileStatus: new datafile, nobody logged in.
      if (!window.isDestroyed()) window.webContents.reload();
      followLanguage();
    };

    const actions = {
      async openDatafile() {
        const chosen = await dialog.showOpenDialog(window, {
          title: t('dialog.open-datafile'),
          properties: ['openFile'],
          filters: datafileFilters(t),
        });
        const file = chosen.filePaths[0];
        if (!chosen.canceled && file) await switchDatafile(file, false);
      },
      async newDatafile() {
        const chosen = await dialog.showSaveDialog(window, {
          title: t('dialog.new-datafile'),
          buttonLabel: t('dialog.create'),
          defaultPath: path.join(app.getPath('documents'), t('dialog.new-datafile-name')),
          filters: datafileFilters(t),
          properties: ['createDirectory', 'showOverwriteConfirmation'],
        });
        if (chosen.canceled || !chosen.filePath) return;
        // Never replace a file: a datafile holds a system's sites and stores.
        if (fs.existsSync(chosen.filePath) && fs.statSync(chosen.filePath).size > 0) {
          await dialog.showMessageBox(window, {
            type: 'error',
            message: t('dialog.file-exists'),
            detail: t('dialog.file-exists-detail', { file: chosen.filePath }),
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
          t,
        });
        const options = { type: 'info' as const, title: t('about.title', { product: productName }), message: about.message, detail: about.detail };
        await (window.isDestroyed() ? dialog.showMessageBox(options) : dialog.showMessageBox(window, options));
      },
      async openLogsFolder() {
        fs.mkdirSync(log.folder, { recursive: true });
        const failure = await shell.openPath(log.folder);
        if (failure) log.warn(`The logs folder ${log.folder} could not be opened: ${failure}`);
      },
      /**
       * Language > a language: the signed-in user's language, saved with setMyLanguage as the window's
       * picker does; before sign-in this computer's. The window shows it at once, the menu follows.
       */
      async chooseLanguage(chosen: SpokenLanguage) {
        const session = windowSession();
        const who = session ? await host.dispatch(session, 'whoAmI', {}) : null;
        if (session && who?.ok && (who.value as WhoAmI).user) {
          const saved = await host.dispatch(session, 'setMyLanguage', { language: chosen });
          if (!saved.ok) {
            log.warn(`The language could not be saved: ${saved.error.message}`);
            return;
          }
        } else {
          deviceLanguage.write(chosen);
        }
        if (!window.isDestroyed()) window.webContents.send(desktopChannels.languageChosen, chosen);
        await followLanguage();
      },
    };
    const run = (action: () => Promise<void>) => () => {
      action().catch((error: unknown) => log.error('Menu command', error));
    };
    const menuActions = {
      openDatafile: run(actions.openDatafile),
      newDatafile: run(actions.newDatafile),
      backUpDatafile: run(() =>
        backUpDatafileFromMenu(window, { host, defaultFolder: app.getPath('documents'), nativeBinding: locations.nativeBinding, t }),
      ),
      sendMenuCommand: actions.sendMenuCommand,
      showAbout: run(actions.showAbout),
      openLogsFolder: run(actions.openLogsFolder),
      chooseLanguage: (chosen: SpokenLanguage) => run(() => actions.chooseLanguage(chosen))(),
    };
    showMenu = () =>
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(menuTemplate(menuActions, { isDevelopment: !app.isPackaged, platform: process.platform, language, t })),
      );
    showMenu();
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
  t: MenuWords,
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
  if (!opened.ok) return { problem: { message: t('dialog.open-failed'), detail: opened.error.message } };
  if (serverProblem) {
    return {
      problem: {
        message: t('dialog.reconnect-failed', { url: serverUrl ?? '' }),
        detail: t('dialog.reconnect-failed-detail', { problem: serverProblem }),
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
  /** The menu's language (English by default). */
  t?: MenuWords;
}

/** Help > About: the versions an administrator (or support) asks for. */
export function aboutText(inputs: AboutInputs): { message: string; detail: string } {
  const t = inputs.t ?? menuWords('en');
  let latestMigration = t('about.unknown');
  try {
    const journal = readJournal(inputs.migrationsFolder);
    latestMigration = `${journal.length} (${journal[journal.length - 1]?.tag ?? t('about.none')})`;
  } catch {
    // shown as unknown
  }
  const datafileLine =
    inputs.schemaVersion === null
      ? inputs.datafile
        ? t('about.server', { location: inputs.datafile })
        : t('about.no-datafile')
      : t('about.datafile', { version: inputs.schemaVersion, location: inputs.datafile ?? '' });
  return {
    message: `${productName} ${inputs.appVersion}`,
    detail: [
      `Electron ${inputs.versions.electron ?? t('about.no-electron')}`,
      `Chromium ${inputs.versions.chrome ?? '-'}`,
      `Node ${inputs.versions.node}`,
      t('about.migrations', { migrations: latestMigration }),
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
    dialog.showErrorBox(cannotStartTitle(), error instanceof Error ? error.message : String(error));
    app.exit(1);
  }
}

/** In the system's language: whatever failed may have been reading the language chosen on this computer. */
function cannotStartTitle(): string {
  try {
    const language = menuLanguage({
      userLanguage: null,
      deviceLanguage: null,
      systemLanguages: [...app.getPreferredSystemLanguages(), app.getLocale()],
    });
    return menuWords(language)('dialog.cannot-start', { product: productName });
  } catch {
    return `${productName} cannot start`;
  }
}
