/**
 * The Synchronisation window, locked down: isolated, sandboxed renderer without Node; it can show
 * only the app's own page, opens no other windows, and gets no device or browser permissions.
 */
import { BrowserWindow, dialog, type Session, type WebPreferences } from 'electron';
import { appPageUrl, appScheme, isAppPage, serveAppFile } from './app-page';
import type { AppWindows } from './ipc';
import type { DatafileHost } from '../hosts/datafile-host';

export interface AppWindowOptions {
  preload: string;
  rendererFolder: string;
  host: DatafileHost;
  windows: AppWindows;
  log?: (message: string) => void;
}

export const appTitle = 'mSupply Sync Sites';

/** The title names what the window works on, so two windows (or a datafile and a server) are told apart. */
export function windowTitleFor(location: string | null): string {
  return location ? `${appTitle} — ${location}` : appTitle;
}

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

const lockedSessions = new WeakSet<Session>();

/**
 * Denies every permission and serves the app's page from app:// with its CSP header. Once per
 * session (a second protocol.handle for the same scheme would throw).
 */
export function lockDownSession(session: Session, rendererFolder: string): void {
  if (lockedSessions.has(session)) return;
  lockedSessions.add(session);
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.protocol.handle(appScheme, (request) => serveAppFile(request, rendererFolder));
}

export function createAppWindow(options: AppWindowOptions): BrowserWindow {
  const log = options.log ?? console.warn;
  const pageUrl = appPageUrl;
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    title: windowTitleFor(options.host.status().location),
    show: false,
    webPreferences: secureWebPreferences(options.preload),
  });
  const { webContents } = window;
  lockDownSession(webContents.session, options.rendererFolder);

  const webContentsId = webContents.id;
  const session = options.host.newSession();
  options.windows.add(webContentsId, { session, pageUrl });
  const stopFollowingTitle = options.host.onStatusChange((status) => {
    if (!window.isDestroyed()) window.setTitle(windowTitleFor(status.location));
  });
  // The page's own <title> would otherwise replace the datafile or server in the title bar.
  window.on('page-title-updated', (event: Electron.Event) => event.preventDefault());
  window.on('closed', () => {
    stopFollowingTitle();
    options.windows.remove(webContentsId);
    options.host.endSession(session);
  });

  // The window only ever shows the app's page; links to anywhere else are refused, not followed.
  webContents.on('will-navigate', (event, url) => {
    if (!isAppPage(url, pageUrl)) {
      event.preventDefault();
      log(`Refused to navigate the window to ${url}.`);
    }
  });
  webContents.on('will-redirect', (event, url) => {
    if (!isAppPage(url, pageUrl)) event.preventDefault();
  });
  webContents.on('will-attach-webview', (event) => event.preventDefault());
  webContents.setWindowOpenHandler(({ url }) => {
    log(`Refused to open a new window for ${url}.`);
    return { action: 'deny' };
  });

  window.once('ready-to-show', () => window.show());
  // The page's renderer died (crash, killed, out of memory): say so and offer to start it again,
  // instead of leaving a blank window.
  webContents.on('render-process-gone', (_event, details: Electron.RenderProcessGoneDetails) => {
    log(`The window's page stopped (${details.reason}, exit code ${details.exitCode}).`);
    if (details.reason === 'clean-exit' || window.isDestroyed()) return;
    void dialog
      .showMessageBox(window, {
        type: 'error',
        message: 'The window stopped working.',
        detail: 'Nothing that was saved is lost. Changes not yet saved with OK were lost. Reload the window to carry on.',
        buttons: ['Reload', 'Close'],
        defaultId: 0,
        cancelId: 1,
      })
      .then(({ response }) => {
        if (window.isDestroyed()) return;
        if (response === 0) webContents.reload();
        else window.close();
      });
  });
  window.loadURL(pageUrl).catch((error: unknown) => {
    // A load that fails would otherwise be an unhandled rejection ("A JavaScript error occurred").
    log(`The window's page could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    if (window.isDestroyed()) return;
    window.show();
    dialog.showErrorBox('mSupply Sync Sites', 'The window could not load its page. The app may be damaged: reinstall it.');
  });
  return window;
}
