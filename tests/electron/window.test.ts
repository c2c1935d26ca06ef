import path from 'node:path';
import { contentSecurityPolicy, pageUrlOf } from '../../main/electron/app-page';
import { DatafileHost } from '../../main/hosts/datafile-host';
import { AppWindows } from '../../main/electron/ipc';
import { createAppWindow } from '../../main/electron/window';
import { type BrowserWindow, fake } from '../fakes/electron';

const rendererFolder = path.resolve('/app/dist/renderer');
const rendererIndex = path.join(rendererFolder, 'index.html');

describe('the app window', () => {
  let window: BrowserWindow;
  let logged: string[];
  beforeEach(() => {
    fake.reset();
    logged = [];
    createAppWindow({
      preload: '/app/dist/main/preload.js',
      rendererIndex,
      rendererFolder,
      host: new DatafileHost(),
      windows: new AppWindows(),
      log: (m) => logged.push(m),
    });
    window = fake.windows[0]!;
  });

  it('is isolated and sandboxed, without Node, with web security on, and loads the built page from disk', () => {
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
    expect(window.loadedFile).toBe(rendererIndex);
  });

  it('refuses to navigate away from the app page', () => {
    const [willNavigate] = window.webContents.listeners.get('will-navigate')!;
    const away = { preventDefault: jest.fn() };
    willNavigate!(away, 'https://example.org/phish');
    expect(away.preventDefault).toHaveBeenCalled();
    expect(logged.join('\n')).toContain('https://example.org/phish');

    const otherFile = { preventDefault: jest.fn() };
    willNavigate!(otherFile, 'file:///etc/passwd');
    expect(otherFile.preventDefault).toHaveBeenCalled();

    const ownPage = { preventDefault: jest.fn() };
    willNavigate!(ownPage, `${pageUrlOf(rendererIndex)}#sites`);
    expect(ownPage.preventDefault).not.toHaveBeenCalled();
  });

  it('opens no new windows', () => {
    expect(window.webContents.windowOpenHandler!({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(window.webContents.windowOpenHandler!({ url: pageUrlOf(rendererIndex) })).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check', () => {
    const session = window.webContents.session;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = jest.fn();
      session.permissionRequestHandler!(window.webContents, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect(session.permissionCheckHandler!(window.webContents, permission, 'file:///', {})).toBe(false);
    }
  });

  it('serves the app page with a strict Content Security Policy, and leaves other responses alone', () => {
    const onHeaders = window.webContents.session.headersReceived!;
    const own = jest.fn();
    onHeaders({ url: pageUrlOf(rendererIndex), responseHeaders: {} }, own);
    const csp = own.mock.calls[0][0].responseHeaders['Content-Security-Policy'];
    expect(csp).toEqual([contentSecurityPolicy]);
    expect(contentSecurityPolicy).toContain("default-src 'none'");
    expect(contentSecurityPolicy).toContain("script-src 'self'");
    expect(contentSecurityPolicy).not.toMatch(/script-src[^;]*unsafe/);

    const other = jest.fn();
    onHeaders({ url: 'https://example.org/', responseHeaders: {} }, other);
    expect(other).toHaveBeenCalledWith({});
  });
});
