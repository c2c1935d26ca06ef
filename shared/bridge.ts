/**
 * What the Electron preload exposes to the renderer as `window.syncSites`: one named method per
 * contract operation (never ipcRenderer itself), plus the desktop-only datafile commands and menu
 * events. In a browser there is no bridge and the renderer uses the HTTP transport instead.
 */
import type { SyncSitesApi, UiLanguage } from './contract';
import type { Result } from './errors';

export type MenuCommand = 'show-sites' | 'show-users' | 'show-navigator' | 'connect-to-server';

export interface DatafileStatus {
  /** Path of the open datafile, or the server URL when connected to a server. */
  location: string | null;
  /** A datafile is open (or a server connected) and ready for login. */
  open: boolean;
  /** The chosen datafile is new and needs its first administrator. */
  needsSetup: boolean;
}

export interface DesktopCommands {
  datafileStatus(): Promise<Result<DatafileStatus>>;
  /** Sets up the pending new datafile with its first administrator. */
  setUpDatafile(input: { userName: string; password: string; demo: boolean }): Promise<Result<DatafileStatus>>;
  /**
   * Closes the local datafile (releasing its lock) and works against the server at `url` instead:
   * every operation is then forwarded to it. On failure the current datafile or server stays open.
   */
  connectToServer(input: { url: string }): Promise<Result<DatafileStatus>>;
  /** The server URL last connected to from this computer, to offer again in Connect to server. */
  lastServerUrl(): Promise<Result<string | null>>;
  /** Subscribes to application-menu commands; returns the unsubscribe function. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
  /**
   * The language chosen before anyone signed in (login, set-up or connect window): remembered for
   * this computer, and the desktop menu follows it. A signed-in user's choice is setMyLanguage.
   */
  setDeviceLanguage(input: { language: UiLanguage }): Promise<Result<null>>;
  /** Subscribes to the Language menu's choices, for the window to show at once; returns the unsubscribe function. */
  onLanguageChosen(listener: (language: UiLanguage) => void): () => void;
}

export type DesktopBridge = SyncSitesApi & DesktopCommands;

declare global {
  interface Window {
    syncSites?: DesktopBridge;
  }
}
