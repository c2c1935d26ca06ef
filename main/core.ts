/**
 * The composition root shared by every host (Electron main, the headless server, tests, benches):
 * one open datafile and the services over it. Nothing here imports electron.
 */
import { type Datafile, type OpenOptions, openDatafile } from '../db/datafile';
import type { ConnectionCheck, ParsedInputs, RemoteSyncView } from '../shared/contract';
import { AppFailure } from '../shared/errors';
import type { Actor } from './services/actor';
import { needsSetup, setUpNewDatafile, type SetupOptions } from './services/datafile-setup';
import { PasswordHasher } from './services/passwords';
import { SiteService } from './services/site-service';
import { StockService } from './services/stock-service';
import { UserService } from './services/user-service';
import { createRemoteSync, type RemoteSyncOptions } from './sync/remote-sync';
import { RemoteStoreSync } from './sync/remote-store-sync';
import { SyncScheduler } from './sync/sync-scheduler';
import { RefusedChanges } from './sync/refused-changes';

/** Remote-site operations; provided by the sync module (main/sync). */
export interface RemoteSyncOperations {
  checkConnection(): Promise<ConnectionCheck>;
  getRemoteSync(): RemoteSyncView;
  enableSync(actor: Actor, input: ParsedInputs['enableSync']): Promise<RemoteSyncView>;
}

export interface Core {
  datafile: Datafile;
  remote?: RemoteSyncOperations;
  hasher: PasswordHasher;
  sites: SiteService;
  users: UserService;
  /** The Stock page: store data of the stores active on this site. */
  stock: StockService;
  /** A remote site's sync runs (Sync now) and status line. */
  storeSync: RemoteStoreSync;
  /** Automatic sync; not started here: the host that keeps the core open starts and stops it. */
  syncScheduler: SyncScheduler;
  /** A remote site's changes the central refused, kept for an administrator. */
  refusedChanges: RefusedChanges;
  /** The in-process central server, when the host runs one (the desktop app). */
  centralServer?: CentralServerControl;
  close(): void;
}

export interface CentralServerControl {
  status(): { running: boolean; port: number; url: string | null; problem: string | null };
  /** Starts, stops or moves the server to match the datafile's settings. */
  reconcile(): Promise<void>;
}

export interface CoreOptions extends OpenOptions {
  hasher?: PasswordHasher;
  /** Sets up a new (empty) datafile with this administrator. */
  setup?: SetupOptions;
  /** Remote-site sync: hardware ID, HTTP clients, retry policy (main/sync/remote-sync.ts). */
  remote?: RemoteSyncOptions;
}

export function createCore(datafile: Datafile, hasher = new PasswordHasher(), remote: RemoteSyncOptions = {}): Core {
  const remoteSync = createRemoteSync(datafile, remote);
  const storeSync = new RemoteStoreSync(datafile, remoteSync, remote.storeSync);
  const syncScheduler = new SyncScheduler(storeSync, { logError: (error) => console.error('Scheduled sync failed:', error) });
  return {
    datafile,
    remote: remoteSync,
    hasher,
    sites: new SiteService(datafile, hasher),
    users: new UserService(datafile, hasher),
    stock: new StockService(datafile),
    refusedChanges: new RefusedChanges(datafile),
    storeSync,
    syncScheduler,
    close: () => {
      syncScheduler.stop();
      storeSync.close();
      datafile.close();
    },
  };
}

export async function openCore(file: string, options: CoreOptions = {}): Promise<Core> {
  const datafile = openDatafile(file, options);
  try {
    if (needsSetup(datafile)) {
      if (!options.setup) {
        throw new Error('This datafile is new: it needs a first administrator (user name and password).');
      }
      await setUpNewDatafile(datafile, options.hasher ?? new PasswordHasher(), options.setup);
    }
    return createCore(datafile, options.hasher, options.remote);
  } catch (error) {
    datafile.close();
    throw error;
  }
}

export function requireRemote(core: Core): RemoteSyncOperations {
  if (!core.remote) throw new AppFailure('sync_not_configured', 'Sync is not available in this build.');
  return core.remote;
}
