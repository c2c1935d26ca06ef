/**
 * The desktop app's open datafile: which file, its lock, whether it still needs its first
 * administrator, and the contract handlers over it. Switching datafiles (File > Open / New) goes
 * through here, so the old file stays open until the new one is safely open and locked.
 * Instead of a datafile the app may be connected to a server (File > Connect to server...): then
 * the local datafile is closed and unlocked, and every operation is forwarded to the server.
 * No electron import: the Electron adapter (main/electron) calls it, and tests drive it directly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Datafile, type OpenOptions, openDatafile } from '../../db/datafile';
import type { DatafileStatus } from '../../shared/bridge';
import { AppFailure, appError, type Result } from '../../shared/errors';
import { connectToServerInput, setUpDatafileInput } from '../../shared/ipc';
import { type ApiSession, type Handlers, createHandlers, dispatch } from '../api/core-api';
import { type Core, createCore } from '../core';
import { type DatafileLock, type LockOptions, acquireDatafileLock, canonicalPath } from '../services/datafile-lock';

export { canonicalPath };
import { needsSetup, setUpNewDatafile } from '../services/datafile-setup';
import { type HttpApiClientOptions, parseServerUrl } from '../http/api-client';
import { PasswordHasher } from '../services/passwords';
import type { RemoteOptions } from '../core';
import { type CentralHostOptions, CentralServerHost } from './in-app-central';
import { ServerConnection } from './server-connection';
import type { ZodError } from 'zod';
import { issuesOf } from '../../shared/validate';

export interface DatafileHostOptions {
  openOptions?: Pick<OpenOptions, 'nativeBinding' | 'migrationsFolder' | 'busyTimeoutMs'>;
  hasher?: PasswordHasher;
  lock?: LockOptions;
  /** How each opened core reaches a central server (hardware ID, HTTP clients): main/sync/remote. */
  remote?: RemoteOptions;
  /** Where unexpected failures are reported; their details never reach the window. */
  logError?: (what: string, error: unknown) => void;
  /** How calls reach a server after Connect to server (timeout; tests may pass their own fetch). */
  server?: HttpApiClientOptions;
  /** Run the central server in-process while the datafile is the central server (off unless given). */
  centralServer?: CentralHostOptions;
  /** Run automatic sync at the datafile's interval (the desktop app; off in tests unless asked). */
  syncAutomatically?: boolean;
  /** Security events of the contract handlers (refused logins), e.g. for the desktop log. */
  logSecurity?: (details: Record<string, unknown>, message: string) => void;
  /** Called with each datafile's core once it is open and set up (the desktop log follows its sync runs). */
  onCoreOpened?: (core: Core) => void;
}

type State =
  | { kind: 'closed' }
  | { kind: 'needs-setup'; datafile: Datafile; lock: DatafileLock }
  | { kind: 'open'; core: Core; handlers: Handlers; lock: DatafileLock; central: CentralServerHost | null }
  | { kind: 'server'; connection: ServerConnection };

interface Teardown {
  finish(): void;
  done: Promise<void>;
}

export const noDatafileMessage = 'No datafile is open. Choose File > Open datafile... or File > New datafile....';
export const needsSetupMessage = 'This datafile is new: set up its first administrator before logging in.';

export class DatafileHost {
  private state: State = { kind: 'closed' };
  private readonly sessions = new Set<ApiSession>();
  private readonly hasher: PasswordHasher;
  private setupRunning = false;
  private readonly statusListeners = new Set<(status: DatafileStatus) => void>();
  /** Datafiles and servers still being let go (see shutdown and closeNow). */
  private readonly teardowns = new Set<Teardown>();

  constructor(private readonly options: DatafileHostOptions = {}) {
    this.hasher = options.hasher ?? new PasswordHasher();
  }

  /** A login for one window. Every session is logged out when the datafile changes. */
  newSession(): ApiSession {
    const session: ApiSession = { userId: null };
    this.sessions.add(session);
    return session;
  }

  endSession(session: ApiSession): void {
    this.sessions.delete(session);
    if (this.state.kind === 'server') this.state.connection.forget(session);
  }

  /** Called whenever another datafile or server becomes current (the window title follows it). */
  onStatusChange(listener: (status: DatafileStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** The open datafile's schema version (migrations applied), or null when none is open. */
  datafileVersion(): number | null {
    if (this.state.kind === 'open') return this.state.core.datafile.schemaVersion;
    if (this.state.kind === 'needs-setup') return this.state.datafile.schemaVersion;
    return null;
  }

  get core(): Core | null {
    return this.state.kind === 'open' ? this.state.core : null;
  }

  status(): DatafileStatus {
    switch (this.state.kind) {
      case 'closed':
        return { location: null, open: false, needsSetup: false };
      case 'needs-setup':
        return { location: this.state.datafile.path, open: false, needsSetup: true };
      case 'open':
        return { location: this.state.core.datafile.path, open: true, needsSetup: false };
      case 'server':
        return { location: this.state.connection.url, open: true, needsSetup: false };
    }
  }

  /**
   * Opens (or with `create`, creates) a datafile and makes it the current one. On failure the
   * current datafile stays open and the error says why in words.
   */
  async open(file: string, options: { create?: boolean } = {}): Promise<Result<DatafileStatus>> {
    const target = canonicalPath(file);
    if (this.currentPath() === target) return { ok: true, value: this.status() };
    let lock: DatafileLock | undefined;
    let datafile: Datafile | undefined;
    try {
      if (options.create) fs.mkdirSync(path.dirname(target), { recursive: true });
      lock = acquireDatafileLock(target, { program: 'the mSupply Sync Sites desktop app', ...this.options.lock });
      datafile = openDatafile(target, { ...this.options.openOptions, create: options.create ?? false });
      const next: State = needsSetup(datafile) ? { kind: 'needs-setup', datafile, lock } : this.opened(datafile, lock);
      this.replaceState(next);
      return { ok: true, value: this.status() };
    } catch (error) {
      datafile?.close();
      lock?.release();
      return { ok: false, error: this.openFailure(target, error) };
    }
  }

  /**
   * Connects to the server at the address given (DesktopCommands.connectToServer) and makes it
   * current, closing the local datafile. The server is asked first, so an address that does not
   * answer, or is not one of our servers, leaves the current datafile open and says why.
   */
  async connectToServer(raw: unknown): Promise<Result<DatafileStatus>> {
    const parsed = connectToServerInput.safeParse(raw ?? {});
    if (!parsed.success) return validationFailure(parsed.error);
    const url = parseServerUrl(parsed.data.url);
    if (!url.ok) return url;
    if (this.state.kind === 'server' && this.state.connection.url === url.value) return { ok: true, value: this.status() };
    const connection = await ServerConnection.connect(url.value, this.options.server);
    if (!connection.ok) return connection;
    this.replaceState({ kind: 'server', connection: connection.value });
    return { ok: true, value: this.status() };
  }

  /** Sets up the pending new datafile with its first administrator (DesktopCommands.setUpDatafile). */
  async setUp(raw: unknown): Promise<Result<DatafileStatus>> {
    const parsed = setUpDatafileInput.safeParse(raw ?? {});
    if (!parsed.success) return validationFailure(parsed.error);
    const state = this.state;
    if (state.kind === 'closed') return { ok: false, error: appError('datafile_not_found', noDatafileMessage) };
    if (state.kind === 'server') {
      return { ok: false, error: appError('validation_failed', 'The app is connected to a server: there is no new datafile to set up.') };
    }
    if (state.kind === 'open' || this.setupRunning) {
      return { ok: false, error: appError('validation_failed', 'This datafile is already set up.') };
    }
    this.setupRunning = true;
    try {
      const { userName, password, demo } = parsed.data;
      await setUpNewDatafile(state.datafile, this.hasher, { admin: { userName, password }, demo });
      // The window may have switched datafiles while the password was being hashed.
      if (this.state !== state) return { ok: true, value: this.status() };
      this.state = this.opened(state.datafile, state.lock);
      return { ok: true, value: this.status() };
    } catch (error) {
      if (error instanceof AppFailure) return { ok: false, error: error.error };
      this.logError('Setting up the datafile', error);
      return { ok: false, error: appError('internal_error', 'The datafile could not be set up. Please try again.') };
    } finally {
      this.setupRunning = false;
    }
  }

  /** Runs one contract operation for a window's session; the input is validated by `dispatch`. */
  async dispatch(session: ApiSession, operation: string, rawInput: unknown): Promise<Result<unknown>> {
    const state = this.state;
    if (state.kind === 'server') return state.connection.dispatch(session, operation, rawInput);
    if (state.kind !== 'open') {
      return {
        ok: false,
        error: state.kind === 'closed' ? appError('datafile_not_found', noDatafileMessage) : appError('not_logged_in', needsSetupMessage),
      };
    }
    return dispatch(state.handlers, session, operation, rawInput, { logError: (op, e) => this.logError(`Operation ${op}`, e) });
  }

  close(): void {
    this.replaceState({ kind: 'closed' });
  }

  /**
   * Closes whatever is open and resolves once the datafile is closed and its lock released (the
   * in-app central server first finishes the calls it is answering; a server connection logs out).
   */
  shutdown(): Promise<void> {
    this.replaceState({ kind: 'closed' });
    return Promise.all([...this.teardowns].map((teardown) => teardown.done)).then(() => undefined);
  }

  /**
   * Closes the datafile and releases its lock before returning, without waiting for anything: for
   * when the process is about to end (Electron runs only microtasks after `will-quit`; `app.exit`
   * and an OS shutdown run nothing at all). Calls still in flight on the central server fail.
   */
  closeNow(): void {
    this.replaceState({ kind: 'closed' });
    for (const teardown of this.teardowns) teardown.finish();
  }

  private opened(datafile: Datafile, lock: DatafileLock): State {
    const core = createCore(datafile, this.hasher, this.options.remote);
    const central = this.options.centralServer ? new CentralServerHost(core, this.options.centralServer) : null;
    if (central) void central.reconcile();
    // A remote site syncs by itself at its interval; the scheduler stops when the core closes.
    if (this.options.syncAutomatically) core.syncScheduler.start();
    this.options.onCoreOpened?.(core);
    const handlers = createHandlers(core, { centralServer: central ?? undefined, logSecurity: this.options.logSecurity });
    return { kind: 'open', core, handlers, lock, central };
  }

  private currentPath(): string | null {
    return this.status().location;
  }

  private replaceState(next: State): void {
    const previous = this.state;
    if (previous.kind === 'closed' && next.kind === 'closed') return;
    this.state = next;
    // User IDs belong to one datafile: a login must not carry over to another.
    for (const session of this.sessions) session.userId = null;
    if (previous.kind === 'open') {
      // The central server finishes the calls it is answering before its datafile closes.
      const closing = previous.central?.close() ?? Promise.resolve();
      this.track(
        closing.catch((error: unknown) => this.logError('Stopping the central server', error)),
        () => {
          previous.core.close();
          previous.lock.release();
        },
      );
    }
    if (previous.kind === 'needs-setup') {
      previous.datafile.close();
      previous.lock.release();
    }
    if (previous.kind === 'server') {
      this.track(
        previous.connection.close().catch((error: unknown) => this.logError('Logging out of the server', error)),
        () => {},
      );
    }
    const status = this.status();
    for (const listener of this.statusListeners) listener(status);
  }

  /** A datafile or server being let go: `finish` runs once, after `waitFor` or sooner from closeNow(). */
  private track(waitFor: Promise<void>, finish: () => void): void {
    let finished = false;
    const teardown: Teardown = {
      finish: () => {
        if (finished) return;
        finished = true;
        this.teardowns.delete(teardown);
        finish();
      },
      done: Promise.resolve(),
    };
    teardown.done = waitFor.then(() => teardown.finish());
    this.teardowns.add(teardown);
  }

  private openFailure(file: string, error: unknown) {
    if (error instanceof AppFailure) return error.error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      return appError('internal_error', `The datafile could not be opened: this app may not write to ${file}.`);
    }
    this.logError(`Opening ${file}`, error);
    return appError('internal_error', `The datafile could not be opened: ${file}. It may be damaged or in a folder this app cannot use.`);
  }

  private logError(what: string, error: unknown): void {
    (this.options.logError ?? ((w, e) => console.error(`${w} failed:`, e)))(what, error);
  }
}

/** The desktop forms show the first problem as it is (their fields are few and labelled). */
function validationFailure(error: ZodError): Result<never> {
  const issues = issuesOf(error);
  return { ok: false, error: appError('validation_failed', issues[0]?.message, { issues }) };
}
