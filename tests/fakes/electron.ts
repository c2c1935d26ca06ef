/**
 * A hand-written stand-in for `electron` (jest maps the module here; the real binary never runs in
 * tests). It records what main and the preload ask of Electron (ipcMain.handle registrations,
 * BrowserWindow options, webContents and session handlers, menu templates, exposed bridges,
 * dialogs, protocol handlers) so tests can assert on them and drive them, and it behaves as
 * Electron 39 does where the app's correctness depends on it:
 *
 * - `app.quit()` emits `before-quit` (which may be prevented), closes every window, then emits
 *   `will-quit` (which may be prevented); after that only MICROTASKS run before the process ends
 *   (Browser::NotifyAndShutdown): timers, I/O and `setImmediate` callbacks never do. `fake.atExit`
 *   callbacks run at the moment the process would end, so a test sees the files as they are left.
 * - `app.exit(code)` destroys the windows without `close` events, emits neither `before-quit` nor
 *   `will-quit`, and ends the process at once (Browser::Exit).
 * - `loadFile` / `loadURL` reject when the load fails (`fake.failNextLoad`), as Electron's do.
 * - IPC arguments and results pass through `structuredClone` (functions, class instances' methods
 *   and prototypes are lost; a function is refused with "An object could not be cloned").
 * - `net.request` makes a real HTTP request (node:http / node:https) with Electron's documented
 *   behaviour: `redirect: 'manual'` emits `redirect` and cancels the request unless
 *   `followRedirect()` or `abort()` is called synchronously in the handler; response `headers` are
 *   lowercased, `set-cookie` is always an array, other repeated headers are joined with ", ";
 *   Chromium's restricted ports fail with net::ERR_UNSAFE_PORT.
 * - `net.fetch` with `redirect: 'manual'` rejects with "Redirect was cancelled" on a 3xx answer
 *   (electron/electron#43715), and joins several Set-Cookie headers into one with ", ", so
 *   `getSetCookie()` returns a single broken string.
 *
 * What the fake still does NOT do as Electron does (tests must not rely on these):
 * - No Chromium network stack: no system proxy, no OS certificate store (https uses Node's CAs),
 *   no HTTP cache, no session cookies, no `net.request` upload streaming or chunked encoding, no
 *   `followRedirect()` (it throws), no login / auth events.
 * - `process.on('exit')` listeners are not run when the fake app exits (the jest worker goes on);
 *   real Electron's behaviour there is not relied on by the app either.
 * - No renderer: nothing is parsed or rendered; `ready-to-show`, `render-process-gone`,
 *   `did-fail-load` and `second-instance` happen only when a test emits them. The CSP is not
 *   enforced; tests read the header a protocol handler returns.
 * - `protocol.handle` handlers are called with a WHATWG Request by `fake.fetchFromScheme`; no
 *   navigation, CORS or privilege checks are applied to the scheme.
 * - `powerMonitor`, `shell`, `dialog` and `Menu` only record calls (no native UI); menu roles do
 *   nothing; `Menu.buildFromTemplate` does not validate roles or accelerators.
 * - Single-instance lock, `whenReady`, `getPath`, `getVersion` and the system's languages
 *   (`getPreferredSystemLanguages`, `getLocale`) are plain values set by tests.
 * - Sandbox and context isolation are not enforced; the preload runs in the jest process.
 */
import http from 'node:http';
import https from 'node:https';
import { isUnsafePort } from '../../shared/unsafe-ports';

type Listener = (...args: any[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(name: string, listener: Listener): this {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
    return this;
  }
  once(name: string, listener: Listener): this {
    const wrapped: Listener = (...args) => {
      this.removeListener(name, wrapped);
      return listener(...args);
    };
    return this.on(name, wrapped);
  }
  removeListener(name: string, listener: Listener): this {
    this.listeners.set(
      name,
      (this.listeners.get(name) ?? []).filter((l) => l !== listener),
    );
    return this;
  }
  off(name: string, listener: Listener): this {
    return this.removeListener(name, listener);
  }
  emit(name: string, ...args: unknown[]): boolean {
    const listeners = this.listeners.get(name) ?? [];
    for (const listener of listeners) listener(...args);
    return listeners.length > 0;
  }
  listenerCount(name: string): number {
    return (this.listeners.get(name) ?? []).length;
  }
}

/** An Electron event: listeners may call preventDefault(). */
export function electronEvent(): { preventDefault(): void; defaultPrevented: boolean } {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

/** What crosses a process boundary in Electron: a structured clone, with Electron's error for functions. */
function acrossProcesses<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    throw new Error('An object could not be cloned.');
  }
}

export class FakeSession {
  permissionRequestHandler: Listener | null = null;
  permissionCheckHandler: Listener | null = null;
  headersReceived: Listener | null = null;
  setPermissionRequestHandler(handler: Listener | null) {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: Listener | null) {
    this.permissionCheckHandler = handler;
  }
  webRequest = {
    onHeadersReceived: (handler: Listener) => {
      this.headersReceived = handler;
    },
  };
  get protocol() {
    return protocol;
  }
}

let nextWebContentsId = 1;

export class FakeWebContents extends Emitter {
  readonly id = nextWebContentsId++;
  session: FakeSession = fake.defaultSession;
  windowOpenHandler: Listener | null = null;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  reloads = 0;
  destroyed = false;
  setWindowOpenHandler(handler: Listener) {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args: acrossProcesses(args) });
  }
  reload() {
    this.reloads++;
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export class BrowserWindow extends Emitter {
  readonly options: any;
  readonly webContents = new FakeWebContents();
  loadedFile: string | null = null;
  loadedUrl: string | null = null;
  destroyed = false;
  visible = false;
  shows = 0;
  focuses = 0;
  minimized = false;
  title: string;
  constructor(options: any = {}) {
    super();
    this.options = options;
    this.title = options.title ?? '';
    this.visible = options.show !== false;
    fake.windows.push(this);
  }
  setTitle(title: string) {
    this.title = title;
  }
  getTitle() {
    return this.title;
  }
  private load(): Promise<void> {
    const failure = fake.failNextLoad;
    fake.failNextLoad = null;
    // Electron rejects the promise when the page fails to load (ERR_FILE_NOT_FOUND, ERR_ABORTED...).
    return failure ? Promise.reject(failure) : Promise.resolve();
  }
  loadFile(file: string) {
    this.loadedFile = file;
    return this.load();
  }
  loadURL(url: string) {
    this.loadedUrl = url;
    return this.load();
  }
  show() {
    this.visible = true;
    this.shows++;
  }
  isVisible() {
    return this.visible;
  }
  focus() {
    this.focuses++;
  }
  restore() {
    this.minimized = false;
  }
  minimize() {
    this.minimized = true;
  }
  /** Every setProgressBar value, in order (the taskbar's progress). */
  progressBar: number[] = [];
  setProgressBar(value: number) {
    this.progressBar.push(value);
  }
  isMinimized() {
    return this.minimized;
  }
  isDestroyed() {
    return this.destroyed;
  }
  /** As the user closing the window: `close` (preventable), then `closed`. */
  close() {
    if (this.destroyed) return;
    const event = electronEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroy();
  }
  /** Gone without a `close` event (app.exit, or destroy()). */
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
  static getAllWindows() {
    return fake.windows.filter((w) => !w.destroyed);
  }
}

export interface IpcEvent {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export const ipcMain = {
  handle(channel: string, handler: (event: IpcEvent, ...args: unknown[]) => unknown) {
    if (fake.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    // What a window's ipcRenderer.invoke reaches: arguments and the result are structured clones.
    fake.handlers.set(channel, async (event, ...args) => acrossProcesses(await handler(event, ...acrossProcesses(args))));
  },
  removeHandler(channel: string) {
    fake.handlers.delete(channel);
  },
};

const rendererEmitter = new Emitter();
export const ipcRenderer = {
  invoke(channel: string, ...args: unknown[]) {
    fake.invoked.push({ channel, args: acrossProcesses(args) });
    return Promise.resolve({ ok: true, value: { channel, args } });
  },
  on(channel: string, listener: Listener) {
    rendererEmitter.on(channel, listener);
    return ipcRenderer;
  },
  removeListener(channel: string, listener: Listener) {
    rendererEmitter.removeListener(channel, listener);
    return ipcRenderer;
  },
  send() {
    throw new Error('the app does not use ipcRenderer.send');
  },
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown) {
    fake.exposed.push({ key, api });
  },
};

export const Menu = {
  buildFromTemplate(template: unknown[]) {
    return { template };
  },
  setApplicationMenu(menu: { template: unknown[] } | null) {
    fake.applicationMenu = menu;
  },
};

export const dialog = {
  showOpenDialog: async (..._args: unknown[]) => fake.dialogAnswers.open,
  showSaveDialog: async (..._args: unknown[]) => fake.dialogAnswers.save,
  showMessageBox: async (...args: unknown[]) => {
    fake.messageBoxes.push(args[args.length - 1]);
    return { response: fake.dialogAnswers.messageBoxResponse, checkboxChecked: false };
  },
  showErrorBox: (title: string, content: string) => {
    fake.errorBoxes.push({ title, content });
  },
};

/** Promise reactions only: as many hops as any chain of awaits in the app could need. */
async function drainMicrotasks(): Promise<void> {
  for (let hop = 0; hop < 1000; hop++) await undefined;
}

class FakeApp extends Emitter {
  isPackaged = false;
  singleInstanceLock = true;
  quitCalls = 0;
  sandboxEnabled = false;
  paths: Record<string, string> = {};
  appPath = process.cwd();
  ready = true;
  /** Browser::is_quitting_: set by a quit that before-quit did not prevent, and by exit(). */
  quitting = false;
  /** Set once the process would have ended (null while it runs). */
  exitCode: number | null = null;
  requestSingleInstanceLock() {
    return this.singleInstanceLock;
  }
  enableSandbox() {
    this.sandboxEnabled = true;
  }
  whenReady() {
    return Promise.resolve();
  }
  isReady() {
    return this.ready;
  }
  /** Browser::Quit. */
  quit() {
    this.quitCalls++;
    if (this.quitting || this.exitCode !== null) return;
    const beforeQuit = electronEvent();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    this.quitting = true;
    for (const window of BrowserWindow.getAllWindows()) window.close();
    if (BrowserWindow.getAllWindows().length > 0) {
      // A window refused to close: the quit is called off.
      this.quitting = false;
      return;
    }
    const willQuit = electronEvent();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) {
      this.quitting = false;
      return;
    }
    void drainMicrotasks().then(() => this.end(0));
  }
  /** Browser::Exit: no before-quit, no will-quit, windows destroyed, the process ends now. */
  exit(code = 0) {
    this.quitCalls++;
    if (this.exitCode !== null) return;
    this.quitting = true;
    for (const window of BrowserWindow.getAllWindows()) window.destroy();
    this.end(code);
  }
  private end(code: number) {
    if (this.exitCode !== null) return;
    this.exitCode = code;
    for (const callback of fake.atExit) callback(code);
  }
  /** Resolves once the fake process has ended (after a quit's microtasks, or at once after exit). */
  async ended(): Promise<number> {
    for (let hop = 0; hop < 2000 && this.exitCode === null; hop++) await undefined;
    if (this.exitCode === null) throw new Error('the fake app did not end');
    return this.exitCode;
  }
  getPath(name: string) {
    const value = this.paths[name];
    if (!value) throw new Error(`fake app has no path '${name}'`);
    return value;
  }
  getAppPath() {
    return this.appPath;
  }
  getVersion() {
    return '0.0.0-test';
  }
  getName() {
    return 'mSupply Sync Sites';
  }
  /** What tests set as the system's languages (Electron: the OS's preferred languages, best first). */
  systemLanguages: string[] = ['en-US'];
  getPreferredSystemLanguages() {
    return [...this.systemLanguages];
  }
  /** Electron: the app's locale, from the system's language (Chromium's, e.g. 'fr' or 'en-US'). */
  getLocale() {
    return this.systemLanguages[0] ?? 'en-US';
  }
}

export const fake = {
  defaultSession: new FakeSession(),
  windows: [] as BrowserWindow[],
  handlers: new Map<string, (event: IpcEvent, ...args: unknown[]) => Promise<unknown>>(),
  invoked: [] as { channel: string; args: unknown[] }[],
  exposed: [] as { key: string; api: unknown }[],
  applicationMenu: null as { template: unknown[] } | null,
  dialogAnswers: {
    open: { canceled: true, filePaths: [] as string[] },
    save: { canceled: true, filePath: '' as string | undefined },
    messageBoxResponse: 0,
  },
  messageBoxes: [] as unknown[],
  errorBoxes: [] as { title: string; content: string }[],
  app: new FakeApp(),
  /** powerSaveBlocker: the blockers started and not stopped yet, by id, with their type. */
  powerSaveBlockers: new Map<number, string>(),
  powerSaveBlockerStarts: 0,
  /** Called when the fake process ends, with its exit code. */
  atExit: [] as ((code: number) => void)[],
  /** The next loadFile / loadURL rejects with this. */
  failNextLoad: null as Error | null,
  privilegedSchemes: [] as { scheme: string; privileges?: Record<string, boolean> }[],
  protocolHandlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  openedPaths: [] as string[],
  /** Every net.request made, with its options. */
  netRequests: [] as { url: string; options: any }[],
  /** Delivers a message from main to the renderer's ipcRenderer listeners. */
  sendToRenderer(channel: string, ...args: unknown[]) {
    rendererEmitter.emit(channel, { sender: ipcRenderer }, ...acrossProcesses(args));
  },
  rendererListenerCount(channel: string) {
    return rendererEmitter.listenerCount(channel);
  },
  /** A request the window makes to a custom scheme, answered by the app's protocol.handle handler. */
  async fetchFromScheme(url: string): Promise<Response> {
    const scheme = new URL(url).protocol.replace(/:$/, '');
    const handler = fake.protocolHandlers.get(scheme);
    if (!handler) throw new Error(`net::ERR_UNKNOWN_URL_SCHEME (${url})`);
    return handler(new Request(url));
  },
  reset() {
    fake.defaultSession = new FakeSession();
    fake.windows = [];
    fake.handlers.clear();
    fake.invoked = [];
    fake.exposed = [];
    fake.applicationMenu = null;
    fake.messageBoxes = [];
    fake.errorBoxes = [];
    fake.powerSaveBlockers.clear();
    fake.powerSaveBlockerStarts = 0;
    fake.dialogAnswers = { open: { canceled: true, filePaths: [] }, save: { canceled: true, filePath: '' }, messageBoxResponse: 0 };
    fake.atExit = [];
    fake.failNextLoad = null;
    fake.privilegedSchemes = [];
    fake.protocolHandlers.clear();
    fake.openedPaths = [];
    fake.netRequests = [];
    Object.assign(fake.app, new FakeApp());
    fake.app.listeners.clear();
    powerMonitor.listeners.clear();
    rendererEmitter.listeners.clear();
  },
};

export const app = fake.app;

export const session = {
  get defaultSession() {
    return fake.defaultSession;
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, boolean> }[]) {
    if (fake.app.exitCode === null && fake.privilegedSchemes.length > 0) {
      throw new Error('protocol.registerSchemesAsPrivileged can be called only once');
    }
    fake.privilegedSchemes = schemes;
  },
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>) {
    if (fake.protocolHandlers.has(scheme)) throw new Error(`The scheme "${scheme}" is already handled`);
    fake.protocolHandlers.set(scheme, handler);
  },
  unhandle(scheme: string) {
    fake.protocolHandlers.delete(scheme);
  },
  isProtocolHandled(scheme: string) {
    return fake.protocolHandlers.has(scheme);
  },
};

class FakePowerMonitor extends Emitter {}
export const powerMonitor = new FakePowerMonitor();

/** Response headers as Electron's IncomingMessage.headers documents them. */
function electronHeaders(raw: string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (name === 'set-cookie') {
      headers[name] = [...((headers[name] as string[] | undefined) ?? []), value];
    } else if (headers[name] !== undefined) {
      headers[name] = `${headers[name] as string}${name === 'cookie' ? '; ' : ', '}${value}`;
    } else {
      headers[name] = value;
    }
  }
  return headers;
}

class FakeIncomingMessage extends Emitter {
  constructor(
    readonly statusCode: number,
    readonly statusMessage: string,
    readonly rawHeaders: string[],
    readonly headers: Record<string, string | string[]>,
  ) {
    super();
  }
}

/** Electron's net.ClientRequest over a real Node request. */
export class FakeClientRequest extends Emitter {
  private readonly url: URL;
  private readonly method: string;
  private readonly headers: Record<string, string> = {};
  private readonly redirectMode: 'follow' | 'error' | 'manual';
  private body: Buffer[] = [];
  private aborted = false;
  private node: http.ClientRequest | null = null;

  constructor(options: any) {
    super();
    const opts = typeof options === 'string' ? { url: options } : options;
    this.url = new URL(opts.url);
    this.method = (opts.method ?? 'GET').toUpperCase();
    for (const [name, value] of Object.entries(opts.headers ?? {})) this.headers[name] = String(value);
    this.redirectMode = opts.redirect ?? 'follow';
    fake.netRequests.push({ url: opts.url, options: opts });
  }
  setHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  write(chunk: string | Buffer) {
    this.body.push(Buffer.from(chunk));
    return true;
  }
  abort() {
    if (this.aborted) return;
    this.aborted = true;
    this.node?.destroy();
    queueMicrotask(() => {
      this.emit('abort');
      this.emit('close');
    });
  }
  followRedirect() {
    throw new Error('the fake electron does not follow redirects');
  }
  end(chunk?: string | Buffer) {
    if (chunk !== undefined) this.write(chunk);
    const port = Number(this.url.port || (this.url.protocol === 'https:' ? 443 : 80));
    if (isUnsafePort(port)) {
      setImmediate(() => this.fail(new Error('net::ERR_UNSAFE_PORT')));
      return this;
    }
    const transport = this.url.protocol === 'https:' ? https : http;
    const body = Buffer.concat(this.body);
    const node = transport.request(this.url, {
      method: this.method,
      headers: { ...this.headers, 'content-length': String(body.length) },
    });
    this.node = node;
    node.on('error', (error: NodeJS.ErrnoException) => {
      if (this.aborted) return;
      const name =
        error.code === 'ECONNREFUSED'
          ? 'ERR_CONNECTION_REFUSED'
          : error.code === 'ENOTFOUND'
            ? 'ERR_NAME_NOT_RESOLVED'
            : /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(error.code ?? '')
              ? 'ERR_CERT_AUTHORITY_INVALID'
              : 'ERR_CONNECTION_RESET';
      this.fail(new Error(`net::${name}`));
    });
    node.on('response', (res) => {
      if (this.aborted) return;
      const status = res.statusCode ?? 0;
      const headers = electronHeaders(res.rawHeaders);
      const location = headers.location;
      if (status >= 300 && status < 400 && typeof location === 'string') {
        res.resume();
        if (this.redirectMode === 'error') return this.fail(new Error('net::ERR_FAILED'));
        if (this.redirectMode === 'manual') {
          this.emit('redirect', status, this.method, new URL(location, this.url).href, headers);
          // Not followed synchronously: Electron cancels the request.
          if (!this.aborted) this.fail(new Error('Redirect was cancelled'));
          return;
        }
        return this.fail(new Error('the fake electron does not follow redirects'));
      }
      const message = new FakeIncomingMessage(status, res.statusMessage ?? '', res.rawHeaders, headers);
      this.emit('response', message);
      res.on('data', (chunk: Buffer) => {
        if (!this.aborted) message.emit('data', chunk);
      });
      res.on('end', () => {
        if (this.aborted) return;
        message.emit('end');
        this.emit('close');
      });
      res.on('error', (error) => message.emit('error', error));
    });
    node.end(body);
    return this;
  }
  private fail(error: Error) {
    if (this.aborted) return;
    this.aborted = true;
    this.node?.destroy();
    this.emit('error', error);
    this.emit('close');
  }
}

export const net = {
  request(options: any) {
    return new FakeClientRequest(options);
  },
  /** Electron's net.fetch as documented, over Node's fetch. */
  async fetch(input: string, init: RequestInit & { bypassCustomProtocolHandlers?: boolean } = {}) {
    const url = new URL(input);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (isUnsafePort(port)) throw new Error('net::ERR_UNSAFE_PORT');
    const manual = init.redirect === 'manual';
    const { bypassCustomProtocolHandlers: _bypass, ...nodeInit } = init;
    const response = await fetch(input, { ...nodeInit, redirect: manual ? 'manual' : nodeInit.redirect });
    if (manual && response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new TypeError('Redirect was cancelled');
    }
    // Chromium hands fetch the headers already merged: several Set-Cookie become one, joined by ", ".
    const headers = new Headers();
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') headers.set(name, value);
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) headers.set('set-cookie', cookies.join(', '));
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  },
};

export const shell = {
  openExternal: async () => {
    throw new Error('the app opens no external links');
  },
  openPath: async (path: string) => {
    fake.openedPaths.push(path);
    return '';
  },
};

export const powerSaveBlocker = {
  start(type: string) {
    fake.powerSaveBlockerStarts += 1;
    const id = fake.powerSaveBlockerStarts;
    fake.powerSaveBlockers.set(id, type);
    return id;
  },
  stop(id: number) {
    fake.powerSaveBlockers.delete(id);
  },
  isStarted(id: number) {
    return fake.powerSaveBlockers.has(id);
  },
};

export default {
  app,
  BrowserWindow,
  contextBridge,
  dialog,
  ipcMain,
  ipcRenderer,
  Menu,
  net,
  powerMonitor,
  powerSaveBlocker,
  protocol,
  session,
  shell,
};
