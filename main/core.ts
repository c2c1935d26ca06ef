/**
 * The composition root shared by every host (Electron main, the headless server, tests, benches):
 * one open datafile, the services over it, and the remote side of sync. Nothing here imports
 * electron or an HTTP framework; hosts (main/hosts) put transports around it.
 */
import { type Datafile, type OpenOptions, openDatafile } from '../db/datafile';
import { needsSetup, setUpNewDatafile, type SetupOptions } from './services/datafile-setup';
import { PasswordHasher } from './services/passwords';
import { RefusedChanges } from './services/refused-changes';
import { SiteService } from './services/site-service';
import { StockService } from './services/stock-service';
import { UserService } from './services/user-service';
import { defaultLoginLimits, SignInLimiter } from './net/sign-in-limiter';
import { RemoteConnection, type RemoteConnectionOptions } from './sync/remote/connection';
import { SyncScheduler } from './sync/remote/scheduler';
import { SyncRunner, type SyncRunnerOptions } from './sync/remote/sync-runner';
import { SiteSyncErrors, SiteSyncHealthReader } from './sync/central/site-sync-health';

/**
 * Failed sign-ins, kept with the open datafile (in memory) so that whichever server answers the
 * calls counts them in one place, and the windows can show and clear them.
 */
export interface SignIns {
  /** Remote sites signing in to the sync API (names are site names). */
  sites: SignInLimiter;
  /** Users logging in (names are user names). */
  users: SignInLimiter;
}

export interface Core {
  datafile: Datafile;
  hasher: PasswordHasher;
  sites: SiteService;
  users: UserService;
  /** The Stock page: store data of the stores active on this site. */
  stock: StockService;
  /** A remote site's changes the central refused, kept for an administrator. */
  refusedChanges: RefusedChanges;
  /** Enabling sync and Check connection: this datafile's link to its central server. */
  connection: RemoteConnection;
  /** A remote site's sync runs (Sync now) and status line. */
  syncRunner: SyncRunner;
  /** Automatic sync; not started here: the host that keeps the core open starts and stops it. */
  syncScheduler: SyncScheduler;
  signIns: SignIns;
  /** The central server: the last error each site met (fed by the sync server), and every site's sync health. */
  siteSyncErrors: SiteSyncErrors;
  siteSyncHealth: SiteSyncHealthReader;
  close(): void;
}

/** How the remote side of sync reaches a central: hardware ID, HTTP clients, retries, batch sizes. */
export interface RemoteOptions extends RemoteConnectionOptions {
  syncRunner?: SyncRunnerOptions;
}

export interface CoreOptions extends OpenOptions {
  hasher?: PasswordHasher;
  /** Sets up a new (empty) datafile with this administrator. */
  setup?: SetupOptions;
  remote?: RemoteOptions;
}

export function createCore(datafile: Datafile, hasher = new PasswordHasher(), remote: RemoteOptions = {}): Core {
  const connection = new RemoteConnection(datafile, remote);
  const syncRunner = new SyncRunner(datafile, connection, remote.syncRunner);
  const syncScheduler = new SyncScheduler(syncRunner, { logError: (error) => console.error('Scheduled sync failed:', error) });
  const refusedChanges = new RefusedChanges(datafile);
  // A first sync soon after Enabling sync, and a sync soon after refused changes are sent again.
  connection.events.on('enabled', () => syncScheduler.poke());
  refusedChanges.events.on('requeued', () => syncScheduler.poke());
  const signIns: SignIns = {
    sites: new SignInLimiter({ expectedCheckMs: hasher.expectedCheckMs }),
    users: new SignInLimiter({ ...defaultLoginLimits, expectedCheckMs: hasher.expectedCheckMs }),
  };
  const siteByNameKey = datafile.sqlite.prepare('select 1 from site where name_key = ?').pluck();
  const siteSyncErrors = new SiteSyncErrors((key) => siteByNameKey.get(key) !== undefined);
  return {
    datafile,
    hasher,
    sites: new SiteService(datafile, hasher),
    users: new UserService(datafile, hasher),
    stock: new StockService(datafile),
    refusedChanges,
    connection,
    syncRunner,
    syncScheduler,
    signIns,
    siteSyncErrors,
    siteSyncHealth: new SiteSyncHealthReader(datafile.sqlite, signIns.sites, siteSyncErrors),
    close: () => {
      syncScheduler.stop();
      syncRunner.close();
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
