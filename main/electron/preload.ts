/**
 * The preload: exposes `window.syncSites` (shared/bridge.ts) and nothing else. It runs sandboxed,
 * so its bundle may require only `electron`; everything else is bundled in by scripts/build.ts.
 * The renderer gets one named function per operation, never ipcRenderer itself, so a compromised
 * page can reach exactly the channels the contract lists and no more.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DesktopBridge, MenuCommand } from '../../shared/bridge';
import type { SyncSitesApi, UiLanguage } from '../../shared/contract';
import { isLanguage } from '../../shared/locales/languages';
import { desktopChannels, isMenuCommand, operationChannels } from '../../shared/ipc';

export function buildBridge(): DesktopBridge {
  const operations = Object.fromEntries(
    operationChannels.map(({ operation, channel }) => [operation, (input: unknown) => ipcRenderer.invoke(channel, input)]),
  );
  return {
    ...(operations as unknown as SyncSitesApi),
    datafileStatus: () => ipcRenderer.invoke(desktopChannels.datafileStatus),
    setUpDatafile: (input) => ipcRenderer.invoke(desktopChannels.setUpDatafile, input),
    connectToServer: (input) => ipcRenderer.invoke(desktopChannels.connectToServer, input),
    lastServerUrl: () => ipcRenderer.invoke(desktopChannels.lastServerUrl),
    onMenuCommand(listener: (command: MenuCommand) => void) {
      // Only the command is passed on: the event object would hand the page a reference to ipcRenderer.
      const forward = (_event: IpcRendererEvent, command: unknown) => {
        if (isMenuCommand(command)) listener(command);
      };
      ipcRenderer.on(desktopChannels.menuCommand, forward);
      return () => {
        ipcRenderer.removeListener(desktopChannels.menuCommand, forward);
      };
    },
    setDeviceLanguage: (input) => ipcRenderer.invoke(desktopChannels.setDeviceLanguage, input),
    onLanguageChosen(listener: (language: UiLanguage) => void) {
      const forward = (_event: IpcRendererEvent, language: unknown) => {
        if (isLanguage(language)) listener(language);
      };
      ipcRenderer.on(desktopChannels.languageChosen, forward);
      return () => {
        ipcRenderer.removeListener(desktopChannels.languageChosen, forward);
      };
    },
  };
}

contextBridge.exposeInMainWorld('syncSites', buildBridge());
