import { operationNames } from '../../shared/contract';
import { desktopChannels, operationChannel } from '../../shared/ipc';
import type * as FakeElectron from '../fakes/electron';

let fake: typeof FakeElectron.fake;
let ipcRenderer: typeof FakeElectron.ipcRenderer;

/** Runs the preload as Electron would: once, in a fresh module registry with its own fake electron. */
function loadPreload(): Record<string, unknown> {
  jest.isolateModules(() => {
    ({ fake, ipcRenderer } = require('electron') as typeof FakeElectron);
    require('../../main/electron/preload');
  });
  expect(fake.exposed).toHaveLength(1);
  expect(fake.exposed[0]!.key).toBe('syncSites');
  return fake.exposed[0]!.api as Record<string, unknown>;
}

describe('the preload', () => {
  it('exposes exactly one function per contract operation plus the desktop commands, and not ipcRenderer', () => {
    const bridge = loadPreload();
    expect(Object.keys(bridge).sort()).toEqual(
      [
        ...operationNames,
        'datafileStatus',
        'setUpDatafile',
        'connectToServer',
        'lastServerUrl',
        'onMenuCommand',
        'setDeviceLanguage',
        'onLanguageChosen',
      ].sort(),
    );
    for (const value of Object.values(bridge)) {
      expect(typeof value).toBe('function');
      expect(value).not.toBe(ipcRenderer);
      expect(value).not.toBe(ipcRenderer.invoke);
    }
  });

  it('sends each operation on its own channel', async () => {
    const bridge = loadPreload() as Record<string, (input?: unknown) => Promise<unknown>>;
    for (const operation of operationNames) await bridge[operation]!({ marker: operation });
    await bridge.setUpDatafile!({ userName: 'boss', password: 'long enough 1', demo: false });
    await bridge.datafileStatus!();
    await bridge.connectToServer!({ url: 'http://server:2048' });
    await bridge.lastServerUrl!();
    expect(fake.invoked).toEqual([
      ...operationNames.map((operation) => ({ channel: operationChannel(operation), args: [{ marker: operation }] })),
      { channel: desktopChannels.setUpDatafile, args: [{ userName: 'boss', password: 'long enough 1', demo: false }] },
      { channel: desktopChannels.datafileStatus, args: [] },
      { channel: desktopChannels.connectToServer, args: [{ url: 'http://server:2048' }] },
      { channel: desktopChannels.lastServerUrl, args: [] },
    ]);
  });

  it('passes menu commands (and only the command) to the listener until it unsubscribes', () => {
    const bridge = loadPreload() as { onMenuCommand: (listener: (...args: unknown[]) => void) => () => void };
    const listener = jest.fn();
    const unsubscribe = bridge.onMenuCommand(listener);
    fake.sendToRenderer(desktopChannels.menuCommand, 'show-sites');
    fake.sendToRenderer(desktopChannels.menuCommand, 'format-disk');
    expect(listener.mock.calls).toEqual([['show-sites']]);

    unsubscribe();
    fake.sendToRenderer(desktopChannels.menuCommand, 'show-sites');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(fake.rendererListenerCount(desktopChannels.menuCommand)).toBe(0);
  });

  it("passes the Language menu's choice (only a language the app speaks) to the listener until it unsubscribes, and sends the device language", async () => {
    const bridge = loadPreload() as {
      onLanguageChosen: (listener: (...args: unknown[]) => void) => () => void;
      setDeviceLanguage: (input: unknown) => Promise<unknown>;
    };
    const listener = jest.fn();
    const unsubscribe = bridge.onLanguageChosen(listener);
    fake.sendToRenderer(desktopChannels.languageChosen, 'fr');
    fake.sendToRenderer(desktopChannels.languageChosen, 'klingon');
    expect(listener.mock.calls).toEqual([['fr']]);
    unsubscribe();
    fake.sendToRenderer(desktopChannels.languageChosen, 'es');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(fake.rendererListenerCount(desktopChannels.languageChosen)).toBe(0);

    await bridge.setDeviceLanguage({ language: 'es' });
    expect(fake.invoked.at(-1)).toEqual({ channel: desktopChannels.setDeviceLanguage, args: [{ language: 'es' }] });
  });
});
