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
import { desktopChannels, operationChannels } from '../../shared/ipc';
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
}

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
    handleFromAppWindow(channel, (session, payload) => deps.host.dispatch(session, operation, payload));
  }
  handleFromAppWindow(desktopChannels.datafileStatus, async () => ({ ok: true, value: deps.host.status() }));
  handleFromAppWindow(desktopChannels.setUpDatafile, (_session, payload) => deps.host.setUp(payload));
  handleFromAppWindow(desktopChannels.connectToServer, async (_session, payload) => {
    const connected = await deps.host.connectToServer(payload);
    if (connected.ok && connected.value.location) deps.lastServer?.write(connected.value.location);
    return connected;
  });
  handleFromAppWindow(desktopChannels.lastServerUrl, async () => ({ ok: true, value: deps.lastServer?.read() ?? null }));
}
