/**
 * What this datafile is in the sync system, read straight from it: the central server (its active
 * site is the central server site), a remote site (or one whose first sync is making it one), and
 * whether it is still fresh (only its own site, no store), so that it may become a remote site
 * without losing anything. Every reader of "which site is this datafile" and "which is the central
 * server site" asks here.
 */
import type { Datafile } from '../../db/datafile';
import { getSetting } from '../../db/settings';

type Sqlite = Datafile['sqlite'];

/** The site this datafile acts as (the "active site" of the Synchronisation window). */
export function activeSiteId(sqlite: Sqlite): number {
  const id = getSetting(sqlite, 'active_site_id');
  if (id === undefined) throw new Error('The datafile has no active site.');
  return id;
}

/** The central server site's ID; every datafile has exactly one. */
export function centralSiteId(sqlite: Sqlite): number {
  const id = sqlite.prepare('select id from site where is_central = 1').pluck().get() as number | undefined;
  if (id === undefined) throw new Error('The datafile has no central server site.');
  return id;
}

function activeIsCentralSite(sqlite: Sqlite): boolean {
  const active = getSetting(sqlite, 'active_site_id');
  const central = sqlite.prepare('select id from site where is_central = 1').pluck().get() as number | undefined;
  return active !== undefined && active === central;
}

/** The central server: its active site is the central server site (and it is not half-way through becoming a remote site). */
export function isCentralServerDatafile(sqlite: Sqlite): boolean {
  return activeIsCentralSite(sqlite) && !isFirstSyncUnderway(sqlite);
}

/**
 * Sync is enabled and the datafile's first sync began taking the central's sites and stores, but
 * was cut short before this datafile learnt which site it is (that comes once all of them are
 * here). Its active site is still the central server site, which the central's data now names: it
 * is no longer its own central server, and not yet the remote site. Nothing is edited here
 * meanwhile (the central's stores are not this site's); the next sync finishes it.
 */
export function isFirstSyncUnderway(sqlite: Sqlite): boolean {
  if (getSetting(sqlite, 'remote_sync') === undefined) return false;
  const state = getSetting(sqlite, 'remote_sync_state');
  return state !== undefined && state.initialisedAt === null && state.centralCursor > 0 && activeIsCentralSite(sqlite);
}

/** The site name a first sync cut short is making this datafile (isFirstSyncUnderway), else undefined. */
export function firstSyncSiteName(sqlite: Sqlite): string | undefined {
  return isFirstSyncUnderway(sqlite) ? getSetting(sqlite, 'remote_sync')?.siteName : undefined;
}

export function isFreshDatafile(sqlite: Sqlite): boolean {
  const row = sqlite.prepare('select (select count(*) from site) as sites, (select count(*) from store) as stores').get() as {
    sites: number;
    stores: number;
  };
  return row.sites === 1 && row.stores === 0;
}

/** The central server datafile of a system in use: Enabling sync would hand its data to another server. */
export function isCentralDatafileInUse(sqlite: Sqlite): boolean {
  return isCentralServerDatafile(sqlite) && !isFreshDatafile(sqlite);
}

/**
 * A remote site's datafile: sync is enabled and its first sync made it the remote site (its active
 * site is no longer the central server site), or is making it one (isFirstSyncUnderway). Its sites
 * and stores are the central's, shown here as the central sent them: they are edited on the
 * central server only.
 */
export function isRemoteSiteDatafile(sqlite: Sqlite): boolean {
  return getSetting(sqlite, 'remote_sync') !== undefined && !isCentralServerDatafile(sqlite);
}

/** The central server site's name as this datafile knows it. */
export function centralSiteName(sqlite: Sqlite): string {
  return sqlite.prepare('select name from site where is_central = 1').pluck().get() as string;
}
