/**
 * The IPC adapter: one ipcMain.handle per contract operation plus the desktop commands, all
 * registered through `handleFromAppWindow`, which refuses any sender that is not the app's own
 * window before anything reaches a service. Inputs are passed on raw: `dispatch` validates them with
 * the contract's schemas, exactly as the HTTP transport does (and, when connected to a server,
 * before anything is sent to it).
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { ApiSession } from '../api/core-api';
import { appError, type Result } from '../../shared/errors';
import type { UiLanguage } from '../../shared/contract';
import { desktopChannels, operationChannels, setDeviceLanguageInput } from '../../shared/ipc';
import { validationFailure } from '../../shared/validate';
import type { DatafileHost } from '../hosts/datafile-host';
import type { LastServerFile } from '../hosts/last-server';
import { isAppPage } from './app-page';

export const refusedSenderMessage = 'This request did not come from the mSupply Sync Sites window, so it was refused.';

interface AppWindowEntry {
  session: ApiSession;
  pageUrl: string;
}

/** The windows this app created, each with its own login (one ApiSession per window). */
export class AppWindows {
  private readonly byWebContentsId = new Map<number, AppWindowEntry>();

  add(webContentsId: number, entry: AppWindowEntry): void {
    this.byWebContentsId.set(webContentsId, entry);
  }

  remove(webContentsId: number): AppWindowEntry | undefined {
    const entry = this.byWebContentsId.get(webContentsId);
    this.byWebContentsId.delete(webContentsId);
    return entry;
  }

  /** The login of one of the app's windows (the menu acts for the window it belongs to). */
  sessionOfWindow(webContentsId: number): ApiSession | null {
    return this.byWebContentsId.get(webContentsId)?.session ?? null;
  }

  /**
   * The session of the window that sent `event`, or null when the sender is not trusted: another
   * webContents, a subframe, or the app's window after it was navigated somewhere else.
   */
  sessionOf(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): ApiSession | null {
    const entry = this.byWebContentsId.get(event.sender.id);
    const frame = event.senderFrame;
    if (!entry || !frame) return null;
    // The preload runs in every frame, so a frame inside the page must not speak for the window.
    if (frame.parent !== null) return null;
    if (!isAppPage(frame.url, entry.pageUrl)) return null;
    return entry.session;
  }
}

export interface IpcDeps {
  host: DatafileHost;
  windows: AppWindows;
  /** Where the last server address is remembered; without it none is offered. */
  lastServer?: LastServerFile;
  log?: (message: string) => void;
  /** The desktop menu follows the window's language (menu-language.ts); without it nothing is told. */
  language?: LanguageHooks;
}

export interface LanguageHooks {
  /** Chosen before anyone signed in: this computer's language. */
  chooseForDevice(language: UiLanguage): void;
  /** A sign-in, sign-out, language choice or other datafile in a window: the menu may change language. */
  sessionChanged(session: ApiSession): void;
}

/** The operations after which the signed-in user (or their language) may be another. */
const languageChangingOperations: ReadonlySet<string> = new Set(['login', 'logout', 'setMyLanguage']);

export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle'>, deps: IpcDeps): void {
  const handleFromAppWindow = (channel: string, run: (session: ApiSession, payload: unknown) => Promise<Result<unknown>>): void => {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      const session = deps.windows.sessionOf(event);
      if (!session) {
        (deps.log ?? console.warn)(`Refused ${channel} from ${event.senderFrame?.url ?? 'an unknown frame'}.`);
        return { ok: false, error: appError('permission_denied', refusedSenderMessage) } satisfies Result<never>;
      }
      return run(session, payload);
    });
  };

  for (const { operation, channel } of operationChannels) {
    handleFromAppWindow(channel, async (session, payload) => {
      const result = await deps.host.dispatch(session, operation, payload);
      if (result.ok && languageChangingOperations.has(operation)) deps.language?.sessionChanged(session);
      return result;
    });
  }
  handleFromAppWindow(desktopChannels.datafileStatus, async () => ({ ok: true, value: deps.host.status() }));
  handleFromAppWindow(desktopChannels.setUpDatafile, (_session, payload) => deps.host.setUp(payload));
  handleFromAppWindow(desktopChannels.connectToServer, async (session, payload) => {
    const connected = await deps.host.connectToServer(payload);
    if (connected.ok && connected.value.location) deps.lastServer?.write(connected.value.location);
    if (connected.ok) deps.language?.sessionChanged(session);
    return connected;
  });
  handleFromAppWindow(desktopChannels.lastServerUrl, async () => ({ ok: true, value: deps.lastServer?.read() ?? null }));
  handleFromAppWindow(desktopChannels.setDeviceLanguage, async (session, payload) => {
    const parsed = setDeviceLanguageInput.safeParse(payload ?? {});
    if (!parsed.success) return validationFailure(parsed.error);
    deps.language?.chooseForDevice(parsed.data.language);
    deps.language?.sessionChanged(session);
    return { ok: true, value: null };
  });
}
