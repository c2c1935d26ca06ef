import fs from 'node:fs';
import path from 'node:path';
import { appPageUrl, appScheme, contentSecurityPolicy } from '../../main/electron/app-page';
import { DatafileHost } from '../../main/hosts/datafile-host';
import { AppWindows } from '../../main/electron/ipc';
import { createAppWindow } from '../../main/electron/window';
import { tempDir } from '../helpers/core';
import { type BrowserWindow, electronEvent, fake } from '../fakes/electron';

const rendererFolder = path.join(tempDir('renderer-'), 'dist', 'renderer');
fs.mkdirSync(path.join(rendererFolder, 'fonts'), { recursive: true });
fs.writeFileSync(path.join(rendererFolder, 'index.html'), '<!doctype html><title>page</title>');
fs.writeFileSync(path.join(rendererFolder, 'main.js'), 'console.log(1)');
fs.writeFileSync(path.join(path.dirname(rendererFolder), 'secret.txt'), 'not for the page');

const flush = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('the app window', () => {
  let window: BrowserWindow;
  let logged: string[];
  function open() {
    logged = [];
    createAppWindow({
      preload: '/app/dist/main/preload.js',
      rendererFolder,
      host: new DatafileHost(),
      windows: new AppWindows(),
      log: (m) => logged.push(m),
    });
    window = fake.windows[fake.windows.length - 1]!;
  }
  beforeEach(() => {
    fake.reset();
    open();
  });

  it('is isolated and sandboxed, without Node, with web security on, and loads the page from the app:// scheme', () => {
    expect(window.options.webPreferences).toMatchObject({
      preload: '/app/dist/main/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(window.loadedUrl).toBe('app://sync-sites/index.html');
    expect(window.loadedFile).toBeNull();
    expect(fake.protocolHandlers.has(appScheme)).toBe(true);
  });

  it('serves the page and its files from app:// with the Content Security Policy as a response header', async () => {
    const page = await fake.fetchFromScheme(appPageUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>page</title>');
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy);

    const script = await fake.fetchFromScheme('app://sync-sites/main.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toBe(contentSecurityPolicy);

    // Tight: nothing from the network, no frames, no inline scripts or eval.
    const directives = Object.fromEntries(contentSecurityPolicy.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives).toMatchObject({
      'default-src': "'none'",
      'script-src': "'self'",
      'connect-src': "'none'",
      'frame-src': "'none'",
      'child-src': "'none'",
      'frame-ancestors': "'none'",
      'object-src': "'none'",
    });
  });

  it('serves nothing outside the renderer folder, nor for another host', async () => {
    for (const url of [
      'app://sync-sites/../secret.txt',
      'app://sync-sites/%2e%2e/secret.txt',
      'app://sync-sites/..%2fsecret.txt',
      'app://other/index.html',
      'app://sync-sites/missing.js',
    ]) {
      const answer = await fake.fetchFromScheme(url);
      expect({ url, status: answer.status }).toEqual({ url, status: 404 });
      expect(await answer.text()).not.toContain('not for the page');
      expect(answer.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    }
  });

  it('refuses to navigate away from the app page', () => {
    const [willNavigate] = window.webContents.listeners.get('will-navigate')!;
    const away = { preventDefault: jest.fn() };
    willNavigate!(away, 'https://example.org/phish');
    expect(away.preventDefault).toHaveBeenCalled();
    expect(logged.join('\n')).toContain('https://example.org/phish');

    const aFile = { preventDefault: jest.fn() };
    willNavigate!(aFile, `file://${path.join(rendererFolder, 'index.html')}`);
    expect(aFile.preventDefault).toHaveBeenCalled();

    const ownPage = { preventDefault: jest.fn() };
    willNavigate!(ownPage, `${appPageUrl}#sites`);
    expect(ownPage.preventDefault).not.toHaveBeenCalled();
  });

  it('opens no new windows', () => {
    expect(window.webContents.windowOpenHandler!({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(window.webContents.windowOpenHandler!({ url: appPageUrl })).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check', () => {
    const session = window.webContents.session;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = jest.fn();
      session.permissionRequestHandler!(window.webContents, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect(session.permissionCheckHandler!(window.webContents, permission, appPageUrl, {})).toBe(false);
    }
  });

  it('says in words when its page cannot be loaded, instead of an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      fake.reset();
      fake.failNextLoad = new Error("ERR_FILE_NOT_FOUND (-6) loading 'app://sync-sites/index.html'");
      open();
      await flush();
      expect(unhandled).toEqual([]);
      expect(fake.errorBoxes).toEqual([{ title: 'mSupply Sync Sites', content: expect.stringContaining('could not load its page') }]);
      expect(logged.join('\n')).toContain('ERR_FILE_NOT_FOUND');
      expect(window.isVisible()).toBe(true);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('offers to reload the page when its renderer process is gone, and closes the window if asked', async () => {
    window.webContents.emit('render-process-gone', electronEvent(), { reason: 'crashed', exitCode: 139 });
    await flush();
    expect(fake.messageBoxes).toEqual([expect.objectContaining({ message: 'The window stopped working.', buttons: ['Reload', 'Close'] })]);
    expect(window.webContents.reloads).toBe(1);
    expect(logged.join('\n')).toContain('crashed');

    fake.dialogAnswers.messageBoxResponse = 1;
    window.webContents.emit('render-process-gone', electronEvent(), { reason: 'oom', exitCode: -1 });
    await flush();
    expect(window.isDestroyed()).toBe(true);
  });
});
