/**
 * The contract implemented once, over the services. Transports (Electron IPC, HTTP) hold a session
 * per window or browser and call `dispatch`; it validates the input with the contract's schema,
 * checks the user is logged in, and turns every failure into the contract's error values.
 */
import {
  type OperationName,
  type Outputs,
  type ParsedInputs,
  type WhoAmI,
  type CentralServerStatus,
  type CentralServerView,
  type SignInFailures,
  type UserSignInFailures,
  operationNames,
} from '../../shared/contract';
import { AppFailure, appError, errorMessages, type Result } from '../../shared/errors';
import { validateInput } from '../../shared/validate';
import type { Core } from '../core';
import { type Actor, canEditSyncSettings, requireEditSyncSettings } from '../services/actor';
import { centralSiteName, firstSyncSiteName, isRemoteSiteDatafile } from '../services/datafile-role';
import { centralServerPort, setSetting } from '../../db/settings';
import { nameKey } from '../../shared/names';
import { type FailureSummary, retryInWords } from '../net/sign-in-limiter';
import { setSyncThresholds } from '../sync/central/site-sync-health';

/** One window's or one browser's login. */
export interface ApiSession {
  userId: number | null;
  /** Where the login comes from (a browser's IP address); a desktop window is "this computer". */
  address?: string;
}

/** The lane a desktop window's logins are counted on (it has no network address). */
export const LOCAL_ADDRESS = 'this computer';

type Handler<K extends OperationName> = (session: ApiSession, input: ParsedInputs[K]) => Promise<Outputs[K]> | Outputs[K];
export type Handlers = { [K in OperationName]: Handler<K> };

const publicOperations: ReadonlySet<OperationName> = new Set(['login', 'logout', 'whoAmI']);

/** The in-process central server, when the host runs one (main/hosts/in-app-central.ts). */
export interface CentralServerControl {
  status(): CentralServerStatus;
  /** Starts, stops or moves the server to match the datafile's settings. */
  reconcile(): Promise<void>;
}

export interface HandlerOptions {
  centralServer?: CentralServerControl;
  /** Where security events go (user name and address only, never a password or hash). */
  logSecurity?: (details: Record<string, unknown>, message: string) => void;
}

export function createHandlers(core: Core, options: HandlerOptions = {}): Handlers {
  const { centralServer, logSecurity } = options;
  const actorOf = (session: ApiSession): Actor => {
    const actor = session.userId === null ? null : core.users.actorFor(session.userId);
    if (!actor) {
      session.userId = null;
      throw new AppFailure('not_logged_in');
    }
    return actor;
  };

  const whoAmI = (session: ApiSession): WhoAmI => {
    const actor = session.userId === null ? null : core.users.actorFor(session.userId);
    const activeSiteId = core.sites.activeSiteId();
    const active = core.sites.getSite({ siteId: activeSiteId });
    // Half-way through its first sync the active site is still the central server site: named here is the site it is becoming.
    const becoming = firstSyncSiteName(core.datafile.sqlite);
    return {
      user: actor && actor.userId !== null ? { id: actor.userId, name: actor.userName, language: core.users.languageOf(actor.userId) } : null,
      permissions: { editSyncSettings: actor ? canEditSyncSettings(actor) : false },
      datafile: {
        activeSiteId,
        activeSiteName: becoming ?? active.name,
        isCentralServer: core.sites.isCentralServer(),
        isRemoteSite: isRemoteSiteDatafile(core.datafile.sqlite),
        firstSyncUnderway: becoming !== undefined,
        centralServerName: centralSiteName(core.datafile.sqlite),
      },
    };
  };

  const toFailures = ({ failures, lastAddress, lastFailureAt, lockedUntil }: FailureSummary): SignInFailures => ({
    failures,
    lastAddress,
    lastFailureAt,
    lockedUntil,
  });
  const siteFailures = (siteName: string) => toFailures(core.signIns.sites.summary(nameKey(siteName)));
  const userFailures = (): UserSignInFailures[] => core.signIns.users.summaries().map((s) => ({ userName: s.name, ...toFailures(s) }));

  const centralServerView = (): CentralServerView =>
    centralServer
      ? { available: true, ...centralServer.status() }
      : { available: false, running: false, port: centralServerPort(core.datafile.sqlite), url: null, problem: null };

  return {
    login: async (session, input) => {
      const address = session.address ?? LOCAL_ADDRESS;
      const attempt = await core.signIns.users.begin({ name: nameKey(input.userName), address });
      if (attempt.refused && attempt.reason === 'overloaded') {
        // Too many logins being checked at once: not counted against anyone; HTTP answers 503 + Retry-After.
        const retryAfterSeconds = Math.ceil(attempt.retryAfterMs / 1000);
        throw new AppFailure('server_busy', `${errorMessages.server_busy} ${retryInWords(attempt.retryAfterMs)}`, {
          retryAfterSeconds,
        });
      }
      if (attempt.refused) {
        logSecurity?.({ user: input.userName, address }, 'Login refused: too many failed attempts');
        throw new AppFailure('too_many_attempts', `Too many failed login attempts for this user from here. ${retryInWords(attempt.retryAfterMs)}`);
      }
      let actor: Actor;
      try {
        actor = await core.users.authenticate(input.userName, input.password);
      } catch (error) {
        if (error instanceof AppFailure && error.error.code === 'invalid_credentials') {
          const { locked } = attempt.failed();
          if (locked) logSecurity?.({ user: input.userName, address, lockedBy: locked }, 'Login locked after repeated failures');
        } else {
          attempt.abandon();
        }
        throw error;
      }
      attempt.succeeded();
      session.userId = actor.userId;
      return whoAmI(session);
    },
    logout: (session) => {
      session.userId = null;
      return whoAmI(session);
    },
    whoAmI: (session) => whoAmI(session),
    listSites: (session, input) => (actorOf(session), core.sites.listSites(input)),
    getSite: (session, input) => (actorOf(session), core.sites.getSite(input)),
    newSite: (session) => (actorOf(session), core.sites.newSite()),
    saveSite: (session, input) => core.sites.saveSite(actorOf(session), input),
    deleteSite: (session, input) => core.sites.deleteSite(actorOf(session), input),
    listAddableStores: (session, input) => (actorOf(session), core.sites.listAddableStores(input)),
    setActiveSite: (session, input) => core.sites.setActiveSite(actorOf(session), input),
    resetHardwareId: (session, input) => core.sites.resetHardwareId(actorOf(session), input),
    checkConnection: (session) => (actorOf(session), core.connection.checkConnection()),
    getRemoteSync: (session) => (actorOf(session), core.connection.getRemoteSync()),
    enableSync: (session, input) => core.connection.enableSync(actorOf(session), input),
    // Stock: any logged-in user, for stores active on this site (the rule is in StockService).
    listStockStores: (session) => (actorOf(session), { stores: core.stock.listStores() }),
    listStockLines: (session, input) => (actorOf(session), core.stock.listLines(input)),
    saveStockLine: (session, input) => core.stock.saveLine(actorOf(session), input),
    deleteStockLine: (session, input) => core.stock.deleteLine(actorOf(session), input),
    // Sync now and the status line: any logged-in user; changing the interval needs the sync permission.
    getSyncStatus: (session) => (actorOf(session), core.syncRunner.status()),
    syncNow: (session) => (actorOf(session), core.syncRunner.syncNow()),
    reinitialiseSync: (session, input) => core.syncRunner.reinitialise(actorOf(session), input),
    setSyncInterval: (session, input) => {
      requireEditSyncSettings(actorOf(session));
      core.syncRunner.setIntervalMinutes(input.minutes);
      return core.syncRunner.status();
    },
    listRefusedChanges: (session) => (actorOf(session), core.refusedChanges.list()),
    retryRefusedChanges: (session, input) => core.refusedChanges.retry(actorOf(session), input.ids),
    discardRefusedChanges: (session, input) => core.refusedChanges.discard(actorOf(session), input.ids),
    // The Users window: the service checks the Admin permission on every call.
    listUsers: (session) => core.users.listUsers(actorOf(session)),
    getUser: (session, input) => core.users.getUser(actorOf(session), input),
    saveUser: (session, input) => core.users.saveUser(actorOf(session), input),
    getCentralServer: (session) => (actorOf(session), centralServerView()),
    // Failed sign-ins name addresses and user names: only administrators see and clear them.
    getSiteSignInFailures: (session, input) => {
      requireEditSyncSettings(actorOf(session));
      return siteFailures(core.sites.getSite(input).name);
    },
    clearSiteSignInFailures: (session, input) => {
      requireEditSyncSettings(actorOf(session));
      const { name } = core.sites.getSite(input);
      core.signIns.sites.clear(nameKey(name));
      logSecurity?.({ siteName: name, by: actorOf(session).userName }, 'Failed sync sign-ins cleared by an administrator');
      return siteFailures(name);
    },
    listUserSignInFailures: (session) => {
      requireEditSyncSettings(actorOf(session));
      return { rows: userFailures() };
    },
    clearUserSignInFailures: (session, input) => {
      requireEditSyncSettings(actorOf(session));
      core.signIns.users.clear(nameKey(input.userName));
      logSecurity?.({ user: input.userName, by: actorOf(session).userName }, 'Failed logins cleared by an administrator');
      return { rows: userFailures() };
    },
    // Sync at a glance: any logged-in user sees it (like the sites list); thresholds need the permission.
    listSyncLog: (session) => (actorOf(session), { rows: core.syncRunner.listLog() }),
    listSiteSyncHealth: (session) => (actorOf(session), core.siteSyncHealth.list()),
    getSiteSyncHealth: (session, input) => (actorOf(session), core.siteSyncHealth.get(input.siteId)),
    setSyncThresholds: (session, input) => {
      requireEditSyncSettings(actorOf(session));
      return setSyncThresholds(core.datafile.sqlite, input);
    },
    setMyLanguage: (session, input) => {
      core.users.setLanguage(actorOf(session), input.language);
      return whoAmI(session);
    },
    setCentralServerPort: async (session, input) => {
      requireEditSyncSettings(actorOf(session));
      setSetting(core.datafile.sqlite, 'central_server_port', input.port);
      await centralServer?.reconcile();
      return centralServerView();
    },
  };
}

export function isOperationName(value: unknown): value is OperationName {
  return typeof value === 'string' && (operationNames as readonly string[]).includes(value);
}

export interface DispatchOptions {
  /** Where unexpected failures are reported; their details never reach the caller. */
  logError?: (operation: string, error: unknown) => void;
}

export async function dispatch(
  handlers: Handlers,
  session: ApiSession,
  operation: string,
  rawInput: unknown,
  options: DispatchOptions = {},
): Promise<Result<unknown>> {
  if (!isOperationName(operation)) {
    return { ok: false, error: appError('validation_failed', 'That operation does not exist.') };
  }
  const input = validateInput(operation, rawInput);
  if (!input.ok) return input;
  try {
    if (!publicOperations.has(operation) && session.userId === null) throw new AppFailure('not_logged_in');
    const handler = handlers[operation] as Handler<typeof operation>;
    const value = await handler(session, input.value as never);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof AppFailure) return { ok: false, error: error.error };
    (options.logError ?? ((op, e) => console.error(`Operation ${op} failed:`, e)))(operation, error);
    return { ok: false, error: appError('internal_error') };
  }
}
