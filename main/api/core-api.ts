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
  type CentralServerView,
  operationNames,
} from '../../shared/contract';
import { AppFailure, appError, type Result } from '../../shared/errors';
import { validateInput } from '../../shared/validate';
import { type Core, requireRemote } from '../core';
import { type Actor, canEditSyncSettings, requireEditSyncSettings } from '../services/actor';
import { getSetting, setSetting } from '../../db/settings';
import { DEFAULT_CENTRAL_PORT } from '../sync/protocol';

/** One window's or one browser's login. */
export interface ApiSession {
  userId: number | null;
}

type Handler<K extends OperationName> = (session: ApiSession, input: ParsedInputs[K]) => Promise<Outputs[K]> | Outputs[K];
export type Handlers = { [K in OperationName]: Handler<K> };

const publicOperations: ReadonlySet<OperationName> = new Set(['login', 'logout', 'whoAmI']);

export function createHandlers(core: Core): Handlers {
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
    return {
      user: actor && actor.userId !== null ? { id: actor.userId, name: actor.userName } : null,
      permissions: { editSyncSettings: actor ? canEditSyncSettings(actor) : false },
      datafile: { activeSiteId, activeSiteName: active.name, isCentralServer: core.sites.isCentralServer() },
    };
  };

  return {
    login: async (session, input) => {
      const actor = await core.users.authenticate(input.userName, input.password);
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
    checkConnection: (session) => (actorOf(session), requireRemote(core).checkConnection()),
    getRemoteSync: (session) => (actorOf(session), requireRemote(core).getRemoteSync()),
    enableSync: async (session, input) => {
      const view = await requireRemote(core).enableSync(actorOf(session), input);
      // The first sync initialises the datafile; a running scheduler does it soon after enabling.
      core.syncScheduler.poke();
      return view;
    },
    // Stock: any logged-in user, for stores active on this site (the rule is in StockService).
    listStockStores: (session) => (actorOf(session), { stores: core.stock.listStores() }),
    listStockLines: (session, input) => (actorOf(session), core.stock.listLines(input)),
    saveStockLine: (session, input) => core.stock.saveLine(actorOf(session), input),
    deleteStockLine: (session, input) => core.stock.deleteLine(actorOf(session), input),
    // Sync now and the status line: any logged-in user; changing the interval needs the sync permission.
    getSyncStatus: (session) => (actorOf(session), core.storeSync.status()),
    syncNow: (session) => (actorOf(session), core.storeSync.syncNow()),
    setSyncInterval: (session, input) => {
      requireEditSyncSettings(actorOf(session));
      core.storeSync.setIntervalMinutes(input.minutes);
      return core.storeSync.status();
    },
    listRefusedChanges: (session) => (actorOf(session), core.refusedChanges.list()),
    retryRefusedChanges: (session, input) => {
      const result = core.refusedChanges.retry(actorOf(session), input.ids);
      core.syncScheduler.poke();
      return result;
    },
    discardRefusedChanges: (session, input) => core.refusedChanges.discard(actorOf(session), input.ids),
    // The Users window: the service checks the Admin permission on every call.
    listUsers: (session) => core.users.listUsers(actorOf(session)),
    getUser: (session, input) => core.users.getUser(actorOf(session), input),
    saveUser: (session, input) => core.users.saveUser(actorOf(session), input),
    getCentralServer: (session) => (actorOf(session), centralServerView(core)),
    setCentralServerPort: async (session, input) => {
      requireEditSyncSettings(actorOf(session));
      setSetting(core.datafile.sqlite, 'central_server_port', input.port);
      await core.centralServer?.reconcile();
      return centralServerView(core);
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

function centralServerView(core: Core): CentralServerView {
  if (!core.centralServer) {
    const port = getSetting(core.datafile.sqlite, 'central_server_port') ?? DEFAULT_CENTRAL_PORT;
    return { available: false, running: false, port, url: null, problem: null };
  }
  return { available: true, ...core.centralServer.status() };
}
