/**
 * How every site's sync is doing, as the central server sees it: the sites list's sync columns and
 * the sync part of the site window. Read from the datafile (last connection, last successful sync,
 * records queued for the site, buffered and refused from it, app name and version), from the
 * sign-in limiter (locks), and from the last error each site met (SiteSyncErrors, fed by the sync
 * server's error handler: refused sign-ins with their reason, refused requests).
 *
 * Status, worst first: locked (sign-ins refused for now), failing (an error since the last
 * successful sync, or none for `failingAfterDays`), late (none for `lateAfterDays`), never synced,
 * ok. The thresholds are the datafile's settings (1 and 3 days by default).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type Database from 'better-sqlite3';
import { getSetting, setSetting } from '../../../db/settings';
import type { SiteSyncHealth, SiteSyncStatus, SyncThresholds } from '../../../shared/contract';
import { AppFailure } from '../../../shared/errors';
import { nameKey } from '../../../shared/names';
import type { FailureSummary, SignInLimiter } from '../../net/sign-in-limiter';
import type { SyncApiError } from '../protocol';
import { readBasicCredentials } from './sync-headers';
import { queuedCountSql } from '../../services/store-records';

export const defaultSyncThresholds: SyncThresholds = { lateAfterDays: 1, failingAfterDays: 3 };

const dayMs = 86_400_000;

interface SiteError {
  code: string;
  message: string;
  at: string;
}

/**
 * The last error each site met on this central server, in memory like the sign-in failures it
 * often is (a restart forgets both). Keyed by the site name's key, as the caller gave it; only
 * names of sites that exist are kept, so calls under made-up names cannot push real sites out.
 */
export class SiteSyncErrors {
  private readonly errors = new Map<string, SiteError>();
  /** Never more names than this, whatever happens. */
  static readonly maxNames = 50_000;

  /** `isSite(key)`: whether a site has this name key (an indexed lookup in the datafile). */
  constructor(private readonly isSite: (key: string) => boolean = () => true) {}

  /** From the sync server's error handler: an answered error, for the site the request names. */
  recordAnswered(headers: IncomingHttpHeaders, error: SyncApiError): void {
    // Busy answers (503) are the central asking to wait, and 5xx are the central's own problems.
    if (error.status < 400 || error.status >= 500) return;
    let siteName: string;
    try {
      siteName = readBasicCredentials(headers).siteName;
    } catch {
      return;
    }
    const key = nameKey(siteName);
    if (this.isSite(key)) this.record(key, error.code, error.message);
  }

  record(key: string, code: string, message: string, at = new Date()): void {
    this.errors.delete(key);
    if (this.errors.size >= SiteSyncErrors.maxNames) {
      const oldest = this.errors.keys().next();
      if (!oldest.done) this.errors.delete(oldest.value);
    }
    this.errors.set(key, { code, message, at: at.toISOString() });
  }

  get(key: string): SiteError | undefined {
    return this.errors.get(key);
  }
}

interface HealthRow {
  siteId: number;
  nameKey: string;
  isCentral: number;
  lastConnectedAt: string | null;
  lastSyncedAt: string | null;
  appName: string | null;
  appVersion: string | null;
  queued: number;
  buffered: number;
  refused: number;
}

/** Counts by site in one pass over each table (cheaper than a count per site for 10,000 sites). */
const healthSql = `
  with queued as (select site_id, sum(n) as n from (${queuedCountSql('')}) group by site_id),
       buffered as (select site_id, count(*) as n from sync_in where refused_message is null group by site_id),
       refused as (select site_id, count(*) as n from site_push_seen where refusal is not null group by site_id)
  select s.id as siteId, s.name_key as nameKey, s.is_central as isCentral, s.last_connected_at as lastConnectedAt,
         s.last_synced_at as lastSyncedAt, s.app_name as appName, s.app_version as appVersion,
         coalesce(queued.n, 0) as queued, coalesce(buffered.n, 0) as buffered, coalesce(refused.n, 0) as refused
  from site s
  left join queued on queued.site_id = s.id
  left join buffered on buffered.site_id = s.id
  left join refused on refused.site_id = s.id`;

/** One site: its own counts only. */
const oneSiteSql = `
  select s.id as siteId, s.name_key as nameKey, s.is_central as isCentral, s.last_connected_at as lastConnectedAt,
         s.last_synced_at as lastSyncedAt, s.app_name as appName, s.app_version as appVersion,
         (select coalesce(sum(n), 0) from (${queuedCountSql('where o.site_id = s.id')})) as queued,
         (select count(*) from sync_in i where i.site_id = s.id and i.refused_message is null) as buffered,
         (select count(*) from site_push_seen p where p.site_id = s.id and p.refusal is not null) as refused
  from site s where s.id = ?`;

export function syncThresholds(sqlite: Database.Database): SyncThresholds {
  return {
    lateAfterDays: getSetting(sqlite, 'sync_late_after_days') ?? defaultSyncThresholds.lateAfterDays,
    failingAfterDays: getSetting(sqlite, 'sync_failing_after_days') ?? defaultSyncThresholds.failingAfterDays,
  };
}

export function setSyncThresholds(sqlite: Database.Database, thresholds: SyncThresholds): SyncThresholds {
  sqlite
    .transaction(() => {
      setSetting(sqlite, 'sync_late_after_days', thresholds.lateAfterDays);
      setSetting(sqlite, 'sync_failing_after_days', thresholds.failingAfterDays);
    })
    .immediate();
  return syncThresholds(sqlite);
}

export class SiteSyncHealthReader {
  private readonly all;
  private readonly one;
  private readonly ownChanges;
  /**
   * The rows as last read, and the datafile's state then: the list refreshes every few seconds, and
   * reading 10,000 sites costs tens of milliseconds, so rows are read again only after a change
   * (PRAGMA data_version moves on another connection's commit, total_changes() on this one's).
   * Statuses are worked out on every call: they depend on the time and on the sign-ins in memory.
   */
  private cached: { stamp: string; rows: HealthRow[] } | null = null;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly signIns: SignInLimiter,
    private readonly errors: SiteSyncErrors,
  ) {
    this.all = sqlite.prepare(healthSql);
    this.one = sqlite.prepare(oneSiteSql);
    this.ownChanges = sqlite.prepare('select total_changes()').pluck();
  }

  private rows(): HealthRow[] {
    const stamp = `${this.sqlite.pragma('data_version', { simple: true })}:${this.ownChanges.get()}`;
    if (this.cached?.stamp !== stamp) this.cached = { stamp, rows: this.all.all() as HealthRow[] };
    return this.cached.rows;
  }

  list(now = new Date()): { rows: SiteSyncHealth[]; thresholds: SyncThresholds } {
    const thresholds = syncThresholds(this.sqlite);
    const failures = new Map(this.signIns.summaries().map((s) => [s.name, s]));
    const rows = this.rows().map((row) => this.health(row, thresholds, failures.get(row.nameKey), now));
    return { rows, thresholds };
  }

  get(siteId: number, now = new Date()): SiteSyncHealth {
    const row = this.one.get(siteId) as HealthRow | undefined;
    if (!row) throw new AppFailure('site_not_found');
    return this.health(row, syncThresholds(this.sqlite), this.signIns.summary(row.nameKey), now);
  }

  private health(row: HealthRow, thresholds: SyncThresholds, failures: FailureSummary | undefined, now: Date): SiteSyncHealth {
    const error = this.errors.get(row.nameKey);
    // An error counts until the site syncs successfully after it.
    const lastError = error && (row.lastSyncedAt === null || error.at > row.lastSyncedAt) ? error : null;
    const lockedUntil = failures?.lockedUntil ?? null;
    return {
      siteId: row.siteId,
      status: row.isCentral === 1 ? null : statusOf(row.lastSyncedAt, lastError !== null, lockedUntil !== null, thresholds, now),
      lastConnectedAt: row.lastConnectedAt,
      lastSyncedAt: row.lastSyncedAt,
      queued: row.queued,
      buffered: row.buffered,
      refused: row.refused,
      appName: row.appName,
      appVersion: row.appVersion,
      lastError,
      lockedUntil,
    };
  }
}

export function statusOf(lastSyncedAt: string | null, hasError: boolean, locked: boolean, thresholds: SyncThresholds, now: Date): SiteSyncStatus {
  if (locked) return 'locked';
  if (hasError) return 'failing';
  if (lastSyncedAt === null) return 'never_synced';
  const age = now.getTime() - Date.parse(lastSyncedAt);
  if (age > thresholds.failingAfterDays * dayMs) return 'failing';
  if (age > thresholds.lateAfterDays * dayMs) return 'late';
  return 'ok';
}
