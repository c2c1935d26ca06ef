/**
 * A small hand-written stand-in for `electron` (jest maps the module here; the real binary never runs
 * in tests). It records what main and the preload ask of Electron: ipcMain.handle registrations,
 * BrowserWindow options, webContents and session handlers, menu templates, exposed bridges and
 * dialogs, so tests can assert on them and drive them.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

type Listener = (...args: any[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(name: string, listener: Listener): this {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
    return this;
  }
  once(name: string, listener: Listener): this {
    return this.on(name, listener);
  }
  removeListener(name: string, listener: Listener): this {
    this.listeners.set(
      name,
      (this.listeners.get(name) ?? []).filter((l) => l !== listener),
    );
    return this;
  }
  emit(name: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(name) ?? []) listener(...args);
  }
  listenerCount(name: string): number {
    return (this.listeners.get(name) ?? []).length;
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
}

let nextWebContentsId = 1;

export class FakeWebContents extends Emitter {
  readonly id = nextWebContentsId++;
  session: FakeSession = fake.defaultSession;
  windowOpenHandler: Listener | null = null;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  reloads = 0;
  setWindowOpenHandler(handler: Listener) {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args });
  }
  reload() {
    this.reloads++;
  }
}

export class BrowserWindow extends Emitter {
  readonly options: any;
  readonly webContents = new FakeWebContents();
  loadedFile: string | null = null;
  destroyed = false;
  title: string;
  constructor(options: any = {}) {
    super();
    this.options = options;
    this.title = options.title ?? '';
    fake.windows.push(this);
  }
  setTitle(title: string) {
    this.title = title;
  }
  getTitle() {
    return this.title;
  }
  loadFile(file: string) {
    this.loadedFile = file;
    return Promise.resolve();
  }
  /** Every setProgressBar value, in order (the taskbar's progress). */
  progressBar: number[] = [];
  setProgressBar(value: number) {
    this.progressBar.push(value);
  }
  show() {}
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return this.destroyed;
  }
  close() {
    this.destroyed = true;
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
    fake.handlers.set(channel, handler);
  },
  removeHandler(channel: string) {
    fake.handlers.delete(channel);
  },
};

const rendererEmitter = new Emitter();
export const ipcRenderer = {
  invoke(channel: string, ...args: unknown[]) {
    fake.invoked.push({ channel, args });
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
    return { response: 0, checkboxChecked: false };
  },
  showErrorBox: (title: string, content: string) => {
    fake.errorBoxes.push({ title, content });
  },
};

class FakeApp extends Emitter {
  isPackaged = false;
  singleInstanceLock = true;
  quitCalls = 0;
  sandboxEnabled = false;
  paths: Record<string, string> = {};
  appPath = process.cwd();
  requestSingleInstanceLock() {
    return this.singleInstanceLock;
  }
  enableSandbox() {
    this.sandboxEnabled = true;
  }
  whenReady() {
    return Promise.resolve();
  }
  quit() {
    this.quitCalls++;
  }
  exit() {
    this.quitCalls++;
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
}

export const fake = {
  defaultSession: new FakeSession(),
  windows: [] as BrowserWindow[],
  handlers: new Map<string, (event: IpcEvent, ...args: unknown[]) => unknown>(),
  invoked: [] as { channel: string; args: unknown[] }[],
  exposed: [] as { key: string; api: unknown }[],
  applicationMenu: null as { template: unknown[] } | null,
  dialogAnswers: {
    open: { canceled: true, filePaths: [] as string[] },
    save: { canceled: true, filePath: '' as string | undefined },
  },
  messageBoxes: [] as unknown[],
  errorBoxes: [] as { title: string; content: string }[],
  app: new FakeApp(),
  /** powerSaveBlocker: the blockers started and not stopped yet, by id, with their type. */
  powerSaveBlockers: new Map<number, string>(),
  powerSaveBlockerStarts: 0,
  /** Delivers a message from main to the renderer's ipcRenderer listeners. */
  sendToRenderer(channel: string, ...args: unknown[]) {
    rendererEmitter.emit(channel, { sender: ipcRenderer }, ...args);
  },
  rendererListenerCount(channel: string) {
    return rendererEmitter.listenerCount(channel);
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
    fake.dialogAnswers = { open: { canceled: true, filePaths: [] }, save: { canceled: true, filePath: '' } };
    Object.assign(fake.app, new FakeApp());
    rendererEmitter.listeners.clear();
  },
};

export const app = fake.app;

export const session = {
  get defaultSession() {
    return fake.defaultSession;
  },
};

export const net = {
  fetch: async (url: string) => {
    throw new Error(`net::ERR_INTERNET_DISCONNECTED (the fake electron does not fetch ${url})`);
  },
};

export const shell = {
  openExternal: async () => {
    throw new Error('the app opens no external links');
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

export default { app, BrowserWindow, contextBridge, dialog, ipcMain, ipcRenderer, Menu, net, powerSaveBlocker, session, shell };
