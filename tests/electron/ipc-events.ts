/** IPC as the app's window sends it, for the adapter tests: the page, an event from a window, a call. */
import path from 'node:path';
import { appPageUrl } from '../../main/electron/app-page';
import { type BrowserWindow, type IpcEvent, fake } from '../fakes/electron';
import { tempDir } from '../helpers/core';

export const rendererIndex = path.join(tempDir('renderer-'), 'dist', 'renderer', 'index.html');
export const appPage = appPageUrl;

/** An IPC event from a window's frame (by default its own top frame on the app's page). */
export function fromWindow(window: BrowserWindow, url = appPage, parent: unknown = null): IpcEvent {
  return { sender: { id: window.webContents.id }, senderFrame: { url, parent } };
}

/** Calls the handler main registered for a channel, as ipcRenderer.invoke would. */
export async function invoke(channel: string, event: IpcEvent, payload?: unknown): Promise<any> {
  const handler = fake.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler(event, payload);
}
